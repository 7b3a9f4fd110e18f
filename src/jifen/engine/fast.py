"""Results-only evaluation over sums in integer hundredths: the year-end fast path.

Design overview
- **What it is for.** `evaluate` builds a full explanation trace per member (every item,
  clamp, cap and veto as a record): right for one member's explanation, about 1 ms per
  member and year, too slow for a district's year end. `SumsEvaluator` computes the same
  results (totals, dimensions, pools, grades, vetoes, ranks) without traces, in integer
  hundredths (no Decimal in the loop), from inputs a database reads set-based.
- **When it applies.** `fast_path_supported(scheme)`: no item has `max_times` or an item
  `cap` (which occurrences count depends on their order), and honors de-duplicated under
  `highest_honor_only` are plain items (not assessed, not annual-only). Every preset
  qualifies; otherwise callers use `evaluate` / `evaluate_aggregates`.
- **Inputs** (`Layout` says what to read; periods are indexes into `Plan.periods`, or
  `ANNUAL` for `annual_only` items, which belong to the year):
  - sums: `(member, period, c_0, …, c_{n-1})` with `c_k` = Σ points × quantity in
    hundredths of the items of `layout.columns[k]` (one column per dimension or pool, one
    of its own per assessed item, whose per-period max is applied here); honors under
    `highest_honor_only` and nothing else are left out;
  - honors: `(member, period, honor_key, item, highest)`: MAX(points) per honor_key and
    item, for the highest-honor-only rule across the year (`rules._honor_credits`);
  - vetoes: `(member, period, item, occurred_on, seq)`: entries of veto items, one per
    entry or only the earliest per item (only the earliest hit of each period matters).
- **Same semantics as `rules.py` / `evaluate.py`**, rule by rule, in the same order:
  assessed max, dimension clamp, clear_dimension, bonus cap (per period, then per year),
  deduction limit, base, zero/disqualify vetoes per period; counted periods by management
  dates (a period without entries counts at the start values); the annual rule (sum,
  mean, weighted mean, composite), rounded half up only where `_combine` rounds; vetoes
  and status on the combined result; ranks by `ranking.member_ranks`. Integer
  rounding: round(n / d) half away from zero is exactly `quantize(ROUND_HALF_UP)` of the
  60-digit quotient (a quotient cannot come within 10⁻⁶⁰ of a half without being one).
  The differential tests (`tests/engine/test_engine_fast.py`, and over the database in
  `tests/scoring`) check the equality on random ledgers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import mul
from typing import Any

from .fast_compiled import CompiledMember, Shape, compile_member
from .ledger import Member
from .periods import Plan
from .ranking import member_ranks
from .scheme import PERIODS_SOURCE, POOLS, Scheme

ANNUAL = -1
"""The period index of `annual_only` items: they belong to the year."""

_EMPTY: tuple[Any, ...] = ()


def to_hundredths(value: Decimal) -> int:
    """Exact integer hundredths of a value with at most two places."""
    scaled = value.scaleb(2)
    integral = int(scaled)
    if scaled != integral:
        raise ValueError(f"{value} has more than two decimal places")
    return integral


def from_hundredths(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def _scaled_weights(weights: Sequence[Decimal]) -> tuple[list[int], int]:
    """Integer weights with a common power-of-ten denominator: (numerators, denominator)."""
    places = max((max(0, -int(w.normalize().as_tuple().exponent)) for w in weights), default=0)
    scale = 10**places
    return [int(w * scale) for w in weights], scale


def _div_half_up(numerator: int, denominator: int) -> int:
    """round(numerator / denominator), ties away from zero (四舍五入); denominator > 0."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def fast_path_supported(scheme: Scheme) -> bool:
    """Whether `SumsEvaluator` gives `evaluate`'s results for this scheme (see above)."""
    for item in scheme.items:
        if item.max_times is not None or item.cap is not None:
            return False
        # A de-duplicated honor counts its credit, not its sum: no assessed max after it.
        deduplicated = item.honor and scheme.highest_honor_only
        if deduplicated and (item.kind == "assessed" or item.annual_only or not item.dimension):
            return False
    return True


@dataclass(frozen=True, slots=True)
class Column:
    """One summed column: the items whose points add into `target` (a dimension or pool)."""

    target: str
    items: tuple[str, ...]
    max: int | None = None
    """An assessed item's column: the most one period can award, in hundredths."""


@dataclass(frozen=True, slots=True)
class Layout:
    columns: tuple[Column, ...]
    honor_items: tuple[str, ...]
    """Read as (member, period, honor_key, item, highest); not in any column."""
    veto_items: tuple[str, ...]
    """Read as (member, period, item, occurred_on, seq); also in a column if they count."""


def layout(scheme: Scheme) -> Layout:
    """What a caller reads for the scheme: the columns of the sums, honor and veto items."""
    dedup = scheme.highest_honor_only
    honor_items = tuple(i.code for i in scheme.items if i.honor and dedup)
    by_target: dict[str, list[str]] = {}
    assessed: list[Column] = []
    for item in scheme.items:
        if item.dimension is None or (item.honor and dedup):
            continue
        if item.kind == "assessed" and item.max is not None:
            assessed.append(Column(item.dimension, (item.code,), to_hundredths(item.max)))
        else:
            by_target.setdefault(item.dimension, []).append(item.code)
    columns = tuple(Column(t, tuple(codes)) for t, codes in by_target.items()) + tuple(assessed)
    vetoes = tuple(i.code for i in scheme.items if i.veto is not None)
    return Layout(columns, honor_items, vetoes)


@dataclass(slots=True)
class FastResult:
    """One member's result in hundredths; `dimensions` follow `SumsEvaluator.dimension_codes`
    (empty for an exempt member)."""

    member: Member
    total: int | None
    grade: str | None
    veto: str | None
    dimensions: tuple[int, ...]
    bonus: int | None
    deductions: int | None
    rank: int | None = None
    category_rank: int | None = None


class SumsEvaluator:
    """The scheme's rules over one member's sums at a time (see the module docstring)."""

    def __init__(self, scheme: Scheme, plan: Plan, *, compiled: bool = True) -> None:
        """`compiled=False` keeps every member on the generic code (the tests compare)."""
        if not fast_path_supported(scheme):
            raise ValueError(f"scheme {scheme.code} needs the full evaluation path")
        self.scheme, self.plan, self.layout = scheme, plan, layout(scheme)
        h = to_hundredths
        dims = [d for d in scheme.dimensions if not d.annual_only]
        annual_dims = [d for d in scheme.dimensions if d.annual_only]
        # Slots: the period dimensions, then bonus, deduction, then the annual dimensions.
        codes = [d.code for d in dims] + list(POOLS) + [d.code for d in annual_dims]
        slot = {code: index for index, code in enumerate(codes)}
        self._n_dims, self._bonus, self._deduction = len(dims), len(dims), len(dims) + 1
        self._n_slots = len(codes)
        self._dims = [(h(d.start), h(d.floor), None if d.cap is None else h(d.cap)) for d in dims]
        self._annual_dims = [
            (slot[d.code], h(d.start), h(d.floor), None if d.cap is None else h(d.cap))
            for d in annual_dims
        ]
        self._columns = [(slot[c.target], c.max) for c in self.layout.columns]
        self._targets = [target for target, _ in self._columns]
        self._maxima = [most for _, most in self._columns]
        self._plain = self._targets == list(range(len(self._targets))) and not any(
            most is not None for most in self._maxima
        )
        self._padding = [0] * (len(codes) - len(self._targets))
        self._counted: dict[tuple[date | None, date | None], list[int]] = {}
        self._compiled: dict[tuple[int, ...], CompiledMember] = {}
        self._divisors: dict[tuple[int, ...], tuple[list[int], int]] = {}
        order = {item.code: index for index, item in enumerate(scheme.items)}
        self._honors = {
            code: (slot[item.dimension], order[code])
            for code in self.layout.honor_items
            if (item := scheme.item(code)) is not None and item.dimension is not None
        }
        self._vetoes: dict[str, tuple[str, int | None]] = {}
        for code in self.layout.veto_items:
            item = scheme.item(code)
            assert item is not None and item.veto is not None
            target = item.veto_target
            self._vetoes[code] = (item.veto_effect or "", None if target is None else slot[target])
        self._base = h(scheme.base)
        self._bonus_cap = None if scheme.bonus_cap is None else h(scheme.bonus_cap)
        self._bonus_per_year = scheme.bonus_cap_per_year and scheme.bonus_cap is not None
        limit = scheme.deduction_limit
        self._deduction_floor = None if limit is None else -h(limit)
        self._grades = [(None if g.min is None else h(g.min), g.name) for g in scheme.grades]
        self._lowest = scheme.lowest_grade
        # Earlier periods are scored only when they leave state for later ones.
        self._stateful = bool(self._honors) or self._bonus_per_year
        self._annual_part = plan.full_year and bool(annual_dims)
        self.dimension_codes: tuple[str, ...] = tuple(d.code for d in dims) + (
            tuple(d.code for d in annual_dims) if self._annual_part else ()
        )
        self._combine_setup(scheme, plan)
        # A period with no entries: the start values (state is untouched: no honor, and a
        # bonus of 0 fits any yearly room). Shared, never mutated.
        self._empty = self._period(None, _EMPTY, _EMPTY, {}, [0])
        # The common case as straight-line code (`fast_compiled.py`): no annual part and
        # no composite here; no status and no veto per member (checked in `member`).
        self._shape = None
        if compiled and not self._annual_part and not self._composite:
            self._shape = Shape(
                dims=self._dims,
                columns=self._columns,
                n_slots=self._n_slots,
                bonus_slot=self._bonus,
                deduction_slot=self._deduction,
                base=self._base,
                bonus_cap=self._bonus_cap,
                bonus_per_year=self._bonus_per_year,
                deduction_floor=self._deduction_floor,
                has_honors=bool(self._honors),
                stateful=self._stateful,
                empty=(self._empty[0], *self._empty[1:4]),
                method=self._method,
                weights=self._weights,
            )

    def _combine_setup(self, scheme: Scheme, plan: Plan) -> None:
        mode = scheme.annual.mode
        self._composite = mode == "composite" and plan.full_year
        self._method = "mean" if mode in ("composite", "same") else mode
        all_weights = scheme.annual.weights
        weights = [
            all_weights[p.span.index - 1] if all_weights else Decimal(1) for p in plan.periods
        ]
        self._weights, _ = _scaled_weights(weights)
        self._components: list[tuple[str, int]] = []
        self._component_scale = 1
        if scheme.annual.components:
            numerators, self._component_scale = _scaled_weights(
                [c.weight for c in scheme.annual.components]
            )
            self._components = [
                (c.source, n) for c, n in zip(scheme.annual.components, numerators, strict=True)
            ]
        # For each planned period: does it count for the request at all (before dates)?
        self._in_request = [p.in_request for p in plan.periods]

    def grade_for(self, total: int) -> str | None:
        for low, name in self._grades:
            if low is None or total >= low:
                return name
        return self._grades[-1][1] if self._grades else None

    def member(
        self,
        member: Member,
        sums: Sequence[Sequence[Any]] = _EMPTY,
        honors: Sequence[Sequence[Any]] = _EMPTY,
        vetoes: Sequence[Sequence[Any]] = _EMPTY,
    ) -> FastResult | None:
        """One member's result from the member's own rows (row[0], the member, is not read);
        None when the member is managed in none of the requested periods."""
        dates = (member.managed_from, member.managed_to)
        counted = self._counted.get(dates)
        if counted is None:
            counted = self._counted[dates] = [
                index
                for index, planned in enumerate(self.plan.periods)
                if planned.in_request and planned.overlaps(*dates)
            ]
        if not counted:
            return None
        if member.status == "exempt":
            return FastResult(member, None, None, None, (), None, None)
        rows = {row[1]: row for row in sums}
        honors_by: dict[int, list[Sequence[Any]]] = {}
        for honor in honors:
            honors_by.setdefault(honor[1], []).append(honor)
        if self._shape is not None and not vetoes and not member.status:
            return FastResult(member, *self._compiled_for(counted)(rows, honors_by))
        vetoes_by: dict[int, list[Sequence[Any]]] = {}
        for veto in vetoes:
            vetoes_by.setdefault(veto[1], []).append(veto)

        state_honors: dict[str, int] = {}
        state_bonus = [0]
        period, get_row, empty = self._period, rows.get, self._empty
        # A period without rows is the shared start-values result: it changes no state
        # (no honor; a bonus of 0 always fits the yearly room, which is never negative).
        # Earlier periods are scored only when they leave state for later ones.
        kept = []
        for index in range(counted[-1] + 1) if self._stateful else counted:
            row, honor_rows, veto_rows = (
                get_row(index),
                honors_by.get(index, _EMPTY),
                vetoes_by.get(index, _EMPTY),
            )
            if row is None and not honor_rows and not veto_rows:
                scored = empty
            else:
                scored = period(row, honor_rows, veto_rows, state_honors, state_bonus)
            kept.append(scored)
        if self._stateful:
            kept = [kept[index] for index in counted]
        annual = None
        if self._annual_part:
            annual = self._annual(rows.get(ANNUAL), vetoes_by.get(ANNUAL, _EMPTY))
        return self._combine(member, counted, kept, annual)

    def _compiled_for(self, counted: list[int]) -> CompiledMember:
        key = tuple(counted)
        found = self._compiled.get(key)
        if found is None:
            assert self._shape is not None
            found = self._compiled[key] = compile_member(
                self._shape, counted, self._honor_credits, self.grade_for
            )
        return found

    def _period(
        self,
        row: Sequence[Any] | None,
        honors: Sequence[Sequence[Any]],
        vetoes: Sequence[Sequence[Any]],
        state_honors: dict[str, int],
        state_bonus: list[int],
    ) -> tuple[list[int], int, int, int | None, list[Sequence[Any]]]:
        """(dimension values, bonus, deductions, total, veto rows) of one scoring period."""
        if row is None:
            acc = [0] * self._n_slots
        elif self._plain:
            # Column k adds into slot k and no column has a max: the row is the sums.
            acc = [*row[2:], *self._padding]
        else:
            acc = [0] * self._n_slots
            for target, most, value in zip(self._targets, self._maxima, row[2:], strict=False):
                acc[target] += value if most is None or value <= most else most
        if honors:
            self._honor_credits(honors, state_honors, acc)
        cleared: set[int] = set()
        zero = disqualify = False
        for veto in vetoes:
            effect, clears = self._vetoes[veto[2]]
            if clears is not None:
                cleared.add(clears)
            elif effect == "zero":
                zero = True
            elif effect == "disqualify":
                disqualify = True
        values = []
        for index, (start, floor, cap) in enumerate(self._dims):
            value = start + acc[index]
            if value < floor:
                value = floor
            elif cap is not None and value > cap:
                value = cap
            if cleared and index in cleared:
                value = 0
            values.append(value)
        bonus = acc[self._bonus]
        cap = self._bonus_cap
        if cap is not None:
            if bonus > cap:
                bonus = cap
            if self._bonus_per_year:
                room = cap - state_bonus[0]
                if bonus > room:
                    bonus = room
                state_bonus[0] += bonus
        deductions = acc[self._deduction]
        low = self._deduction_floor
        if low is not None and deductions < low:
            deductions = low
        total: int | None = self._base + sum(values) + bonus + deductions
        if zero:
            total = 0
        if disqualify:
            total = None
        return values, bonus, deductions, total, list(vetoes)

    def _honor_credits(
        self, honors: Sequence[Sequence[Any]], state: dict[str, int], acc: list[int]
    ) -> None:
        """`rules._honor_credits`: per honor_key only the highest level counts in the year;
        a later, higher level adds the difference over what was counted before."""
        best: dict[str, tuple[int, int, int]] = {}  # key -> (highest, -order, slot)
        for _, _, key, item, highest in honors:
            target, order = self._honors[item]
            candidate = (highest, -order, target)
            found = best.get(key)
            if found is None or candidate[:2] > found[:2]:
                best[key] = candidate
        for key, (highest, _, target) in best.items():
            prior = state.get(key)
            if prior is None:
                acc[target] += highest
            elif highest > prior:
                acc[target] += highest - prior
            state[key] = max(prior if prior is not None else 0, highest)

    def _annual(
        self, row: Sequence[Any] | None, vetoes: Sequence[Sequence[Any]]
    ) -> tuple[list[int], list[Sequence[Any]]]:
        """The annual-only dimensions of a whole-year request, and their veto rows."""
        acc = [0] * self._n_slots
        if row is not None:
            for position, (target, most) in enumerate(self._columns, start=2):
                value = row[position]
                if most is not None and value > most:
                    value = most
                acc[target] += value
        cleared = {clears for veto in vetoes if (clears := self._vetoes[veto[2]][1]) is not None}
        values = []
        for target, start, floor, cap in self._annual_dims:
            value = start + acc[target]
            if value < floor:
                value = floor
            elif cap is not None and value > cap:
                value = cap
            values.append(0 if target in cleared else value)
        return values, list(vetoes)

    def _over(self, counted: list[int], columns: Iterable[Sequence[int]]) -> list[int]:
        """sum, mean or weighted mean (`evaluate._over_periods`) of each column of
        per-period values (one value per counted period)."""
        if self._method == "sum":
            return [sum(values) for values in columns]
        key = tuple(counted)
        found = self._divisors.get(key)
        if found is None:
            weights = (
                [1] * len(counted)
                if self._method == "mean"
                else [self._weights[index] for index in counted]
            )
            found = self._divisors[key] = (weights, sum(weights))
        weights, divisor = found
        if all(weight == 1 for weight in weights):
            return [_div_half_up(sum(values), divisor) for values in columns]
        return [_div_half_up(sum(map(mul, values, weights)), divisor) for values in columns]

    def _combine(
        self,
        member: Member,
        counted: list[int],
        kept: list[tuple[list[int], int, int, int | None, list[Sequence[Any]]]],
        annual: tuple[list[int], list[Sequence[Any]]] | None,
    ) -> FastResult:
        """`evaluate._combine` then `_apply_vetoes_and_status`, in hundredths."""
        disqualified = any(period[3] is None for period in kept)
        periods_total: int | None = None
        if len(kept) == 1 and not self._composite:
            dims, bonus, deductions, total, _ = kept[0]
        else:
            columns: list[Sequence[int]] = list(zip(*(period[0] for period in kept), strict=True))
            columns.append([period[1] for period in kept])
            columns.append([period[2] for period in kept])
            if not disqualified:
                columns.append([period[3] or 0 for period in kept])
            combined = self._over(counted, columns)
            dims = combined[: self._n_dims]
            bonus, deductions = combined[self._n_dims], combined[self._n_dims + 1]
            total = None
            if not disqualified:
                periods_total = total = combined[-1]
        hits = [veto for period in kept for veto in period[4]]
        if annual is not None:
            dims = dims + annual[0]
            hits.extend(annual[1])
            if self._composite:
                total = None if disqualified else self._composite_total(dims, periods_total)
            elif total is not None:
                total += sum(annual[0])
        elif self._composite and not disqualified:
            total = self._composite_total(dims, periods_total)

        veto = None
        forced = False
        if hits:
            first = min(hits, key=lambda hit: (hit[3], hit[4]))
            veto = first[2]
            effects = {self._vetoes[hit[2]][0] for hit in hits}
            if "zero" in effects and total is not None and total != 0:
                total = 0
            if "disqualify" in effects:
                total = None
            forced = bool(effects & {"zero", "unqualified", "disqualify"})
        if member.status == "disqualified":
            total = None
        grade = self._lowest if total is None or forced else self.grade_for(total)
        return FastResult(member, total, grade, veto, tuple(dims), bonus, deductions)

    def _composite_total(self, dims: list[int], periods_total: int | None) -> int:
        by_code = dict(zip(self.dimension_codes, dims, strict=False))
        numerator = 0
        for source, weight in self._components:
            if source == PERIODS_SOURCE:
                assert periods_total is not None
                value = periods_total
            else:
                value = by_code.get(source, 0)
            numerator += value * weight
        return _div_half_up(numerator, self._component_scale)


def rank_fast(results: list[FastResult]) -> None:
    """Ranks of the members with a total and no status, overall and per category; then the
    results in the engine's order (rank, then member id; unranked last)."""
    ranks, category_ranks = member_ranks(
        [(r.total if r.member.status == "" else None, r.member.category) for r in results]
    )
    for result, rank, category_rank in zip(results, ranks, category_ranks, strict=True):
        result.rank, result.category_rank = rank, category_rank
    results.sort(key=lambda r: (r.rank is None, r.rank or 0, r.member.id))


def _by_member(rows: Iterable[Sequence[Any]]) -> dict[Any, list[Sequence[Any]]]:
    grouped: dict[Any, list[Sequence[Any]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return grouped


def evaluate_sums(
    scheme: Scheme,
    members: Sequence[Member],
    plan: Plan,
    sums: Iterable[Sequence[Any]],
    honors: Iterable[Sequence[Any]] = (),
    vetoes: Iterable[Sequence[Any]] = (),
    *,
    compiled: bool = True,
) -> tuple[tuple[str, ...], list[FastResult]]:
    """(dimension codes, ranked results) of all `members`; rows keyed by `Member.id`."""
    evaluator = SumsEvaluator(scheme, plan, compiled=compiled)
    sums_by, honors_by, vetoes_by = _by_member(sums), _by_member(honors), _by_member(vetoes)
    results = []
    for member in members:
        result = evaluator.member(
            member,
            sums_by.get(member.id, _EMPTY),
            honors_by.get(member.id, _EMPTY),
            vetoes_by.get(member.id, _EMPTY),
        )
        if result is not None:
            results.append(result)
    rank_fast(results)
    return evaluator.dimension_codes, results
