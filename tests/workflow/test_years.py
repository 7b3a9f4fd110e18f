"""The year: evaluated once it ended, graded with its lists filled from the snapshot, filed.

Branch A (s002, quarters averaged; 优秀 ≥ 98, 良好 ≥ 95, 合格 ≥ 92, else 不合格):
Alice, Ann and Andy have no deductions (100); Dora lost 10 in Q1 (97.5, 良好); Paul, a
probationary member, lost 15 in Q1 and Q2 (92.5, 合格); Victor broke discipline (veto: 0).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from helpers.ledger import draft
from jifen.ledger.services import post_entry
from jifen.members.models import MemberStatus
from jifen.members.services import create_member
from jifen.orgs.services import create_organisation, grant_role
from jifen.workflow.models import Notification
from jifen.workflow.selectors import year_list
from jifen.workflow.services import (
    WorkflowForbidden,
    WorkflowRefused,
    evaluate_year,
    file_year,
    grade_year,
)
from jifen.workflow.states import NotificationKind, YearListKind, YearState

from .conftest import counts

NEXT_YEAR = dt.date(2026, 1, 5)


def member(branch: Any, name: str, **extra: Any) -> Any:
    return create_member(actor=None, branch=branch, name=name, gender="M", **extra)


@pytest.fixture
def year_2025(personas) -> dict[str, Any]:
    branch = personas.branch_a
    people = {
        "alice": personas.alice,
        "ann": member(branch, "安妮"),
        "andy": member(branch, "安迪"),
        "dora": member(branch, "朵拉"),
        "paul": member(branch, "保罗", status=MemberStatus.PROBATIONARY),
        "victor": member(
            branch, "维克多", user=get_user_model().objects.create_user("victor", password="x")
        ),
    }
    entries = [
        draft(people["dora"], item="perf_delay_daily", points="-10", month=2),
        draft(people["paul"], item="perf_delay_key", points="-15", month=2),
        draft(people["paul"], item="perf_delay_key", points="-15", month=5),
        draft(people["victor"], item="veto_discipline", points="0", month=6),
    ]
    for entry in entries:
        post_entry(actor=None, draft=entry)
    return people


def names(evaluation: Any, kind: str) -> list[str]:
    return [row.member.name for row in year_list(evaluation, kind)]


def test_a_year_is_evaluated_graded_and_filed(personas, year_2025) -> None:
    evaluation = evaluate_year(
        actor=personas.sam, branch=personas.branch_a, year=2025, today=NEXT_YEAR
    )
    assert evaluation.state == YearState.EVALUATED
    assert evaluation.snapshot.period == "2025"
    graded = grade_year(actor=personas.sam, evaluation=evaluation)
    assert graded.state == YearState.GRADED and graded.award_quota_percent == 20
    assert names(graded, YearListKind.TALK) == ["维克多"]
    assert names(graded, YearListKind.UNQUALIFIED) == ["维克多"]
    assert names(graded, YearListKind.PROBATIONARY) == ["保罗"]
    assert "合格" in year_list(graded, YearListKind.PROBATIONARY).get().reason
    # Five ranked members without a veto: a 20% quota is one candidate, the best ranked.
    assert names(graded, YearListKind.AWARD) == ["王爱丽"]
    told = Notification.objects.get(kind=NotificationKind.LOW_SCORE)
    assert told.recipient.username == "victor"
    filed = file_year(actor=personas.sam, evaluation=graded)
    assert filed.state == YearState.FILED
    assert personas.carol.notifications.filter(link=f"year:{filed.pk}").exists()


def test_the_award_quota_is_configurable_and_never_exceeded(personas, year_2025) -> None:
    evaluation = evaluate_year(
        actor=personas.sam, branch=personas.branch_a, year=2025, today=NEXT_YEAR
    )
    graded = grade_year(actor=personas.sam, evaluation=evaluation, award_quota=100)
    # Everybody may be proposed, but only members with the top grade are.
    assert sorted(names(graded, YearListKind.AWARD)) == sorted(["王爱丽", "安妮", "安迪"])


def test_a_year_is_evaluated_only_after_it_ends(personas, year_2025) -> None:
    before = counts()
    with pytest.raises(WorkflowRefused, match="尚未结束"):
        evaluate_year(
            actor=personas.sam, branch=personas.branch_a, year=2025, today=dt.date(2025, 12, 31)
        )
    assert counts() == before


def test_each_step_happens_once_and_in_order(personas, year_2025) -> None:
    evaluation = evaluate_year(
        actor=personas.sam, branch=personas.branch_a, year=2025, today=NEXT_YEAR
    )
    with pytest.raises(WorkflowRefused, match="已评定"):
        evaluate_year(actor=personas.sam, branch=personas.branch_a, year=2025, today=NEXT_YEAR)
    with pytest.raises(WorkflowRefused, match="已评定"):
        file_year(actor=personas.sam, evaluation=evaluation)
    graded = grade_year(actor=personas.sam, evaluation=evaluation)
    before = counts()
    with pytest.raises(WorkflowRefused, match="已定等次"):
        grade_year(actor=personas.sam, evaluation=evaluation)
    assert counts() == before
    assert graded.state == YearState.GRADED


def test_bob_cannot_evaluate_or_grade_branch_a(personas, year_2025) -> None:
    with pytest.raises(WorkflowForbidden):
        evaluate_year(actor=personas.bob, branch=personas.branch_a, year=2025, today=NEXT_YEAR)
    evaluation = evaluate_year(
        actor=personas.sam, branch=personas.branch_a, year=2025, today=NEXT_YEAR
    )
    with pytest.raises(WorkflowForbidden):
        grade_year(actor=personas.bob, evaluation=evaluation)


def test_without_grade_bands_the_talk_list_is_who_is_below_the_average(personas) -> None:
    village = create_organisation(
        actor=None, name="路头村支部", code="D-1-C", kind="branch", parent=personas.committee,
        sector="village", scheme_code="s004",
    )  # fmt: skip
    grant_role(actor=None, user=personas.sam, role="scorekeeper", organisation=village)
    helper, quiet = member(village, "热心"), member(village, "安静")
    post_entry(actor=None, draft=draft(helper, item="flood_control", points="3", month=7))
    evaluation = evaluate_year(actor=personas.sam, branch=village, year=2025, today=NEXT_YEAR)
    graded = grade_year(actor=personas.sam, evaluation=evaluation)
    talk = year_list(graded, YearListKind.TALK).get()
    assert talk.member == quiet
    assert "低于支部平均分" in talk.reason
