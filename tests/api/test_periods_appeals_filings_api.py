"""The period flow, appeals and filings over the API, by the pages' services: summarise,
publicise, an appeal in the window, archive after it, file, and the committee's answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from jifen.ledger.models import LedgerEntry, Period
from jifen.ledger.services import open_period
from jifen.workflow.models import Appeal, FilingReview
from jifen.workflow.services import publicise_period, summarise_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def q2(world: Any) -> Period:
    """2025-Q2 of branch A, open, holding Alice's pending declaration once approved."""
    return open_period(
        actor=None, organisation=world.personas.branch_a, label="2025-Q2",
        starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2025, 6, 30),
    )  # fmt: skip


def test_summarise_and_publicise_then_alice_appeals_and_sam_upholds(
    callers: Any, world: Any, q2: Period
) -> None:
    callers.sam.post(f"/api/declarations/{world.pending.pk}/approve", {})
    summarised = callers.sam.post(f"/api/periods/{q2.pk}/summarise")
    assert summarised.status_code == 200
    assert summarised.json()["state"] == "summarised"
    results = callers.sam.get(f"/api/periods/{q2.pk}/results").json()
    assert [r["member_name"] for r in results["items"] if r["total"] is not None] != []
    published = callers.sam.post(f"/api/periods/{q2.pk}/publicise", {"days": 3})
    assert published.json()["publicity_starts_on"] == timezone.localdate().isoformat()
    # Alice sees the result on her card and appeals inside the window.
    card = callers.alice.get("/api/me/card").json()
    assert card["items"][0]["period"] == "2025-Q2" and card["items"][0]["appeal_open"] is True
    filed = callers.alice.post("/api/appeals", {"period_id": q2.pk, "reason": "漏记一次活动"})
    assert filed.status_code == 201
    appeal_id = filed.json()["id"]
    assert callers.sam.get("/api/appeals/to-handle").json()["count"] == 1
    assert callers.sam.post(f"/api/appeals/{appeal_id}/investigate").json()["state"] == (
        "investigating"
    )
    half = callers.sam.post(f"/api/appeals/{appeal_id}/uphold", {"reason": "属实", "points": "2"})
    assert half.status_code == 422
    assert "同时" in half.json()["detail"]
    upheld = callers.sam.post(
        f"/api/appeals/{appeal_id}/uphold",
        {"reason": "属实", "item_code": "service_activity", "points": "-1"},
    )
    assert upheld.status_code == 200, upheld.json()
    assert upheld.json()["state"] == "upheld"
    assert LedgerEntry.objects.filter(pk=upheld.json()["correction_id"]).exists()
    # The window is still open: archiving is refused with the reason.
    refused = callers.sam.post(f"/api/periods/{q2.pk}/archive")
    assert refused.status_code == 422
    assert "期满后" in refused.json()["detail"]


def test_archive_file_and_the_committee_accepts(callers: Any, world: Any, q2: Period) -> None:
    sam = world.personas.sam
    summarise_period(actor=sam, period=q2, today=dt.date(2025, 7, 2))
    publicise_period(actor=sam, period=q2, today=dt.date(2025, 7, 3))
    assert callers.sam.post(f"/api/periods/{q2.pk}/archive").json()["state"] == "archived"
    filed = callers.sam.post(f"/api/periods/{q2.pk}/file")
    assert filed.status_code == 201
    filing_id = filed.json()["filing_id"]
    waiting = callers.carol.get("/api/filings", state="submitted").json()
    assert {f["id"] for f in waiting["items"]} == {world.filing.pk, filing_id}
    accepted = callers.carol.post(f"/api/filings/{filing_id}/accept")
    assert accepted.json()["state"] == "accepted"
    again = callers.carol.post(f"/api/filings/{filing_id}/accept")
    assert again.status_code == 422


def test_carol_returns_a_filing_with_a_reason(callers: Any, world: Any) -> None:
    path = f"/api/filings/{world.filing.pk}/return"
    assert callers.carol.post(path, {"reason": ""}).status_code == 422
    returned = callers.carol.post(path, {"reason": "请补充说明"})
    assert returned.json()["state"] == "returned"
    assert FilingReview.objects.get(pk=world.filing.pk).reason == "请补充说明"


def test_only_the_committee_sees_filings(callers: Any, world: Any) -> None:
    # Lists answer with what one's scope holds: nothing, for the branch's scorekeeper.
    assert callers.sam.get("/api/filings").json()["count"] == 0
    assert callers.bob.get(f"/api/filings/{world.filing.pk}").status_code == 404
    assert callers.bob.post(f"/api/filings/{world.filing.pk}/accept").status_code == 404


def test_steps_out_of_order_say_why(callers: Any, world: Any, q2: Period) -> None:
    response = callers.sam.post(f"/api/periods/{q2.pk}/archive")
    assert response.status_code == 422
    assert response.json()["detail"]
    assert callers.sam.post(f"/api/periods/{q2.pk}/publicise", {"days": 0}).status_code == 422


def test_bob_cannot_run_branch_a_periods(callers: Any, world: Any, q2: Period) -> None:
    assert callers.bob.get(f"/api/periods/{q2.pk}").status_code == 404
    assert callers.bob.post(f"/api/periods/{q2.pk}/summarise").status_code == 404
    assert callers.bob.get("/api/periods").json()["count"] == 0
    q2.refresh_from_db()
    assert q2.state == "open"


def test_the_period_list_filters(callers: Any, world: Any, q2: Period) -> None:
    assert callers.sam.get("/api/periods").json()["count"] == 2
    assert [p["label"] for p in callers.sam.get("/api/periods", state="open").json()["items"]] == [
        "2025-Q2"
    ]


def test_an_appeal_outside_the_window_is_refused(callers: Any, world: Any) -> None:
    response = callers.alice.post("/api/appeals", {"period_id": world.period.pk, "reason": "再议"})
    assert response.status_code == 422
    assert Appeal.objects.count() == 1


def test_alice_escalates_a_dismissal_once(callers: Any, world: Any) -> None:
    path = f"/api/appeals/{world.appeal.pk}/escalate"
    response = callers.alice.post(path, {"reason": "请上级复核"})
    # Dismissed on 6 April 2025: the escalation window is long over today.
    assert response.status_code == 422
    assert callers.bob.post(path, {"reason": "x"}).status_code == 403
    mine = callers.alice.get("/api/appeals/mine").json()
    assert [a["id"] for a in mine["items"]] == [world.appeal.pk]


def test_bob_cannot_see_or_handle_alices_appeal(callers: Any, world: Any) -> None:
    assert callers.bob.get(f"/api/appeals/{world.appeal.pk}").status_code == 404
    path = f"/api/appeals/{world.appeal.pk}/dismiss"
    assert callers.bob.post(path, {"reason": "x"}).status_code == 404
