"""`jifen demo` loads a realistic tenant once, through the services.

The default demo (~300 members, a year of entries) takes a few seconds, so it is loaded
once for the module inside a transaction that is rolled back at the end; each test then
runs in its own savepoint (the `db` fixture).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from jifen.core import crypto
from jifen.core.models import AuditEvent
from jifen.demo.roster import DEMO_PASSWORD, TENANT_CODE
from jifen.ledger.models import LedgerEntry, Period, PeriodState
from jifen.ledger.verify import verify_tenant
from jifen.members import idcard
from jifen.members.models import (
    ID_CONTEXT,
    Exemption,
    ExemptionState,
    Member,
    MemberStatus,
    MemberTransfer,
)
from jifen.orgs.models import Organisation, OrgKind, RoleGrant

ID_IN_CLEAR = re.compile(r"\b\d{17}[\dX]\b")


def login_request() -> Any:
    # django-axes wants the request a login comes with.
    return RequestFactory().post("/accounts/login/")


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        # The first of January: the demo shows last year in full, whatever today is.
        as_of = dt.date(timezone.localdate().year, 1, 1).isoformat()
        call_command("demo", "--as-of", as_of, stdout=out)
        tenant = Organisation.objects.get(parent__isnull=True, code=TENANT_CODE)
        yield {"tenant": tenant, "output": out.getvalue()}
        transaction.set_rollback(True)


@pytest.fixture
def tenant(demo: dict[str, Any], db: None) -> Organisation:
    return demo["tenant"]


def test_the_tenant_has_ten_branches_of_every_preset_and_about_300_members(tenant):
    branches = Organisation.objects.filter(tenant=tenant, kind=OrgKind.BRANCH)
    assert branches.count() == 10
    assert set(branches.values_list("scheme_code", flat=True)) == {
        "s000a", "s000b", "s000c", "s001", "s002", "s003", "s004",
    }  # fmt: skip
    assert all(b.sector and b.leader_name for b in branches)
    assert Organisation.objects.filter(tenant=tenant, kind=OrgKind.VILLAGE_GROUP).count() == 4
    assert Organisation.objects.filter(tenant=tenant, kind=OrgKind.PARTY_GROUP).exists()
    assert 280 <= Member.objects.filter(tenant=tenant).count() <= 320


def test_org_codes_are_hierarchical(tenant):
    for org in Organisation.objects.filter(tenant=tenant).select_related("parent"):
        if org.parent is not None:
            assert org.code.startswith(org.parent.code + "-"), org.code


def test_members_have_the_categories_and_statuses_their_schemes_use(tenant):
    members = Member.objects.filter(tenant=tenant)
    village = members.filter(branch__scheme_code="s004")
    assert set(village.values_list("category", flat=True)) == {"A", "B", "C", "D"}
    school = members.filter(branch__sector="school")
    assert set(school.values_list("category", flat=True)) == {"学校"}
    assert school.filter(status=MemberStatus.ACTIVIST).count() >= 3
    assert members.filter(status=MemberStatus.PROBATIONARY).exists()
    floating = members.filter(is_floating=True)
    assert floating.count() == 2
    assert all(m.sending_organisation_name for m in floating)


def test_every_id_number_is_valid_and_stored_only_encrypted(tenant):
    for row in Member.objects.filter(tenant=tenant).values():
        assert not ID_IN_CLEAR.search(" ".join(str(v) for v in row.values())), row["name"]
        assert row["id_number_cipher"].startswith("v1:")
        number = crypto.decrypt(row["id_number_cipher"], context=ID_CONTEXT)
        assert idcard.validate(number) == number
        assert idcard.birth_date(number) == row["birth_date"]
        assert idcard.mask(number) == row["id_number_masked"]
        assert int(number[16]) % 2 == (1 if row["gender"] == "M" else 0)
        assert 1950 <= row["birth_date"].year <= 2003


def test_each_login_authenticates_with_its_printed_password(demo, tenant):
    output = demo["output"]
    usernames = re.findall(r"^\| (demo-[\w-]+)\s+\| (\S+)", output, flags=re.M)
    assert len(usernames) == 8
    for username, password in usernames:
        assert password == DEMO_PASSWORD
        user = authenticate(login_request(), username=username, password=password)
        assert user is not None, username
        assert user.is_staff == (username != "demo-member")
    member_user = authenticate(login_request(), username="demo-member", password=DEMO_PASSWORD)
    assert Member.objects.get(user=member_user).branch.code == "QS-01-01"
    roles = set(RoleGrant.objects.filter(tenant=tenant).values_list("role", flat=True))
    assert roles == {"scorekeeper", "reviewer", "group_leader", "committee", "administrator"}


def test_the_ledger_holds_a_year_of_entries_and_verifies(tenant):
    entries = LedgerEntry.objects.filter(tenant=tenant)
    members = Member.objects.filter(tenant=tenant).count()
    assert entries.count() >= 12 * members
    assert entries.filter(reverses__isnull=False).count() == 3
    assert entries.exclude(honor_key="").filter(item_code__startswith="honor_").exists()
    assert not entries.filter(item_code__startswith="honor_", honor_key="").exists()
    assert verify_tenant(tenant.pk) is None


def test_a_transfer_an_exemption_and_an_archived_period_are_there(tenant):
    transfer = MemberTransfer.objects.get(tenant=tenant)
    earned = set(
        LedgerEntry.objects.filter(member=transfer.member).values_list(
            "organisation__code", flat=True
        )
    )
    assert earned == {transfer.from_branch.code, transfer.to_branch.code}
    exemption = Exemption.objects.get(tenant=tenant)
    assert exemption.state == ExemptionState.FILED
    assert exemption.approvals.count() == 2
    assert not LedgerEntry.objects.filter(member=exemption.member).exists()
    assert Period.objects.filter(tenant=tenant, state=PeriodState.ARCHIVED).count() == 2


def test_a_second_run_adds_nothing_and_prints_the_logins(demo, tenant):
    before = (
        Organisation.objects.count(), Member.objects.count(), LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
    )  # fmt: skip
    out = io.StringIO()
    call_command("demo", stdout=out)
    after = (
        Organisation.objects.count(), Member.objects.count(), LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
    )  # fmt: skip
    assert after == before
    assert "已存在" in out.getvalue()
    assert "demo-admin" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
