"""Meetings over the API, by the meeting pages' services: create, attendance, the entries
it prescribes posted once; other branches' meetings are not disclosed."""

from __future__ import annotations

from typing import Any

import pytest

from jifen.ledger.models import LedgerEntry, Source
from jifen.meetings.models import Meeting

pytestmark = pytest.mark.django_db


def meeting_body(personas: Any, **fields: Any) -> dict[str, Any]:
    return {"branch_id": personas.branch_a.pk, "kind": "theme_day", "held_on": "2025-05-10",
            "title": "五月主题党日", **fields}  # fmt: skip


def test_a_meeting_from_creation_to_its_entries(callers: Any, personas: Any) -> None:
    created = callers.sam.post("/api/meetings", meeting_body(personas))
    assert created.status_code == 201
    meeting_id = created.json()["id"]
    sheet = callers.sam.get(f"/api/meetings/{meeting_id}/attendance").json()
    assert [(r["name"], r["status"]) for r in sheet["items"]] == [("王爱丽", None)]
    saved = callers.sam.post(
        f"/api/meetings/{meeting_id}/attendance",
        {"attendance": [{"member_id": personas.alice.pk, "status": "absent"}]},
    )
    assert saved.json() == {"changed": 1}
    posted = callers.sam.post(f"/api/meetings/{meeting_id}/post")
    assert posted.json() == {"posted": 1, "reversed": 0}
    again = callers.sam.post(f"/api/meetings/{meeting_id}/post")
    assert again.json() == {"posted": 0, "reversed": 0}  # already in line with attendance
    entries = callers.sam.get(f"/api/meetings/{meeting_id}/entries").json()["items"]
    assert [(e["item_code"], e["points"], e["source"]) for e in entries] == [
        ("study_absent", "-1.00", Source.ATTENDANCE)
    ]
    listed = callers.sam.get("/api/meetings", kind="theme_day").json()["items"]
    assert [(m["id"], m["absent"]) for m in listed] == [(meeting_id, 1)]


def test_a_meeting_in_the_future_is_refused(callers: Any, personas: Any) -> None:
    response = callers.sam.post("/api/meetings", meeting_body(personas, held_on="2999-01-01"))
    assert response.status_code == 422
    assert "晚于今天" in response.json()["detail"]
    assert not Meeting.objects.exists()


def test_an_unknown_kind_is_refused_by_the_schema(callers: Any, personas: Any) -> None:
    response = callers.sam.post("/api/meetings", meeting_body(personas, kind="party"))
    assert response.status_code == 422
    assert "kind" in response.json()["detail"]


def test_bob_cannot_keep_branch_a_meetings(callers: Any, personas: Any) -> None:
    assert callers.bob.post("/api/meetings", meeting_body(personas)).status_code == 404
    meeting_id = callers.sam.post("/api/meetings", meeting_body(personas)).json()["id"]
    assert callers.bob.get(f"/api/meetings/{meeting_id}").status_code == 404
    assert callers.bob.get(f"/api/meetings/{meeting_id}/attendance").status_code == 404
    refused = callers.bob.post(
        f"/api/meetings/{meeting_id}/attendance",
        {"attendance": [{"member_id": personas.alice.pk, "status": "absent"}]},
    )
    assert refused.status_code == 404
    assert callers.bob.post(f"/api/meetings/{meeting_id}/post").status_code == 404
    assert callers.bob.get("/api/meetings").json()["count"] == 0
    assert not LedgerEntry.objects.exists()


def test_posting_before_attendance_says_why(callers: Any, personas: Any) -> None:
    meeting_id = callers.sam.post("/api/meetings", meeting_body(personas)).json()["id"]
    response = callers.sam.post(f"/api/meetings/{meeting_id}/post")
    assert response.status_code == 422
    assert "考勤" in response.json()["detail"]
