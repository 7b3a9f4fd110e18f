"""Periods: parsing requests and planning which scoring periods they evaluate."""

from __future__ import annotations

from datetime import date

import pytest

from jifen.engine import PeriodError, parse_period, period_key, plan_request
from jifen.engine.periods import PeriodKind


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-H1", "half", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-H2", "half", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("2028-02", "month", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-12", "month", date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_periods_parse_to_their_dates(text, kind, start, end) -> None:
    span = parse_period(text)
    assert (span.key, span.kind, span.start, span.end) == (text, kind, start, end)


@pytest.mark.parametrize("text", ["26", "2026-Q5", "2026-H3", "2026-13", "2026-7", "2026-q1", ""])
def test_bad_periods_are_refused(text) -> None:
    with pytest.raises(PeriodError, match="period must look like"):
        parse_period(text)


def test_a_date_falls_in_one_scoring_period_of_each_kind() -> None:
    day = date(2026, 8, 15)
    kinds: tuple[PeriodKind, ...] = ("month", "quarter", "half", "year")
    assert [period_key(kind, day) for kind in kinds] == [
        "2026-08",
        "2026-Q3",
        "2026-H2",
        "2026",
    ]


def test_a_longer_request_covers_whole_scoring_periods_and_reads_the_year_before() -> None:
    plan = plan_request("month", "2026-Q3")
    assert plan.combined and not plan.full_year and not plan.truncated
    assert [p.key for p in plan.requested] == ["2026-07", "2026-08", "2026-09"]
    # January to June are scored only to carry the year's state (honors, yearly limits).
    assert [p.key for p in plan.periods][:6] == [f"2026-{m:02d}" for m in range(1, 7)]
    assert (plan.read_from, plan.read_to) == (date(2026, 1, 1), date(2026, 9, 30))


def test_a_shorter_request_evaluates_its_scoring_period_to_the_requests_end() -> None:
    plan = plan_request("quarter", "2026-05")
    assert not plan.combined and plan.truncated
    (period,) = plan.requested
    assert (period.key, period.span.start, period.end) == (
        "2026-Q2",
        date(2026, 4, 1),
        date(2026, 5, 31),
    )
    half = plan_request("year", "2026-H1")
    assert [(p.key, p.end) for p in half.requested] == [("2026", date(2026, 6, 30))]
    whole = plan_request("half", "2026-Q2")  # the end of Q2 is the end of H1: not truncated
    assert [p.key for p in whole.requested] == ["2026-H1"] and not whole.truncated


def test_a_year_request_of_a_half_yearly_scheme_combines_both_halves() -> None:
    plan = plan_request("half", "2026")
    assert plan.combined and plan.full_year
    assert [p.key for p in plan.requested] == ["2026-H1", "2026-H2"]


def test_management_dates_overlap_periods_inclusively() -> None:
    july, august = plan_request("month", "2026-Q3").requested[:2]
    assert july.overlaps(date(2026, 7, 31), None)
    assert not july.overlaps(date(2026, 8, 1), None)
    assert august.overlaps(None, date(2026, 8, 1))
    assert not august.overlaps(None, date(2026, 7, 31))
    assert august.overlaps(None, None)
