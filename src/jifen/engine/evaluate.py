"""Step (b) for a request: periods, the annual rule, statuses, grades and ranks.

`evaluate_aggregates` is the entry point a database caller uses (its aggregates come from a
GROUP BY); `evaluate` validates and aggregates raw entries first (`ledger.py`) and then
calls it, so both paths give the same results. For each member:

1. every scoring period of the year up to the request's end is scored in order
   (`rules.score_period`), carrying the year's state; the periods of the request that
   overlap the member's management dates are the member's *counted* periods (a period
   without entries counts at the start values); a member with none is left out;
2. one counted period is the result as it is; several are combined by the scheme's annual
   rule — sum, mean, weighted mean (rounded half up to cents), or for a whole year of a
   composite scheme the weighted components (a composite for less than a year falls back to
   the mean of the periods: the annual-only parts do not exist yet); a whole-year request
   adds the annual-only dimensions;
3. vetoes of the counted periods apply to the combined result too: `zero` makes it 0,
   `disqualify` leaves no total; any veto but `clear_dimension` forces the lowest grade;
4. status: `exempt` has no total, grade or rank; `disqualified` has no total or rank and the
   lowest grade;
5. ranks 1, 2, 2, 4 by total among ranked members, in the whole list and per category.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import EntryError, Problem, row_label
from .ledger import Aggregate, Entry, Member, aggregate_entries, check_members
from .periods import Plan, plan_request
from .points import ONE, ZERO, quotient, round_half_up
from .ranking import member_ranks
from .rules import YearState, score_period
from .scheme import PERIODS_SOURCE, Scheme
from .trace import Combination, PeriodTrace, Step, Term, VetoHit


@dataclass(slots=True)
class MemberResult:
    """One member's result for the request, with the trace that produced it."""

    member: Member
    total: Decimal | None
    grade: str | None
    veto: str | None
    """The earliest veto's item code (by date, then input order)."""
    dimensions: dict[str, Decimal]
    bonus: Decimal | None
    deductions: Decimal | None
    rank: int | None = None
    category_rank: int | None = None
    periods: list[PeriodTrace] = field(default_factory=list)
    """The counted periods, in order."""
    annual_part: PeriodTrace | None = None
    """The annual-only dimensions of a whole-year request."""
    combinations: list[Combination] = field(default_factory=list)
    """How the total came from the periods (empty for a single period)."""
    dimension_combinations: list[Combination] = field(default_factory=list)
    vetoes: list[VetoHit] = field(default_factory=list)
    veto_steps: list[Step] = field(default_factory=list)
    """Veto effects applied to the combined result."""
    total_before_veto: Decimal | None = None

    @property
    def id(self) -> str:
        return self.member.id

    @property
    def ranked(self) -> bool:
        return self.rank is not None


@dataclass(slots=True)
class Evaluation:
    scheme: Scheme
    plan: Plan
    results: list[MemberResult]
    """Ordered by rank, then member id; unranked members last."""

    @property
    def period(self) -> str:
        return self.plan.request.key

    def result(self, member_id: str) -> MemberResult | None:
        for result in self.results:
            if result.member.id == member_id:
                return result
        return None


def evaluate(
    scheme: Scheme,
    members: Sequence[Member] | None,
    entries: Iterable[Entry],
    period: str | Plan,
) -> Evaluation:
    """Validate and aggregate raw entries (step a), then evaluate them (step b).

    Without `members`, the members are those in the entries, all in one category.
    Raises `EntryError`, `MemberError` or `PeriodError` for bad input.
    """
    plan = period if isinstance(period, Plan) else plan_request(scheme.scoring_period, period)
    entries = list(entries)
    checked = None if members is None else check_members(scheme, members)
    aggregates = aggregate_entries(scheme, checked, entries, plan)
    if checked is None:
        # Everyone in the entries, even those whose entries all lie outside the request.
        checked = [Member(member_id) for member_id in sorted({e.member for e in entries})]
    return _evaluate(scheme, checked, aggregates, plan)


def evaluate_aggregates(
    scheme: Scheme,
    members: Sequence[Member] | None,
    aggregates: Iterable[Aggregate],
    period: str | Plan,
) -> Evaluation:
    """Step (b): the scheme's rules over aggregates (see `ledger.Aggregate`).

    Without `members`, the members are those in the aggregates, all in one category.
    """
    plan = period if isinstance(period, Plan) else plan_request(scheme.scoring_period, period)
    checked = None if members is None else check_members(scheme, members)
    return _evaluate(scheme, checked, list(aggregates), plan)


def _evaluate(
    scheme: Scheme,
    members: list[Member] | None,
    aggregates: list[Aggregate],
    plan: Plan,
) -> Evaluation:
    if members is None:
        members = [Member(member_id) for member_id in sorted({a.member for a in aggregates})]
    known = {member.id for member in members}
    items = scheme.items_by_code
    # Checked unsorted; sorted (by row, for the messages) only when something is wrong.
    if any(a.member not in known or a.item not in items for a in aggregates):
        problems = []
        for a in sorted(aggregates, key=lambda a: a.first_seq):
            if a.member not in known:
                message = f"党员 '{a.member}' 不在党员名单中 (member not in the member list)"
                problems.append(Problem(row_label(a.first_seq), message))
            if a.item not in items:
                message = f"未知的积分项目 '{a.item}' (unknown item)"
                problems.append(Problem(row_label(a.first_seq), message))
        raise EntryError(problems)
    grouped: dict[str, dict[str, list[Aggregate]]] = {}
    for aggregate in aggregates:
        grouped.setdefault(aggregate.member, {}).setdefault(aggregate.period, []).append(aggregate)

    results = []
    for member in members:
        result = _member_result(scheme, plan, member, grouped.get(member.id, {}))
        if result is not None:
            results.append(result)
    rank_results(results)
    results.sort(key=lambda r: (r.rank is None, r.rank or 0, r.member.id))
    return Evaluation(scheme, plan, results)


def _member_result(
    scheme: Scheme, plan: Plan, member: Member, by_period: dict[str, list[Aggregate]]
) -> MemberResult | None:
    managed = [p.overlaps(member.managed_from, member.managed_to) for p in plan.periods]
    if not any(m and p.in_request for m, p in zip(managed, plan.periods, strict=True)):
        return None
    if member.status == "exempt":
        return MemberResult(member, None, None, None, {}, None, None)
    state = YearState()
    counted: list[PeriodTrace] = []
    for planned, is_managed in zip(plan.periods, managed, strict=True):
        # Every period up to the request is scored, in order, to carry the year's state.
        trace = score_period(
            scheme,
            planned.key,
            planned.span.start,
            planned.end,
            by_period.get(planned.key, []),
            state,
        )
        trace.managed = is_managed
        if planned.in_request and is_managed:
            counted.append(trace)

    annual_part = None
    if plan.full_year and any(dim.annual_only for dim in scheme.dimensions):
        year = str(plan.year)
        annual_part = score_period(
            scheme, year, plan.read_from, plan.read_to, by_period.get(year, []), state, annual=True
        )
    result = _combine(scheme, plan, member, counted, annual_part)
    _apply_vetoes_and_status(scheme, result)
    return result


def _combination(
    label: str, method: str, terms: list[Term], *, divisor: Decimal = ONE, rounded: bool
) -> Combination:
    exact = quotient(sum((term.value * term.weight for term in terms), ZERO), divisor)
    value = round_half_up(exact) if rounded else exact
    return Combination(label, method, tuple(terms), divisor, exact, value, rounded)


def _over_periods(
    label: str, method: str, values: list[tuple[str, Decimal]], weights: list[Decimal]
) -> Combination:
    """sum, mean or weighted_mean of per-period values."""
    if method == "sum":
        return _combination(label, method, [Term(k, v, ONE) for k, v in values], rounded=False)
    if method == "mean":
        terms = [Term(k, v, ONE) for k, v in values]
        return _combination(label, method, terms, divisor=Decimal(len(values)), rounded=True)
    terms = [Term(k, v, w) for (k, v), w in zip(values, weights, strict=True)]
    return _combination(label, method, terms, divisor=sum(weights, ZERO), rounded=True)


def _combine(
    scheme: Scheme,
    plan: Plan,
    member: Member,
    counted: list[PeriodTrace],
    annual_part: PeriodTrace | None,
) -> MemberResult:
    mode = scheme.annual.mode
    result = MemberResult(member, None, None, None, {}, ZERO, ZERO, periods=counted)
    result.annual_part = annual_part
    disqualified = any(trace.total is None for trace in counted)
    composite = mode == "composite" and plan.full_year
    if len(counted) == 1 and not composite:
        only = counted[0]
        result.dimensions = only.dimension_values()
        result.bonus, result.deductions = only.bonus.value, only.deductions.value
        total = only.total
    else:
        method = "mean" if mode in ("composite", "same") else mode
        all_weights = scheme.annual.weights
        index = {planned.key: planned.span.index for planned in plan.periods}
        weights = [all_weights[index[trace.key] - 1] if all_weights else ONE for trace in counted]

        def over(label: str, values: list[Decimal]) -> Combination:
            keyed = [(trace.key, value) for trace, value in zip(counted, values, strict=True)]
            return _over_periods(label, method, keyed, weights)

        for dim_code in counted[0].dimension_values():
            combo = over(dim_code, [trace.dimension_values()[dim_code] for trace in counted])
            result.dimension_combinations.append(combo)
            result.dimensions[dim_code] = combo.value
        bonus = over("bonus", [trace.bonus.value for trace in counted])
        deductions = over("deduction", [trace.deductions.value for trace in counted])
        result.dimension_combinations += [bonus, deductions]
        result.bonus, result.deductions = bonus.value, deductions.value
        total = None
        if not disqualified:
            period_totals = over("total", [trace.total or ZERO for trace in counted])
            result.combinations.append(period_totals)
            total = period_totals.value
    if annual_part is not None:
        result.dimensions.update(annual_part.dimension_values())
        if composite:
            total = None if disqualified else _composite(scheme, result)
        elif total is not None:
            terms = [Term("periods", total, ONE)] + [
                Term(part.code, part.value, ONE) for part in annual_part.dimensions
            ]
            combo = _combination("total", "plus_annual", terms, rounded=False)
            result.combinations.append(combo)
            total = combo.value
    elif composite and not disqualified:
        total = _composite(scheme, result)
    result.total = total
    return result


def _composite(scheme: Scheme, result: MemberResult) -> Decimal:
    assert scheme.annual.components is not None
    terms = []
    for component in scheme.annual.components:
        if component.source == PERIODS_SOURCE:
            value = result.combinations[0].value
        else:
            value = result.dimensions.get(component.source, ZERO)
        terms.append(Term(component.source, value, component.weight))
    combo = _combination("total", "composite", terms, rounded=True)
    result.combinations.append(combo)
    return combo.value


def _apply_vetoes_and_status(scheme: Scheme, result: MemberResult) -> None:
    hits = [hit for trace in result.periods for hit in trace.vetoes]
    if result.annual_part is not None:
        hits.extend(result.annual_part.vetoes)
    hits.sort(key=lambda hit: (hit.occurred_on, hit.seq))
    result.vetoes = hits
    result.veto = hits[0].item if hits else None
    result.total_before_veto = result.total
    effects = {hit.effect for hit in hits}
    if "zero" in effects and result.total is not None and result.total != ZERO:
        hit = next(hit for hit in hits if hit.effect == "zero")
        result.veto_steps.append(
            Step("veto_zero", f"一票否决「{hit.name}」：本期与年度得分为零", result.total, ZERO)
        )
        result.total = ZERO
    if "disqualify" in effects or result.member.status == "disqualified":
        result.total = None
    forced = bool(effects & {"zero", "unqualified", "disqualify"})
    if result.total is None or forced:
        result.grade = scheme.lowest_grade
    else:
        result.grade = scheme.grade_for(result.total)


def rank_results(results: list[MemberResult]) -> None:
    """Set `rank` and `category_rank` (1, 2, 2, 4 by total) of the ranked members: those
    with a total and no status. The one ranking rule, also for callers that evaluate in
    chunks and rank everybody at the end."""
    ranks, category_ranks = member_ranks(
        [(r.total if r.member.status == "" else None, r.member.category) for r in results]
    )
    for result, rank, category_rank in zip(results, ranks, category_ranks, strict=True):
        result.rank, result.category_rank = rank, category_rank
