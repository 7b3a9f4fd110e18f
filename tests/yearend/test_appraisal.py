"""The democratic appraisal as a service: where the scheme counts it, it is a ledger entry;
a change reverses the old entry; the same form twice writes once; bad input writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from jifen.core.models import AuditEvent
from jifen.engine import load_scheme
from jifen.ledger.models import LedgerEntry
from jifen.orgs.services import create_organisation, grant_role
from jifen.workflow.machine import WorkflowForbidden, WorkflowRefused
from jifen.workflow.models import AppraisalRating, YearAppraisal
from jifen.workflow.years import (
    AppraisalInput,
    appraisal_mode,
    evaluate_year,
    record_appraisal,
)

from .conftest import NEXT_YEAR, member

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 12, 20)


@pytest.fixture
def residents(personas: Any) -> Any:
    """A s001 branch (十二分制: 民主评议确定为基本合格 −6) run by Sam."""
    branch = create_organisation(
        actor=None, name="居委会支部", code="D-1-R", kind="branch", parent=personas.committee,
        sector="community", scheme_code="s001",
    )  # fmt: skip
    grant_role(actor=None, user=personas.sam, role="scorekeeper", organisation=branch)
    branch.people = [member(branch, "赵一"), member(branch, "赵二")]
    return branch


def appraise(personas: Any, branch: Any, key: uuid.UUID | None = None, **by_name: Any) -> int:
    people = {p.name: p for p in branch.people}
    inputs = [AppraisalInput(member_id=people[name].pk, **value) for name, value in by_name.items()]
    _, changed = record_appraisal(
        actor=personas.sam, branch=branch, year=2025, results=inputs, occurred_on=DAY,
        form_key=key or uuid.uuid4(), today=NEXT_YEAR,
    )  # fmt: skip
    return changed


def effective(branch: Any) -> dict[str, Decimal]:
    """Per member, the appraisal points left in the ledger after reversals."""
    sums: dict[str, Decimal] = {}
    for entry in LedgerEntry.objects.filter(organisation=branch).select_related("member"):
        sums[entry.member.name] = sums.get(entry.member.name, Decimal(0)) + entry.points
    return sums


def test_which_schemes_count_the_appraisal_and_how() -> None:
    assert appraisal_mode(load_scheme("s000b")).score_item.code == "annual_appraisal"
    assert set(appraisal_mode(load_scheme("s001")).rating_items) == {AppraisalRating.BASIC}
    assert not appraisal_mode(load_scheme("s002")).counts


def test_a_basic_rating_costs_six_points_and_a_change_reverses_it(personas, residents) -> None:
    basic, qualified = {"rating": AppraisalRating.BASIC}, {"rating": AppraisalRating.QUALIFIED}
    assert appraise(personas, residents, 赵一=basic, 赵二=qualified) == 2
    assert effective(residents) == {"赵一": Decimal("-6")}
    key = uuid.uuid4()
    assert appraise(personas, residents, key, 赵一=qualified, 赵二=qualified) == 1
    assert appraise(personas, residents, key, 赵一=qualified, 赵二=qualified) == 0  # again
    assert effective(residents) == {"赵一": Decimal("0")}
    assert LedgerEntry.objects.filter(organisation=residents).count() == 2
    assert YearAppraisal.objects.get(member__name="赵一").entry is None
    evaluation = evaluate_year(actor=personas.sam, branch=residents, year=2025, today=NEXT_YEAR)
    assert evaluation.snapshot.results.get(member__name="赵一").total == Decimal("12")
    assert AuditEvent.objects.filter(action="year.appraisal").count() == 2


def test_an_emptied_row_clears_the_appraisal(personas, village) -> None:
    appraise(personas, village, 张一={"points": Decimal("90")})
    appraise(personas, village, 张一={})
    assert not YearAppraisal.objects.exists()
    assert effective(village) == {"张一": Decimal("0")}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"points": Decimal("100.5")}, "应在 0 至 100 之间"),
        ({"points": Decimal("-1")}, "应在 0 至 100 之间"),
        ({"points": Decimal("9.999")}, "两位小数"),
        ({"rating": "great"}, "评议结果“great”无效"),
    ],
)
def test_bad_appraisals_are_refused_and_nothing_is_written(personas, village, value, message):
    with pytest.raises(WorkflowRefused, match=message):
        appraise(personas, village, 张一=value)
    assert not LedgerEntry.objects.exists() and not YearAppraisal.objects.exists()


def test_points_are_refused_where_the_scheme_does_not_score_the_appraisal(personas, residents):
    with pytest.raises(WorkflowRefused, match="不以分数计入民主评议"):
        appraise(personas, residents, 赵一={"points": Decimal("80")})


def test_the_date_must_lie_in_the_year_and_the_member_in_the_branch(personas, village) -> None:
    one = village.people[0]
    with pytest.raises(WorkflowRefused, match="应在 2025 年内"):
        record_appraisal(
            actor=personas.sam, branch=village, year=2025, occurred_on=dt.date(2026, 1, 2),
            results=[AppraisalInput(member_id=one.pk, points=Decimal(1))],
            form_key=uuid.uuid4(), today=NEXT_YEAR,
        )  # fmt: skip
    with pytest.raises(WorkflowRefused, match="不属于白沙村支部"):
        record_appraisal(
            actor=personas.sam, branch=village, year=2025, occurred_on=DAY,
            results=[AppraisalInput(member_id=personas.alice.pk, points=Decimal(1))],
            form_key=uuid.uuid4(), today=NEXT_YEAR,
        )  # fmt: skip
    assert not LedgerEntry.objects.exists()


def test_bob_cannot_record_branch_a_appraisal(personas, village) -> None:
    with pytest.raises(WorkflowForbidden):
        record_appraisal(
            actor=personas.bob, branch=village, year=2025, occurred_on=DAY,
            results=[AppraisalInput(member_id=village.people[0].pk, points=Decimal(1))],
            form_key=uuid.uuid4(), today=NEXT_YEAR,
        )  # fmt: skip
    assert not LedgerEntry.objects.exists()
