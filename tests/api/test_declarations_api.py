"""Declarations over the API: the member declares, the scorekeeper approves with points,
rejects or returns — the same services and refusals as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jifen.ledger.models import LedgerEntry
from jifen.workflow.models import Declaration

pytestmark = pytest.mark.django_db

RANGED = {  # a discretionary item of s002 whose points the reviewer sets
    "item_code": "honor_company",
    "occurred_on": "2025-02-10",
    "description": "获公司级先进个人",
    "honor_key": "2025-先进个人",
}


def test_alice_declares_for_herself(callers: Any, personas: Any) -> None:
    response = callers.alice.post("/api/declarations", RANGED)
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "submitted"
    assert body["member_id"] == personas.alice.pk
    assert Declaration.objects.get(pk=body["id"]).created_by == personas.alice_user


def test_a_declaration_for_a_day_after_today_is_refused_in_chinese(callers: Any) -> None:
    late = {**RANGED, "occurred_on": (dt.date.today() + dt.timedelta(days=1)).isoformat()}
    response = callers.alice.post("/api/declarations", late)
    assert response.status_code == 422
    assert "晚于今天" in response.json()["detail"]
    assert Declaration.objects.count() == 0


def test_an_unknown_item_is_refused(callers: Any) -> None:
    response = callers.alice.post("/api/declarations", {**RANGED, "item_code": "no_such_item"})
    assert response.status_code == 422
    assert "no_such_item" in response.json()["detail"]


def test_a_body_the_schema_refuses_names_the_field(callers: Any) -> None:
    response = callers.alice.post("/api/declarations", {**RANGED, "requested_points": "1.234"})
    assert response.status_code == 422
    assert "requested_points" in response.json()["detail"]


def test_only_a_member_declares(callers: Any) -> None:
    response = callers.sam.post("/api/declarations", RANGED)
    assert response.status_code == 403
    assert "党员本人" in response.json()["detail"]


def test_my_declarations_and_the_review_list(callers: Any, world: Any) -> None:
    mine = callers.alice.get("/api/declarations/mine").json()
    assert mine["count"] == 2
    assert {d["state"] for d in mine["items"]} == {"approved", "submitted"}
    pending = callers.alice.get("/api/declarations/mine", state="submitted").json()
    assert [d["id"] for d in pending["items"]] == [world.pending.pk]
    waiting = callers.sam.get("/api/declarations/to-review").json()
    assert [d["id"] for d in waiting["items"]] == [world.pending.pk]
    assert callers.bob.get("/api/declarations/to-review").json()["count"] == 0


def test_sam_approves_with_the_points_he_sets(callers: Any, world: Any) -> None:
    path = f"/api/declarations/{world.pending.pk}/approve"
    response = callers.sam.post(path, {"note": "属实"})
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "approved"
    entry = LedgerEntry.objects.get(pk=body["ledger_entry_id"])
    assert body["points"] == f"{entry.points:.2f}"
    assert isinstance(body["points"], str)


def test_points_outside_the_items_rule_are_refused(callers: Any, world: Any) -> None:
    path = f"/api/declarations/{world.pending.pk}/approve"
    response = callers.sam.post(path, {"points": "99.00"})
    assert response.status_code == 422
    world.pending.refresh_from_db()
    assert world.pending.state == "submitted"


def test_reject_needs_a_reason_and_tells_the_state(callers: Any, world: Any) -> None:
    path = f"/api/declarations/{world.pending.pk}/reject"
    assert callers.sam.post(path, {"reason": ""}).status_code == 422
    assert callers.sam.post(path, {"reason": "材料不实"}).json()["state"] == "rejected"
    again = callers.sam.post(path, {"reason": "材料不实，再按一次"})
    assert again.status_code == 422
    assert "未通过" in again.json()["detail"]


def test_return_sends_it_back_to_alice(callers: Any, world: Any) -> None:
    path = f"/api/declarations/{world.pending.pk}/return"
    assert callers.sam.post(path, {"reason": "请补充证明"}).json()["state"] == "returned"


def test_bob_cannot_review_branch_a_and_nothing_is_written(callers: Any, world: Any) -> None:
    for action in ("approve", "reject", "return"):
        response = callers.bob.post(
            f"/api/declarations/{world.pending.pk}/{action}", {"reason": "x", "note": ""}
        )
        assert response.status_code == 404
    assert callers.bob.get(f"/api/declarations/{world.pending.pk}").status_code == 404
    world.pending.refresh_from_db()
    assert world.pending.state == "submitted"


def test_alice_cannot_review_her_own(callers: Any, world: Any) -> None:
    response = callers.alice.post(f"/api/declarations/{world.pending.pk}/approve", {})
    assert response.status_code == 404
    assert callers.alice.get(f"/api/declarations/{world.pending.pk}").status_code == 200


def test_schema_refusals_are_in_chinese(callers: Any) -> None:
    response = callers.alice.post(
        "/api/declarations", {**RANGED, "occurred_on": "明天", "description": ""}
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "occurred_on：应为日期" in detail
    assert "description：不能为空" in detail
    control = callers.alice.post("/api/declarations", {**RANGED, "description": "a\x00b"})
    assert "不能包含控制字符" in control.json()["detail"]
