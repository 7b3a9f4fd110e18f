"""Who may open which report: Bob (branch B) gets 404 for anything of branch A; Alice gets
her own card and nothing else; the index lists only what the user may open."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jifen.reports.catalogue import REPORTS

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_bob_gets_404_for_every_report_of_branch_a_and_of_the_committee(report_world) -> None:
    personas = report_world.personas
    bob = client_of(personas.bob)
    for org in (personas.branch_a, personas.committee):
        for slug in REPORTS:
            for view in ("", "?as=print", "?as=xlsx"):
                url = reverse(f"report_{slug}", args=[org.pk]) + view
                assert bob.get(url).status_code == 404, url
    assert bob.get(reverse("report_card", args=[personas.alice.pk])).status_code == 404
    assert bob.get(reverse("report_card", args=[personas.alice.pk]) + "?as=xlsx").status_code == 404


def test_bobs_own_reports_hold_nothing_of_branch_a(report_world) -> None:
    personas = report_world.personas
    bob = client_of(personas.bob)
    for slug in REPORTS:
        text = bob.get(reverse(f"report_{slug}", args=[personas.branch_b.pk])).content.decode()
        assert "甲支部" not in text and personas.alice.name not in text
    index = bob.get(reverse("reports_index")).content.decode()
    assert "乙支部" in index and "甲支部" not in index


def test_alice_gets_her_own_card_and_nothing_else(report_world) -> None:
    personas = report_world.personas
    alice = client_of(personas.alice_user)
    assert alice.get(reverse("report_card", args=[personas.alice.pk])).status_code == 200
    zhang = report_world.people["zhang"]
    assert alice.get(reverse("report_card", args=[zhang.pk])).status_code == 404
    assert alice.get(reverse("report_ranking", args=[personas.branch_a.pk])).status_code == 404
    index = alice.get(reverse("reports_index")).content.decode()
    assert reverse("report_card", args=[personas.alice.pk]) in index
    assert reverse("report_ranking", args=[personas.branch_a.pk]) not in index


def test_an_export_is_recorded_in_the_audit_log(report_world) -> None:
    from jifen.core.models import AuditEvent

    personas = report_world.personas
    client_of(personas.carol).get(
        reverse("report_ranking", args=[personas.committee.pk]) + "?as=xlsx"
    )
    event = AuditEvent.objects.filter(action="report.export").get()
    assert event.actor_name == "carol" and "排名" in event.summary


def test_the_administrator_sees_no_member_data_in_reports(report_world) -> None:
    personas = report_world.personas
    adam = client_of(personas.adam)
    assert "您没有可以查看的报表" in adam.get(reverse("reports_index")).content.decode()
    assert adam.get(reverse("report_ranking", args=[personas.district.pk])).status_code == 404
    assert adam.get(reverse("report_card", args=[personas.alice.pk])).status_code == 404


def test_an_unknown_or_foreign_organisation_is_not_found(report_world) -> None:
    carol = client_of(report_world.personas.carol)
    assert carol.get(reverse("report_ranking", args=[999_999])).status_code == 404
    # The district is above Carol's grant: not hers to read.
    district = report_world.personas.district
    assert carol.get(reverse("report_statistics_1", args=[district.pk])).status_code == 404
