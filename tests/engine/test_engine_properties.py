"""Invariants of the engine over random ledgers of every preset (hypothesis).

- every dimension stays within its floor and cap, in each period and combined;
- the bonus pool stays within its cap, the deduction pool within its limit;
- one more deduction never raises a total;
- ranks agree with totals (a higher total never ranks worse; equal totals share a rank);
- the explanation adds up to the total, always.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen.engine import Entry, Evaluation, Member, evaluate, explain, list_presets
from jifen.engine.ranking import member_ranks
from jifen.engine.scheme import Item, Scheme

PRESETS = list_presets()
PERIODS = ["2026", "2026-H1", "2026-H2", "2026-Q1", "2026-Q3", "2026-02", "2026-07", "2026-12"]
MEMBER_IDS = ["m1", "m2", "m3", "m4"]
YEAR = st.dates(date(2026, 1, 1), date(2026, 12, 31))


def _cents(low: Decimal, high: Decimal) -> st.SearchStrategy[Decimal]:
    return st.integers(int(low * 100), int(high * 100)).map(lambda c: Decimal(c) / 100)


def _points(item: Item) -> st.SearchStrategy[Decimal | None]:
    if item.kind == "fixed":
        return st.sampled_from([None, item.fixed_points])
    if item.kind == "range":
        assert item.min is not None and item.max is not None
        return _cents(item.min, item.max)
    if item.kind == "assessed":
        assert item.max is not None
        return _cents(Decimal(0), item.max)
    magnitude = _cents(Decimal(0), item.max or Decimal(20))
    return magnitude.map(lambda v: v if item.sign == "+" else -v)


@st.composite
def entries_of(draw: st.DrawFn, scheme: Scheme, count: int) -> list[Entry]:
    vetoes = [item for item in scheme.items if item.veto]
    others = [item for item in scheme.items if not item.veto]
    entries = []
    for row in range(2, count + 2):
        rare_veto = vetoes and draw(st.integers(0, 12)) == 0
        item = draw(st.sampled_from(vetoes if rare_veto else others))
        entries.append(
            Entry(
                member=draw(st.sampled_from(MEMBER_IDS)),
                occurred_on=draw(YEAR),
                item=item.code,
                points=draw(_points(item)),
                quantity=1 if item.honor else draw(st.integers(1, 3)),
                honor_key=draw(st.sampled_from(["劳模", "标兵"])) if item.honor else "",
                row=row,
            )
        )
    return entries


@st.composite
def members_of(draw: st.DrawFn, scheme: Scheme) -> list[Member]:
    categories = [c.code for c in scheme.categories] or ["甲", "乙"]
    members = []
    for member_id in MEMBER_IDS:
        start = draw(st.none() | YEAR)
        members.append(
            Member(
                member_id,
                category=draw(st.sampled_from(categories)),
                status=draw(st.sampled_from(["", "", "", "", "exempt", "disqualified"])),
                managed_from=start,
            )
        )
    return members


@st.composite
def cases(
    draw: st.DrawFn, schemes: list[Scheme] = PRESETS
) -> tuple[Scheme, list[Member], list[Entry], str]:
    scheme = draw(st.sampled_from(schemes))
    entries = draw(entries_of(scheme, draw(st.integers(0, 30))))
    return scheme, draw(members_of(scheme)), entries, draw(st.sampled_from(PERIODS))


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cases())
def test_every_dimension_stays_within_its_floor_and_cap(case) -> None:
    scheme, members, entries, period = case
    for result in evaluate(scheme, members, entries, period).results:
        traces = list(result.periods) + ([result.annual_part] if result.annual_part else [])
        values = [(d.code, d.value) for trace in traces for d in trace.dimensions]
        values += list(result.dimensions.items())
        for code, value in values:
            dimension = scheme.dimension(code)
            assert dimension is not None
            assert value >= dimension.floor
            assert dimension.cap is None or value <= dimension.cap


@PROPERTY
@given(cases())
def test_pools_stay_within_the_bonus_cap_and_the_deduction_limit(case) -> None:
    scheme, members, entries, period = case
    for result in evaluate(scheme, members, entries, period).results:
        pools = [(t.bonus.value, t.deductions.value) for t in result.periods]
        if result.bonus is not None and result.deductions is not None:
            pools.append((result.bonus, result.deductions))
        for bonus, deductions in pools:
            assert scheme.bonus_cap is None or bonus <= scheme.bonus_cap
            assert scheme.deduction_limit is None or deductions >= -scheme.deduction_limit


def _deduction_items(scheme: Scheme) -> list[Item]:
    return [
        item
        for item in scheme.items
        if not item.veto
        and not item.annual_only
        and (
            (item.kind == "fixed" and item.fixed_points < 0)
            or (item.kind == "discretionary" and item.sign == "-")
            or (item.kind == "range" and item.max is not None and item.max <= 0)
        )
    ]


WITH_DEDUCTIONS = [scheme for scheme in PRESETS if _deduction_items(scheme)]


@PROPERTY
@given(cases(WITH_DEDUCTIONS), st.data())
def test_one_more_deduction_never_raises_a_total(case, data) -> None:
    scheme, members, entries, period = case
    candidates = _deduction_items(scheme)
    item = data.draw(st.sampled_from(candidates))
    extra = Entry(
        member=data.draw(st.sampled_from(MEMBER_IDS)),
        occurred_on=data.draw(YEAR),
        item=item.code,
        points=data.draw(_points(item)),
        row=len(entries) + 2,
    )
    before = {r.member.id: r.total for r in evaluate(scheme, members, entries, period).results}
    after = {
        r.member.id: r.total for r in evaluate(scheme, members, [*entries, extra], period).results
    }
    assert before.keys() == after.keys()
    for member_id, total in before.items():
        total_after = after[member_id]
        if total is not None and total_after is not None:
            assert total_after <= total


@PROPERTY
@given(cases())
def test_ranks_agree_with_totals(case) -> None:
    scheme, members, entries, period = case
    results = evaluate(scheme, members, entries, period).results
    for r in results:
        assert (r.rank is None) == (r.total is None or r.member.status != "")
    ranked = [
        (r.total, r.rank, r.member.category, r.category_rank)
        for r in results
        if r.total is not None and r.rank is not None and r.category_rank is not None
    ]
    for total, rank, category, category_rank in ranked:
        for other_total, other_rank, other_category, other_category_rank in ranked:
            if total > other_total:
                assert rank < other_rank
                if category == other_category:
                    assert category_rank < other_category_rank
            if total == other_total:
                assert rank == other_rank
        # Competition ranking: one more than the number of members with a higher total.
        assert rank == 1 + sum(1 for other in ranked if other[0] > total)


def _half_up(value: Fraction) -> Fraction:
    hundredths = abs(value) * 100
    whole = int(hundredths)
    if hundredths - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole if value >= 0 else -whole, 100)


def _assert_explanation_adds_up(evaluation: Evaluation, member_id: str) -> None:
    e = explain(evaluation, member_id)
    assert e is not None
    if e.status == "exempt":
        assert (e.total, e.grade, e.rank) == (None, None, None)
        return
    traces = list(e.periods) + ([e.annual_part] if e.annual_part else [])
    for trace in traces:
        pools = [trace.bonus, trace.deductions]
        for dim in trace.dimensions:
            for part in dim.items:
                assert part.raw + sum(s.delta for s in part.steps) == part.amount
            items = sum(part.amount for part in dim.items)
            assert dim.start + items + sum(s.delta for s in dim.steps) == dim.value
        for pool in pools:
            for part in pool.items:
                assert part.raw + sum(s.delta for s in part.steps) == part.amount
            items = sum(part.amount for part in pool.items)
            assert items + sum(s.delta for s in pool.steps) == pool.value
        parts = trace.base + sum(d.value for d in trace.dimensions) + sum(p.value for p in pools)
        assert trace.subtotal == parts
        after_vetoes = trace.subtotal + sum(s.delta for s in trace.veto_steps)
        assert trace.total == (None if trace.disqualified else after_vetoes)
    for combo in e.combinations + e.dimension_combinations:
        exact = sum(Fraction(t.value) * Fraction(t.weight) for t in combo.terms) / Fraction(
            combo.divisor
        )
        assert Fraction(combo.value) == (_half_up(exact) if combo.rounded else exact)
    if e.combinations:
        first = e.combinations[0]
        if first.method in ("sum", "mean", "weighted_mean"):
            assert [t.value for t in first.terms] == [p.total for p in e.periods]
        before_veto: Decimal | None = e.combinations[-1].value
    else:
        before_veto = e.periods[0].total
    if e.total is not None:
        assert before_veto is not None
        assert e.total == before_veto + sum(s.delta for s in e.veto_steps)
    else:
        assert e.status == "disqualified" or any(v.effect == "disqualify" for v in e.vetoes)
    for code, value in e.dimensions.items():
        assert code in {d.code for t in traces for d in t.dimensions}
        assert value is not None


@PROPERTY
@given(cases())
def test_the_explanation_adds_up_to_the_total(case) -> None:
    scheme, members, entries, period = case
    evaluation = evaluate(scheme, members, entries, period)
    for result in evaluation.results:
        _assert_explanation_adds_up(evaluation, result.member.id)


@PROPERTY
@given(
    st.lists(
        st.tuples(st.none() | st.integers(-3, 3).map(lambda n: Decimal(n).scaleb(-1)),
                  st.sampled_from("甲乙")),
        max_size=40,
    )
)  # fmt: skip
def test_competition_ranks_count_the_higher_totals(keys) -> None:
    # Decimals equal in value but not in form (1.0, 1.00) share a rank.
    mixed = [
        (t.quantize(Decimal("0.01")) if i % 2 and t is not None else t, c)
        for i, (t, c) in enumerate(keys)
    ]
    ranks, category_ranks = member_ranks(mixed)
    ranked = [(t, c) for t, c in keys if t is not None]
    assert ranks == [None if t is None else 1 + sum(o > t for o, _ in ranked) for t, _ in keys]
    assert category_ranks == [
        None if t is None else 1 + sum(o > t for o, oc in ranked if oc == c) for t, c in keys
    ]
