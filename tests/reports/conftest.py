"""Branch A and B's year 2025, evaluated and graded, for the report tests.

Branch A (s002; quarters averaged; 优秀 ≥ 98, 良好 ≥ 95, 合格 ≥ 92, else 不合格):
- 王爱丽 (Alice): no deductions (100);
- 张三: −10 in Q1 (97.5, 良好), and a −1 entry reversed (counts nothing);
- =HYPERLINK("x"): −15 in Q1 (96.25, 良好); +1 and @SUM: no deductions (100);
- -1: a discipline veto (0, 不合格, on the talk list);
- 李四: exempt for the year (filed by Carol).
Branch B: 李乙 (100) and 赵六 (−10 in Q1, 97.5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from helpers.ledger import draft
from jifen.ledger.models import LedgerEntry
from jifen.ledger.services import post_entry, reverse_entry
from jifen.members.services import create_member, decide_exemption, request_exemption
from jifen.workflow.models import YearEvaluation
from jifen.workflow.services import evaluate_year, grade_year

EVIL = ('=HYPERLINK("x")', "+1", "-1", "@SUM")
NEXT_YEAR = dt.date(2026, 1, 5)


@dataclass
class ReportWorld:
    personas: Any
    people: dict[str, Any]
    year_a: YearEvaluation
    year_b: YearEvaluation
    reversed_entry: LedgerEntry


def member(branch: Any, name: str, **extra: Any) -> Any:
    return create_member(actor=None, branch=branch, name=name, gender="M", **extra)


def build_world(personas: Any) -> ReportWorld:
    a, b = personas.branch_a, personas.branch_b
    people = {"alice": personas.alice, "li_yi": personas.member_b}
    people["zhang"] = member(a, "张三")
    for name in EVIL:
        people[name] = member(a, name)
    people["li_si"] = member(a, "李四")
    people["zhao"] = member(b, "赵六")
    post_entry(
        actor=None, draft=draft(people["zhang"], item="perf_delay_daily", points="-10", month=2)
    )
    mistake = post_entry(
        actor=None, draft=draft(people["zhang"], item="study_absent", points="-1", month=3)
    )
    reversal = reverse_entry(actor=personas.sam, entry=mistake, reason="误记，当天请假")
    post_entry(
        actor=None, draft=draft(people[EVIL[0]], item="perf_delay_key", points="-15", month=2)
    )
    post_entry(actor=None, draft=draft(people["-1"], item="veto_discipline", points="0", month=6))
    post_entry(
        actor=None, draft=draft(people["zhao"], item="perf_delay_daily", points="-10", month=2)
    )
    exemption = request_exemption(
        actor=personas.sam, member=people["li_si"], reason="年老体弱", starts_on=dt.date(2025, 1, 1)
    )
    decide_exemption(actor=personas.sam, exemption=exemption, level="branch", approve=True)
    decide_exemption(actor=personas.carol, exemption=exemption, level="committee", approve=True)
    years = []
    for branch, keeper in ((a, personas.sam), (b, personas.bob)):
        evaluation = evaluate_year(actor=keeper, branch=branch, year=2025, today=NEXT_YEAR)
        years.append(grade_year(actor=keeper, evaluation=evaluation))
    assert reversal.reverses_id == mistake.pk
    return ReportWorld(personas, people, years[0], years[1], mistake)


@pytest.fixture
def report_world(personas: Any) -> ReportWorld:
    return build_world(personas)
