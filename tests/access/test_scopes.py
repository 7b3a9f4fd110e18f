"""Nobody sees or changes anything outside the subtrees they hold a role on."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from jifen.members.services import change_member, create_member
from jifen.orgs.permissions import Perm, can, members_for

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)  # axes guards the password path; test_login_* covers it
    return client


def test_the_scorekeeper_of_b_can_neither_list_nor_open_nor_change_a_member_of_a(personas) -> None:
    alice, bob = personas.alice, personas.bob
    assert alice not in members_for(bob)
    assert personas.member_b in members_for(bob)
    client = logged_in(bob)
    roster = client.get(reverse("member_list"))
    assert roster.status_code == 200
    assert alice.name not in roster.content.decode()
    assert personas.member_b.name in roster.content.decode()
    assert client.get(reverse("member_detail", args=[alice.pk])).status_code == 404
    assert client.get(reverse("admin:members_member_change", args=[alice.pk])).status_code in (
        302,
        403,
        404,
    )
    response = client.post(
        reverse("admin:members_member_change", args=[alice.pk]),
        {"name": "被改了", "gender": "F", "status": "full"},
    )
    assert response.status_code in (302, 403, 404)
    with pytest.raises(PermissionDenied):
        change_member(actor=bob, member=alice, name="被改了")
    with pytest.raises(PermissionDenied):
        create_member(actor=bob, branch=personas.branch_a, name="混入", gender="M")
    alice.refresh_from_db()
    assert alice.name == "王爱丽"


def test_the_scorekeeper_of_a_works_on_a(personas) -> None:
    client = logged_in(personas.sam)
    page = client.get(reverse("member_detail", args=[personas.alice.pk]))
    assert page.status_code == 200
    assert "1101**********002X" in page.content.decode()
    assert "11010519491231002X" not in page.content.decode()
    change_member(actor=personas.sam, member=personas.alice, category="A")
    assert client.get(reverse("member_detail", args=[personas.member_b.pk])).status_code == 404


def test_the_committee_sees_both_branches_but_does_not_record(personas) -> None:
    carol = personas.carol
    assert set(members_for(carol)) == {personas.alice, personas.member_b}
    assert can(carol, Perm.APPROVE_EXEMPTION, personas.branch_a)
    assert not can(carol, Perm.RECORD_ENTRY, personas.branch_a)
    assert not can(carol, Perm.VIEW_MEMBER, personas.district)


def test_a_member_sees_only_herself(personas) -> None:
    client = logged_in(personas.alice_user)
    assert list(members_for(personas.alice_user)) == [personas.alice]
    assert client.get(reverse("member_detail", args=[personas.alice.pk])).status_code == 200
    assert client.get(reverse("member_detail", args=[personas.member_b.pk])).status_code == 404
    assert client.get(reverse("admin:index")).status_code == 302  # not staff


def test_the_public_is_sent_to_the_login_page(personas, client) -> None:
    for name, args in (("home", []), ("member_list", []), ("member_detail", [personas.alice.pk])):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_administrator_manages_organisations_but_sees_no_members(personas) -> None:
    adam = personas.adam
    assert list(members_for(adam)) == []
    client = logged_in(adam)
    assert client.get(reverse("admin:orgs_organisation_changelist")).status_code == 200
    assert client.get(reverse("admin:members_member_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 200


def test_the_admin_member_list_is_scoped(personas) -> None:
    page = logged_in(personas.bob).get(reverse("admin:members_member_changelist"))
    assert page.status_code == 200
    assert "李乙" in page.content.decode() and "王爱丽" not in page.content.decode()
    ledger = logged_in(personas.bob).get(reverse("admin:ledger_ledgerentry_changelist"))
    assert ledger.status_code == 200


def test_a_grant_on_b_cannot_reach_a_member_of_a_by_naming_b(personas) -> None:
    from dataclasses import replace

    from helpers.ledger import draft
    from jifen.ledger.models import LedgerEntry
    from jifen.ledger.services import LedgerRefused, post_entries

    forged = replace(draft(personas.alice), organisation_id=personas.branch_b.pk)
    with pytest.raises(LedgerRefused, match="不属于组织"):
        post_entries(actor=personas.bob, tenant_id=personas.district.pk, drafts=[forged])
    assert not LedgerEntry.objects.exists()


def test_tenant_codes_are_unique(personas) -> None:
    from django.core.exceptions import ValidationError

    from jifen.orgs.services import create_organisation

    with pytest.raises(ValidationError, match="已存在"):
        create_organisation(actor=None, name="另一个区", code="D", kind="district")
