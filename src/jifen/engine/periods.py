"""Calendar periods and the plan of an evaluation request.

A scheme scores per *scoring period* (month, quarter, half or year). A request names any
period of one year (`2026`, `2026-H1`, `2026-Q3`, `2026-07`). `plan_request` turns the pair
into a `Plan` (schemes.md, "Requests that are not one scoring period"):

- a request that is one scoring period evaluates it;
- a longer request (a quarter of a monthly scheme) evaluates every scoring period it covers
  and combines them with the scheme's annual rule (`Plan.combined`);
- a shorter request (a month of a quarterly scheme) evaluates the containing scoring period
  from its start to the end of the request.

The plan also lists the year's earlier scoring periods: they are evaluated only to carry the
year's state (honors already counted, year-scoped item limits, a yearly bonus cap) and are
not part of the result. Entries after `Plan.read_to` are never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from .errors import PeriodError, Problem

PeriodKind = Literal["month", "quarter", "half", "year"]

MONTHS: dict[PeriodKind, int] = {"month": 1, "quarter": 3, "half": 6, "year": 12}
KIND_NAMES: dict[PeriodKind, str] = {"month": "月", "quarter": "季度", "half": "半年", "year": "年"}

_PERIOD = re.compile(r"^(\d{4})(?:-(?:H([12])|Q([1-4])|(0[1-9]|1[0-2])))?$")


@dataclass(frozen=True, slots=True)
class Span:
    """One calendar period: `key` is its canonical name (`2026-Q3`), `index` 1-based."""

    key: str
    kind: PeriodKind
    year: int
    index: int
    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def span_of(kind: PeriodKind, year: int, index: int) -> Span:
    months = MONTHS[kind]
    first_month = (index - 1) * months + 1
    start = date(year, first_month, 1)
    after = (
        date(year + 1, 1, 1) if first_month + months > 12 else date(year, first_month + months, 1)
    )
    key = {
        "month": f"{year}-{index:02d}",
        "quarter": f"{year}-Q{index}",
        "half": f"{year}-H{index}",
        "year": f"{year}",
    }[kind]
    return Span(key, kind, year, index, start, after - timedelta(days=1))


def spans_of_year(kind: PeriodKind, year: int) -> list[Span]:
    return [span_of(kind, year, index) for index in range(1, 12 // MONTHS[kind] + 1)]


def span_containing(kind: PeriodKind, day: date) -> Span:
    return span_of(kind, day.year, (day.month - 1) // MONTHS[kind] + 1)


def period_key(kind: PeriodKind, day: date) -> str:
    """The key of the scoring period of `kind` that `day` falls in (`2026-07`, `2026-Q3`)."""
    return span_containing(kind, day).key


def parse_period(text: str) -> Span:
    match = _PERIOD.match(text.strip())
    if not match:
        raise PeriodError(
            [
                Problem(
                    "--period",
                    f"期间 '{text}' 无效，应为 2026、2026-H1、2026-Q3 或 2026-07 "
                    "(period must look like 2026, 2026-H1, 2026-Q3 or 2026-07)",
                )
            ]
        )
    year = int(match.group(1))
    if match.group(2):
        return span_of("half", year, int(match.group(2)))
    if match.group(3):
        return span_of("quarter", year, int(match.group(3)))
    if match.group(4):
        return span_of("month", year, int(match.group(4)))
    return span_of("year", year, 1)


@dataclass(frozen=True, slots=True)
class PlannedPeriod:
    """A scoring period to evaluate, up to `end` (earlier than `span.end` when truncated)."""

    span: Span
    end: date
    in_request: bool

    @property
    def key(self) -> str:
        return self.span.key

    def overlaps(self, start: date | None, end: date | None) -> bool:
        """Whether management dates (open when None) overlap the evaluated part."""
        return (start is None or start <= self.end) and (end is None or end >= self.span.start)


@dataclass(frozen=True, slots=True)
class Plan:
    """What a request evaluates; see the module docstring."""

    request: Span
    scoring: PeriodKind
    periods: tuple[PlannedPeriod, ...]
    combined: bool
    full_year: bool

    @property
    def year(self) -> int:
        return self.request.year

    @property
    def read_from(self) -> date:
        return date(self.request.year, 1, 1)

    @property
    def read_to(self) -> date:
        return self.request.end

    @property
    def truncated(self) -> bool:
        """A request shorter than the scoring period: evaluated up to its end only."""
        last = self.periods[-1]
        return last.end < last.span.end

    @property
    def requested(self) -> tuple[PlannedPeriod, ...]:
        return tuple(period for period in self.periods if period.in_request)


def plan_request(scoring: PeriodKind, request: Span | str) -> Plan:
    span = parse_period(request) if isinstance(request, str) else request
    planned: list[PlannedPeriod] = []
    for scoring_span in spans_of_year(scoring, span.year):
        if scoring_span.start > span.end:
            break
        end = min(scoring_span.end, span.end)
        # A scoring period belongs to the request when the request covers it, or when it
        # is the scoring period that contains a shorter request.
        in_request = scoring_span.end >= span.start
        planned.append(PlannedPeriod(scoring_span, end, in_request))
    return Plan(
        request=span,
        scoring=scoring,
        periods=tuple(planned),
        combined=MONTHS[span.kind] > MONTHS[scoring],
        full_year=span.kind == "year",
    )
