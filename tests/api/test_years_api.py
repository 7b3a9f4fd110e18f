"""The year over the API (evaluate → grade → file, by `jifen.workflow.years`): the branch's
scorekeeper acts, the committee reads, others are not told the year exists."""

from __future__ import annotations

from typing import Any

import pytest

from jifen.workflow.models import YearEvaluation

pytestmark = pytest.mark.django_db


def test_sam_evaluates_grades_and_files_the_year(callers: Any, world: Any) -> None:
    base = f"/api/years/{world.personas.branch_a.pk}/2025"
    assert callers.sam.get(base).json()["state"] == "open"
    evaluated = callers.sam.post(f"{base}/evaluate")
    assert evaluated.status_code == 200, evaluated.json()
    assert evaluated.json()["state"] == "evaluated"
    results = callers.sam.get(f"{base}/results").json()["items"]
    assert [r["member_name"] for r in results] == ["王爱丽"]
    graded = callers.sam.post(f"{base}/grade", {"award_quota": 20})
    assert graded.json()["state"] == "graded"
    lists = callers.carol.get(f"{base}/lists", kind="probationary").json()
    assert lists["count"] == 0  # Alice is a full member
    mine = callers.alice.get("/api/me/years").json()["items"]
    assert [(y["year"], y["grade"]) for y in mine] == [(2025, results[0]["grade"])]
    assert callers.sam.post(f"{base}/file").json()["state"] == "filed"
    again = callers.sam.post(f"{base}/file")
    assert again.status_code == 422
    assert "已上报" in again.json()["detail"]


def test_a_year_not_yet_over_is_refused(callers: Any, world: Any) -> None:
    response = callers.sam.post(f"/api/years/{world.personas.branch_a.pk}/2099/evaluate")
    assert response.status_code == 422
    assert "尚未结束" in response.json()["detail"]
    assert not YearEvaluation.objects.exists()


def test_the_committee_reads_but_does_not_act(callers: Any, world: Any) -> None:
    base = f"/api/years/{world.personas.branch_a.pk}/2025"
    assert callers.carol.get(base).json()["may_act"] is False
    assert callers.carol.post(f"{base}/evaluate").status_code == 403
    assert not YearEvaluation.objects.exists()


def test_others_are_not_told_the_year_exists(callers: Any, world: Any) -> None:
    base = f"/api/years/{world.personas.branch_a.pk}/2025"
    for persona in ("alice", "bob", "adam"):
        assert callers[persona].get(base).status_code == 404
        assert callers[persona].post(f"{base}/evaluate").status_code == 404
    assert callers.sam.get(f"/api/years/{world.personas.branch_a.pk}/1999").status_code == 422


def test_the_appraisal_is_recorded_once(callers: Any, world: Any) -> None:
    base = f"/api/years/{world.personas.branch_a.pk}/2025"
    body = {
        "occurred_on": "2025-12-20",
        "results": [{"member_id": world.personas.alice.pk, "rating": "excellent"}],
    }
    first = callers.sam.post(f"{base}/appraisal", body)
    assert first.status_code == 200, first.json()
    assert first.json()["changed"] == 1
    assert callers.sam.post(f"{base}/appraisal", body).json()["changed"] == 0  # another key
    outside = callers.sam.post(f"{base}/appraisal", {**body, "occurred_on": "2024-12-20"})
    assert outside.status_code == 422
    assert callers.carol.post(f"{base}/appraisal", body).status_code == 403


def test_handling_is_only_for_the_unqualified_list(callers: Any, world: Any) -> None:
    from jifen.members.services import create_member

    create_member(
        actor=None, branch=world.personas.branch_a, name="预备甲", gender="M",
        status="probationary",
    )  # fmt: skip
    base = f"/api/years/{world.personas.branch_a.pk}/2025"
    callers.sam.post(f"{base}/evaluate")
    callers.sam.post(f"{base}/grade", {})
    rows = callers.sam.get(f"{base}/lists", kind="probationary").json()["items"]
    assert [r["member_name"] for r in rows] == ["预备甲"]
    response = callers.sam.post(
        f"{base}/lists/{rows[0]['id']}/handling", {"handling": "correct", "helper": "王书记"}
    )
    assert response.status_code == 422
    assert "不合格" in response.json()["detail"]
    assert (
        callers.bob.post(
            f"{base}/lists/{rows[0]['id']}/handling", {"handling": "remove"}
        ).status_code
        == 404
    )


def test_sam_decides_the_handling_of_an_unqualified_member(callers: Any, world: Any) -> None:
    p = world.personas
    callers.sam.post(
        "/api/ledger/entries",
        {"branch_id": p.branch_a.pk, "member_ids": [p.alice.pk], "item_code": "veto_discipline",
         "occurred_on": "2025-06-01", "reason": "受党纪处分"},
    )  # fmt: skip
    base = f"/api/years/{p.branch_a.pk}/2025"
    callers.sam.post(f"{base}/evaluate")
    callers.sam.post(f"{base}/grade", {})
    rows = callers.sam.get(f"{base}/lists", kind="unqualified").json()["items"]
    assert [r["member_name"] for r in rows] == ["王爱丽"]
    path = f"{base}/lists/{rows[0]['id']}/handling"
    no_helper = callers.sam.post(path, {"handling": "correct"})
    assert no_helper.status_code == 422
    assert "帮教人" in no_helper.json()["detail"]
    decided = callers.sam.post(path, {"handling": "correct", "helper": "王书记"})
    assert decided.json()["handling"] == "correct"
    assert decided.json()["handling_helper"] == "王书记"
    assert callers.carol.post(path, {"handling": "remove"}).status_code == 403


def test_the_years_list_shows_who_may_act(callers: Any, world: Any) -> None:
    base = f"/api/years/{world.personas.branch_a.pk}/2025"
    callers.sam.post(f"{base}/evaluate")
    mine = callers.sam.get("/api/years").json()["items"]
    assert [(y["year"], y["branch_name"], y["may_act"]) for y in mine] == [(2025, "甲支部", True)]
    read = callers.carol.get("/api/years", year=2025).json()["items"]
    assert [y["may_act"] for y in read] == [False]
    assert callers.bob.get("/api/years").json()["count"] == 0
    assert callers.carol.get("/api/years", year=2024).json()["count"] == 0
