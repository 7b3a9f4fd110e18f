"""The fast path (`jifen.engine.fast`) gives exactly `evaluate`'s results (hypothesis),
with and without its straight-line code for the common case (`fast_compiled.py`).

Random ledgers of every preset and of three test schemes that reach the rarer rules
(yearly bonus cap, honors into two targets, fractional weights, composites, annual-only
dimensions, every veto effect, negative floors) are evaluated twice: by `evaluate` over
the raw entries, and by `evaluate_sums` over the sums `sums_from_aggregates` derives from
the same entries, the shape a database reader produces.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen.engine import Entry, Member, evaluate, list_presets, load_scheme
from jifen.engine.fast import evaluate_sums, fast_path_supported
from jifen.engine.fast_convert import sums_from_aggregates, to_member_results
from jifen.engine.ledger import aggregate_entries
from jifen.engine.periods import plan_request
from jifen.engine.scheme import Item, Scheme

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fast_schemes import fast_test_schemes  # noqa: E402

SCHEMES = list_presets() + fast_test_schemes()
PERIODS = [
    "2026",
    "2026-H1",
    "2026-H2",
    *(f"2026-Q{q}" for q in range(1, 5)),
    *(f"2026-{m:02d}" for m in range(1, 13)),
]
MEMBER_IDS = ["m1", "m2", "m3", "m4", "m10", "m5"]
YEAR = st.dates(date(2026, 1, 1), date(2026, 12, 31))
LIMITS = Path(__file__).resolve().parent.parent / "scoring" / "limits.toml"


def _cents(low: Decimal, high: Decimal) -> st.SearchStrategy[Decimal]:
    return st.integers(int(low * 100), int(high * 100)).map(lambda c: Decimal(c).scaleb(-2))


def _points(item: Item) -> st.SearchStrategy[Decimal | None]:
    if item.kind == "fixed":
        return st.sampled_from([None, item.fixed_points])
    if item.kind == "range":
        assert item.min is not None and item.max is not None
        return _cents(item.min, item.max)
    if item.kind == "assessed":
        assert item.max is not None
        return _cents(Decimal(0), item.max)
    magnitude = _cents(Decimal("0.01"), item.max or Decimal(20))
    return magnitude.map(lambda v: v if item.sign == "+" else -v)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Scheme, list[Member], list[Entry], str]:
    scheme = draw(st.sampled_from(SCHEMES))
    categories = [c.code for c in scheme.categories] or ["甲", "乙"]
    members = []
    for member_id in MEMBER_IDS:
        start, end = draw(st.none() | YEAR), draw(st.none() | YEAR)
        if start and end and start > end:
            start, end = end, start
        members.append(
            Member(
                member_id,
                category=draw(st.sampled_from(categories)),
                status=draw(st.sampled_from(["", "", "", "", "", "exempt", "disqualified"])),
                managed_from=start,
                managed_to=end,
            )
        )
    vetoes = [item for item in scheme.items if item.veto]
    honors = [item for item in scheme.items if item.honor]
    others = [item for item in scheme.items if not item.veto]
    # Some ledgers have many vetoes (which one came first), most have few or none.
    veto_share = draw(st.sampled_from([0, 1, 1, 4]))
    entries = []
    for row in range(2, draw(st.integers(0, 60)) + 2):
        roll = draw(st.integers(0, 15))
        pool = (
            vetoes if roll < veto_share and vetoes else (honors if roll < 6 and honors else others)
        )
        item = draw(st.sampled_from(pool))
        entries.append(
            Entry(
                member=draw(st.sampled_from(MEMBER_IDS[:3] if roll % 2 else MEMBER_IDS)),
                occurred_on=draw(YEAR),
                item=item.code,
                points=draw(_points(item)),
                quantity=1 if item.honor else draw(st.sampled_from([1, 1, 2, 3])),
                honor_key=draw(st.sampled_from(["劳模", "标兵", "先进"])) if item.honor else "",
                row=draw(st.integers(1, 10_000)) if roll in (1, 7) else row,
            )
        )
    # The whole year (annual-only parts, composites) is the request that matters most.
    return scheme, members, entries, draw(st.sampled_from(["2026"] * 6 + PERIODS))


def comparable(results: Any) -> list[tuple[Any, ...]]:
    return [
        (
            r.member.id,
            r.total,
            r.grade,
            r.veto,
            r.rank,
            r.category_rank,
            dict(r.dimensions),
            r.bonus,
            r.deductions,
        )
        for r in results
    ]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_fast_path_gives_the_engines_results(case: Any) -> None:
    scheme, members, entries, period = case
    # Rows are unique input positions in a ledger: drop duplicated rows (tie-breaks).
    seen: set[int] = set()
    entries = [e for e in entries if e.row not in seen and not seen.add(e.row or 0)]  # type: ignore[func-returns-value]
    expected = evaluate(scheme, members, entries, period)
    plan = plan_request(scheme.scoring_period, period)
    sums, honors, vetoes = sums_from_aggregates(
        scheme, plan, aggregate_entries(scheme, members, entries, plan)
    )
    codes, results = evaluate_sums(scheme, members, plan, sums, honors, vetoes)
    assert comparable(to_member_results(codes, results)) == comparable(expected.results)
    # Without the straight-line code (`fast_compiled.py`) every member takes the generic
    # rules: the same results again.
    codes, generic = evaluate_sums(scheme, members, plan, sums, honors, vetoes, compiled=False)
    assert comparable(to_member_results(codes, generic)) == comparable(expected.results)


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.code)
def test_every_preset_and_test_scheme_takes_the_fast_path(scheme: Scheme) -> None:
    assert fast_path_supported(scheme)


def test_item_limits_need_the_full_path() -> None:
    limits = load_scheme(LIMITS)
    assert not fast_path_supported(limits)
    base = load_scheme("s002").model_dump()
    for change in (
        {"max_times": 2},
        {"cap": Decimal(3)},
    ):
        data = dict(base)
        data["items"] = [dict(base["items"][0], **change), *base["items"][1:]]
        assert not fast_path_supported(Scheme.model_validate(data))
    # An assessed honor de-duplicated by level: its cap applies after the credit.
    data = dict(base)
    honor = next(i for i in base["items"] if i["honor"])
    data["items"] = [dict(honor, kind="assessed", max=Decimal(8), points=None)] + [
        i for i in base["items"] if i["code"] != honor["code"]
    ]
    assert not fast_path_supported(Scheme.model_validate(data))


def _same(scheme: Scheme, members: list[Member], entries: list[Entry], period: str) -> None:
    plan = plan_request(scheme.scoring_period, period)
    sums, honors, vetoes = sums_from_aggregates(
        scheme, plan, aggregate_entries(scheme, members, entries, plan)
    )
    codes, results = evaluate_sums(scheme, members, plan, sums, honors, vetoes)
    expected = evaluate(scheme, members, entries, period)
    assert comparable(to_member_results(codes, results)) == comparable(expected.results)


def test_an_honor_counted_high_then_low_then_middle_adds_nothing_more() -> None:
    scheme = next(s for s in SCHEMES if s.code == "t-fast-mixed")
    days = [date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5), date(2026, 4, 5)]
    levels = ["2.5", "0.5", "1.5", "2.49"]
    entries = [
        Entry("m1", day, "silver", Decimal(level), 1, "劳模", row=i + 2)
        for i, (day, level) in enumerate(zip(days, levels, strict=True))
    ]
    entries.append(Entry("m1", date(2026, 3, 9), "gold", None, 1, "标兵", row=9))
    entries.append(Entry("m1", date(2026, 3, 9), "silver", Decimal("2.5"), 1, "标兵", row=10))
    # Equal levels of one honor in two items: the item listed first in the scheme counts.
    entries.append(Entry("m1", date(2026, 5, 9), "silver", Decimal(2), 1, "先进", row=11))
    entries.append(Entry("m1", date(2026, 5, 9), "gold", None, 1, "先进", row=12))
    for period in ("2026", "2026-04", "2026-03", "2026-H1", "2026-05"):
        _same(scheme, [Member("m1")], entries, period)


def test_the_yearly_bonus_cap_leaves_exactly_the_room_left() -> None:
    scheme = next(s for s in SCHEMES if s.code == "t-fast-mixed")
    entries = [
        Entry("m1", date(2026, 1, 5), "extra", Decimal("3.49"), row=2),
        Entry("m1", date(2026, 2, 5), "extra", Decimal("0.02"), row=3),
        Entry("m1", date(2026, 3, 5), "extra", Decimal("0.01"), row=4),
    ]
    for period in ("2026", "2026-Q1", "2026-03"):
        _same(scheme, [Member("m1")], entries, period)


def test_the_earliest_veto_is_by_date_then_row() -> None:
    scheme = load_scheme("s002")
    entries = [
        Entry("m1", date(2026, 3, 10), "veto_safety", row=2),
        Entry("m1", date(2026, 3, 3), "veto_discipline", row=9),
        Entry("m1", date(2026, 5, 1), "veto_negative_news", row=1),
        Entry("m2", date(2026, 3, 3), "veto_discipline", row=5),
        Entry("m2", date(2026, 3, 3), "veto_safety", row=4),
    ]
    for period in ("2026", "2026-Q1", "2026-H1"):
        _same(scheme, [Member("m1"), Member("m2")], entries, period)


def test_an_annual_veto_clears_the_annual_dimension_and_a_period_veto_the_period_one() -> None:
    scheme = next(s for s in SCHEMES if s.code == "t-fast-annual")
    entries = [
        Entry("m1", date(2026, 3, 1), "appraisal", Decimal(10), row=2),
        Entry("m1", date(2026, 4, 1), "veto_year", None, row=3),
        Entry("m2", date(2026, 3, 1), "appraisal", Decimal("12.34"), row=4),
        Entry("m2", date(2026, 8, 1), "good", Decimal("5.55"), row=5),
        Entry("m2", date(2026, 9, 1), "veto_daily", None, row=6),
    ]
    for period in ("2026", "2026-H2", "2026-09"):
        _same(scheme, [Member("m1"), Member("m2")], entries, period)
