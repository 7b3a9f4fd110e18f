"""Members (scoped, masked, viewing logged), a member's saved results, the public board
(no token, no personal data) and notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from jifen.core.models import AuditEvent
from jifen.ledger.services import open_period
from jifen.members.services import create_member
from jifen.workflow.models import Notification

pytestmark = pytest.mark.django_db


def test_the_roster_is_scoped_filtered_and_paged(callers: Any, personas: Any) -> None:
    for n in range(3):
        create_member(actor=None, branch=personas.branch_a, name=f"甲成员{n}", gender="M")
    sam = callers.sam.get("/api/members").json()
    assert sam["count"] == 4
    assert {m["branch_name"] for m in sam["items"]} == {"甲支部"}
    carol = callers.carol.get("/api/members", branch=personas.branch_b.pk).json()
    assert [m["name"] for m in carol["items"]] == ["李乙"]
    named = callers.sam.get("/api/members", name="爱丽").json()
    assert [m["name"] for m in named["items"]] == ["王爱丽"]
    page = callers.sam.get("/api/members", page=2, page_size=3).json()
    assert len(page["items"]) == 1
    assert callers.bob.get("/api/members").json()["count"] == 1
    assert callers.alice.get("/api/members").json()["count"] == 1  # herself
    assert callers.adam.get("/api/members").json()["count"] == 0


def test_the_roster_is_a_fixed_number_of_queries(
    callers: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(40):
        create_member(actor=None, branch=personas.branch_a, name=f"甲{n}", gender="F")
    with django_assert_max_num_queries(12):
        page = callers.sam.get("/api/members", page_size=50)
    assert len(page.json()["items"]) == 41


def test_member_detail_is_masked_and_the_view_is_logged(callers: Any, personas: Any) -> None:
    body = callers.sam.get(f"/api/members/{personas.alice.pk}").json()
    assert body["id_number_masked"].startswith("1101") and "*" in body["id_number_masked"]
    assert "11010519491231002X" not in str(body) and "13900001111" not in str(body)
    assert body["can_change"] is True
    assert AuditEvent.objects.filter(action="member.view_personal_data").count() == 1
    assert callers.carol.get(f"/api/members/{personas.alice.pk}").json()["can_change"] is False
    assert callers.bob.get(f"/api/members/{personas.alice.pk}").status_code == 404
    assert callers.adam.get(f"/api/members/{personas.alice.pk}").status_code == 404


def test_a_members_results_come_from_the_snapshot(callers: Any, world: Any) -> None:
    alice = world.personas.alice
    rows = callers.sam.get(f"/api/members/{alice.pk}/results").json()["items"]
    assert [r["period"] for r in rows] == ["2025-Q1"]
    filtered = callers.sam.get(f"/api/members/{alice.pk}/results", period="2025-Q2").json()
    assert filtered["count"] == 0
    assert rows[0]["total"] is None or isinstance(rows[0]["total"], str)
    assert callers.bob.get(f"/api/members/{alice.pk}/results").status_code == 404


def test_the_board_needs_no_token_and_shows_no_personal_data(world: Any) -> None:
    client = Client()
    head = client.get(f"/api/board/{world.period.pk}")
    assert head.status_code == 200
    assert head.json()["branch_name"] == "甲支部"
    rows = client.get(f"/api/board/{world.period.pk}/rows").json()
    assert [r["name"] for r in rows["items"]] == ["王爱丽"]
    grade = rows["items"][0]["grade"]
    same = client.get(f"/api/board/{world.period.pk}/rows", {"grade": grade}).json()
    assert same["count"] == 1
    none = client.get(f"/api/board/{world.period.pk}/rows", {"grade": "无此等次"}).json()
    assert none["count"] == 0
    assert set(rows["items"][0]) == {"name", "category", "total", "grade", "rank", "category_rank"}
    text = head.content.decode() + str(rows)
    assert "1101" not in text and "1390" not in text
    periods = client.get(f"/api/board/branch/{world.personas.branch_a.pk}").json()
    assert [p["period"] for p in periods["items"]] == ["2025-Q1"]


def test_an_unpublished_period_has_no_board(world: Any) -> None:
    q3 = open_period(
        actor=None, organisation=world.personas.branch_a, label="2025-Q3",
        starts_on=dt.date(2025, 7, 1), ends_on=dt.date(2025, 9, 30),
    )  # fmt: skip
    assert Client().get(f"/api/board/{q3.pk}").status_code == 404


def test_notifications_list_and_mark_read(callers: Any, world: Any) -> None:
    unread = callers.alice.get("/api/notifications", unread="true").json()
    assert unread["count"] >= 1
    first = unread["items"][0]["id"]
    marked = callers.alice.post(f"/api/notifications/{first}/read")
    assert marked.json()["read_at"] is not None
    assert callers.sam.post(f"/api/notifications/{first}/read").status_code == 404
    everything = callers.alice.post("/api/notifications/read-all")
    assert everything.json()["marked"] == unread["count"] - 1
    assert not Notification.objects.filter(
        recipient=world.personas.alice_user, read_at__isnull=True
    ).exists()
