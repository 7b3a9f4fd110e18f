"""The ledger over the API: list with filters and pages, register for one or many
members through `post_entries`, reverse an entry; no query per row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jifen.ledger.models import LedgerEntry, Source
from jifen.ledger.services import open_period
from jifen.members.services import create_member

pytestmark = pytest.mark.django_db


def registration(branch: Any, member_ids: list[int], **fields: Any) -> dict[str, Any]:
    """An attendance deduction of s002 (a fixed item, -1) on 20 May 2025."""
    return {"branch_id": branch.pk, "member_ids": member_ids, "item_code": "service_activity",
            "occurred_on": "2025-05-20", "reason": "未参加主题党日", **fields}  # fmt: skip


def test_sam_registers_one_item_for_many_members(callers: Any, personas: Any) -> None:
    colleague = create_member(actor=None, branch=personas.branch_a, name="张同事", gender="M")
    body = registration(personas.branch_a, [personas.alice.pk, colleague.pk])
    response = callers.sam.post("/api/ledger/entries", body)
    assert response.status_code == 201
    answer = response.json()
    assert answer["count"] == 2
    assert answer["points"] == "-1.00"
    assert sorted(e["member_name"] for e in answer["entries"]) == ["张同事", "王爱丽"]
    assert all(e["source"] == Source.REGISTRATION for e in answer["entries"])
    assert all(e["points"] == "-1.00" for e in answer["entries"])
    assert LedgerEntry.objects.count() == 2


def test_the_pages_rules_refuse_with_their_reason(callers: Any, personas: Any) -> None:
    unknown = callers.sam.post(
        "/api/ledger/entries",
        registration(personas.branch_a, [personas.alice.pk], item_code="nope"),
    )
    assert unknown.status_code == 422
    assert "nope" in unknown.json()["detail"]
    other_branch = callers.sam.post(
        "/api/ledger/entries", registration(personas.branch_a, [personas.member_b.pk])
    )
    assert other_branch.status_code == 422
    assert "不属于" in other_branch.json()["detail"]
    no_reason = registration(personas.branch_a, [personas.alice.pk], reason="")
    assert callers.sam.post("/api/ledger/entries", no_reason).status_code == 422
    assert LedgerEntry.objects.count() == 0


def test_bob_cannot_register_for_branch_a(callers: Any, personas: Any) -> None:
    body = registration(personas.branch_a, [personas.alice.pk])
    response = callers.bob.post("/api/ledger/entries", body)
    assert response.status_code == 404
    assert "甲支部" not in response.content.decode() and "王爱丽" not in response.content.decode()
    assert LedgerEntry.objects.count() == 0


def test_an_entry_in_an_archived_period_is_refused(callers: Any, world: Any) -> None:
    p = world.personas
    body = registration(p.branch_a, [p.alice.pk], occurred_on="2025-02-01")
    response = callers.sam.post("/api/ledger/entries", body)
    assert response.status_code == 422
    assert "已归档" in response.json()["detail"]


def test_the_list_filters_by_period_item_and_source(callers: Any, world: Any) -> None:
    p = world.personas
    q2 = open_period(
        actor=None, organisation=p.branch_a, label="2025-Q2",
        starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2025, 6, 30),
    )  # fmt: skip
    callers.sam.post("/api/ledger/entries", registration(p.branch_a, [p.alice.pk]))
    everything = callers.sam.get("/api/ledger/entries").json()
    assert everything["count"] == 2
    in_q1 = callers.sam.get("/api/ledger/entries", period=world.period.pk).json()
    assert [e["source"] for e in in_q1["items"]] == ["declaration"]
    in_q2 = callers.sam.get("/api/ledger/entries", period=q2.pk).json()
    assert [e["source"] for e in in_q2["items"]] == ["registration"]
    by_source = callers.sam.get("/api/ledger/entries", source="registration").json()
    assert by_source["count"] == 1
    assert callers.sam.get("/api/ledger/entries", item="nothing").json()["count"] == 0
    assert callers.alice.get("/api/ledger/entries").json()["count"] == 2  # her own
    assert callers.bob.get("/api/ledger/entries").json()["count"] == 0


def many(personas: Any, count: int) -> list[int]:
    return [
        create_member(actor=None, branch=personas.branch_a, name=f"甲{n}", gender="F").pk
        for n in range(count)
    ]


def test_pages_are_bounded(callers: Any, personas: Any) -> None:
    body = registration(personas.branch_a, many(personas, 5))
    callers.sam.post("/api/ledger/entries", body)
    page = callers.sam.get("/api/ledger/entries", page=2, page_size=2).json()
    assert page["count"] == 5
    assert len(page["items"]) == 2
    assert callers.sam.get("/api/ledger/entries", page_size=100000).status_code == 422


def test_the_list_is_a_fixed_number_of_queries(
    callers: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    callers.sam.post("/api/ledger/entries", registration(personas.branch_a, many(personas, 30)))
    with django_assert_max_num_queries(12):
        page = callers.sam.get("/api/ledger/entries", page_size=30)
    assert len(page.json()["items"]) == 30


def test_sam_reverses_an_entry_once(callers: Any, personas: Any) -> None:
    body = registration(personas.branch_a, [personas.alice.pk])
    posted = callers.sam.post("/api/ledger/entries", body)
    original = posted.json()["entries"][0]
    path = f"/api/ledger/entries/{original['id']}/reverse"
    reversal = callers.sam.post(path, {"reason": "重复登记"})
    assert reversal.status_code == 201
    assert reversal.json()["reverses_id"] == original["id"]
    assert reversal.json()["points"] == "1.00" and original["points"] == "-1.00"
    twice = callers.sam.post(path, {"reason": "再冲一次"})
    assert twice.status_code == 422
    assert "已经冲正" in twice.json()["detail"]
    assert callers.bob.post(path, {"reason": "越权"}).status_code == 404
    assert LedgerEntry.objects.count() == 2
