"""Step (b), one scoring period: the rules of schemes.md §1 over a member's aggregates.

`score_period` follows the numbered rule of schemes.md ("Score of a member for one scoring
period") and records each rule that changed a value as a `Step` in the trace:

1. per item, in the scheme's order: occurrences past `max_times` are not counted; honors
   under `highest_honor_only` count only their highest level in the year (a later, higher
   level adds only the difference over what was counted at face value); an assessed item
   is capped at its max; then the item's own `cap`;
2. each dimension: clamp(start + Σ items, floor, cap), then a `clear_dimension` veto;
3. the bonus pool: min(Σ, bonus_cap), and the yearly bonus cap where the scheme sets one;
4. the deduction pool: max(Σ, −deduction_limit);
5. subtotal = base + Σ dimensions + bonus + deductions (base: s001's 12);
6. vetoes: `zero` makes the total 0; `disqualify` leaves no total; `unqualified` only
   forces the grade (decided in `evaluate.py`).

What crosses periods within the year (honors counted, year-scoped item limits, the yearly
bonus cap) lives in `YearState`; periods are scored in calendar order so it is always the
state of the year *before* the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .ledger import Aggregate, Occurrence
from .periods import KIND_NAMES
from .points import ZERO, clamp, fmt
from .scheme import Item, Scheme
from .trace import DimensionPart, ItemPart, PeriodTrace, PoolPart, SkippedOccurrence, Step, VetoHit


@dataclass(slots=True)
class YearState:
    """What earlier periods of the year leave behind for the next one."""

    honors: dict[str, Decimal] = field(default_factory=dict)
    """honor_key -> the highest level already counted this year, at face value."""
    times: dict[str, int] = field(default_factory=dict)
    """item -> occurrences counted this year (items with a year-scoped max_times)."""
    amounts: dict[str, Decimal] = field(default_factory=dict)
    """item -> points counted this year (items with a year-scoped cap)."""
    bonus: Decimal = ZERO
    """Bonus counted this year (schemes with a yearly bonus cap)."""


def score_period(
    scheme: Scheme,
    key: str,
    start: date,
    end: date,
    aggregates: Sequence[Aggregate],
    state: YearState,
    *,
    annual: bool = False,
) -> PeriodTrace:
    """Score one scoring period; with `annual`, the year's annual-only dimensions instead."""
    trace = PeriodTrace(key, start, end)
    by_item: dict[str, list[Aggregate]] = {}
    for aggregate in aggregates:
        item = scheme.item(aggregate.item)
        # With a yearly scoring period, annual-only aggregates share the period's key.
        if item is not None and item.annual_only == annual:
            by_item.setdefault(aggregate.item, []).append(aggregate)
    honor_credit = _honor_credits(scheme, by_item, state) if scheme.highest_honor_only else {}

    parts: dict[str, list[ItemPart]] = {}
    for item in scheme.items:
        group = by_item.get(item.code)
        if not group:
            continue
        group.sort(key=lambda aggregate: (aggregate.first_on, aggregate.first_seq))
        if item.veto is not None:
            trace.vetoes.append(
                VetoHit(item.code, item.name, item.veto, group[0].first_on, group[0].first_seq)
            )
        if item.dimension is not None:
            parts.setdefault(item.dimension, []).extend(
                _item_parts(scheme, item, group, honor_credit, state)
            )
    trace.vetoes.sort(key=lambda hit: (hit.occurred_on, hit.seq))
    cleared = {hit.effect.split(":", 1)[1]: hit for hit in trace.vetoes if ":" in hit.effect}

    for dim in scheme.dimensions:
        if dim.annual_only != annual:
            continue
        part = DimensionPart(dim.code, dim.name, dim.start, parts.get(dim.code, []))
        raw = dim.start + sum((item.amount for item in part.items), ZERO)
        part.value = clamp(raw, dim.floor, dim.cap)
        if part.value != raw:
            text = (
                f"板块限于 {fmt(dim.floor)} 至 {fmt(dim.cap) if dim.cap is not None else '不封顶'}"
            )
            if dim.floor == ZERO and part.value == ZERO:
                text = "扣完为止，最低 0 分"
            elif dim.cap is not None and part.value == dim.cap:
                text = f"板块满分 {fmt(dim.cap)}，超出部分不计"
            part.steps.append(Step("clamp", text, raw, part.value))
        hit = cleared.get(dim.code)
        if hit is not None and part.value != ZERO:
            part.steps.append(
                Step("veto_clear", f"一票否决「{hit.name}」：本板块全部积分清零", part.value, ZERO)
            )
            part.value = ZERO
        trace.dimensions.append(part)

    if not annual:
        trace.bonus = _bonus_pool(scheme, parts.get("bonus", []), state)
        trace.deductions = _deduction_pool(scheme, parts.get("deduction", []))
    if not annual:
        trace.base = scheme.base
    trace.subtotal = (
        trace.base
        + sum((part.value for part in trace.dimensions), ZERO)
        + trace.bonus.value
        + trace.deductions.value
    )
    trace.total = trace.subtotal
    for hit in trace.vetoes:
        if hit.effect == "zero" and trace.total != ZERO and trace.total is not None:
            trace.veto_steps.append(
                Step("veto_zero", f"一票否决「{hit.name}」：得分为零", trace.total, ZERO)
            )
            trace.total = ZERO
    if trace.disqualified:
        trace.total = None
    return trace


def _honor_credits(
    scheme: Scheme, by_item: dict[str, list[Aggregate]], state: YearState
) -> dict[tuple[str, str], tuple[Decimal, str]]:
    """(item, honor_key) -> (points it counts, why), for honors de-duplicated in the year."""
    order = {item.code: index for index, item in enumerate(scheme.items)}
    by_key: dict[str, list[Aggregate]] = {}
    for code, group in by_item.items():
        item = scheme.item(code)
        if item is not None and item.honor:
            for aggregate in group:
                by_key.setdefault(aggregate.honor_key, []).append(aggregate)
    credits: dict[tuple[str, str], tuple[Decimal, str]] = {}
    for honor_key, group in by_key.items():
        best = max(group, key=lambda aggregate: (aggregate.highest, -order[aggregate.item]))
        prior = state.honors.get(honor_key)
        for aggregate in group:
            if aggregate is not best:
                why = f"同一荣誉「{honor_key}」只按最高一级计分，此级不计"
                credits[(aggregate.item, honor_key)] = (ZERO, why)
            elif prior is None:
                why = f"同一荣誉「{honor_key}」本期只计一次最高一级"
                credits[(aggregate.item, honor_key)] = (best.highest, why)
            elif best.highest > prior:
                why = (
                    f"荣誉「{honor_key}」本年度此前已按 {fmt(prior)} 分计，"
                    f"升级后只加差额 {fmt(best.highest - prior)} 分"
                )
                credits[(aggregate.item, honor_key)] = (best.highest - prior, why)
            else:
                why = f"荣誉「{honor_key}」本年度此前已按 {fmt(prior)} 分计，不再加分"
                credits[(aggregate.item, honor_key)] = (ZERO, why)
        state.honors[honor_key] = max(prior if prior is not None else ZERO, best.highest)
    return credits


def _item_parts(
    scheme: Scheme,
    item: Item,
    group: list[Aggregate],
    honor_credit: dict[tuple[str, str], tuple[Decimal, str]],
    state: YearState,
) -> list[ItemPart]:
    if item.honor and scheme.highest_honor_only:
        parts = []
        for aggregate in group:
            part = ItemPart(
                item.code, item.name, aggregate.honor_key, aggregate.count, aggregate.total
            )
            part.amount = part.raw
            credit, why = honor_credit[(item.code, aggregate.honor_key)]
            part.apply("honor", why, credit)
            parts.append(part)
    else:
        total = sum((aggregate.total for aggregate in group), ZERO)
        part = ItemPart(item.code, item.name, "", sum(a.count for a in group), total, total)
        if item.max_times is not None:
            _apply_max_times(item, group, part, state)
        parts = [part]

    per = {"period": f"每{KIND_NAMES[scheme.scoring_period]}", "year": "每年"}
    counted = ZERO  # what the item has counted so far in this period, across its parts
    for part in parts:
        if item.kind == "assessed" and item.max is not None:
            part.apply(
                "assessed_max",
                f"评定项目每期最多 {fmt(item.max)} 分",
                min(part.amount, item.max - counted),
            )
        if item.cap is not None:
            before = counted + (
                state.amounts.get(item.code, ZERO) if item.cap_per == "year" else ZERO
            )
            after = clamp(before + part.amount, -item.cap, item.cap) - before
            part.apply("item_cap", f"本项目{per[item.cap_per]}最多计 {fmt(item.cap)} 分", after)
        counted += part.amount
    if item.cap is not None and item.cap_per == "year":
        state.amounts[item.code] = state.amounts.get(item.code, ZERO) + counted
    return parts


def _apply_max_times(item: Item, group: list[Aggregate], part: ItemPart, state: YearState) -> None:
    assert item.max_times is not None
    occurrences: list[Occurrence] = []
    for aggregate in group:
        if aggregate.count and not aggregate.occurrences:
            raise ValueError(
                f"aggregate of item '{item.code}' (max_times) must carry its occurrences"
            )
        occurrences.extend(aggregate.occurrences)
    occurrences.sort(key=lambda occurrence: (occurrence.occurred_on, occurrence.seq))
    used = state.times.get(item.code, 0) if item.max_times_per == "year" else 0
    remaining = max(item.max_times - used, 0)
    counted_amount = ZERO
    counted_times = 0
    for occurrence in occurrences:
        take = min(occurrence.quantity, remaining - counted_times)
        counted_times += take
        counted_amount += occurrence.points * take
        if take < occurrence.quantity:
            part.not_counted.append(
                SkippedOccurrence(
                    occurrence.occurred_on,
                    occurrence.seq,
                    occurrence.points,
                    occurrence.quantity - take,
                )
            )
    if item.max_times_per == "year":
        state.times[item.code] = used + counted_times
    per = "每期" if item.max_times_per == "period" else "每年"
    skipped = sum(occurrence.quantity for occurrence in part.not_counted)
    part.apply(
        "not_counted",
        f"本项目{per}最多计 {item.max_times} 次，另有 {skipped} 次记入台账但不计分",
        counted_amount,
    )


def _bonus_pool(scheme: Scheme, items: list[ItemPart], state: YearState) -> PoolPart:
    pool = PoolPart("bonus", items)
    pool.value = sum((part.amount for part in items), ZERO)
    if scheme.bonus_cap is not None and pool.value > scheme.bonus_cap:
        pool.steps.append(
            Step(
                "bonus_cap",
                f"加分每期最多 {fmt(scheme.bonus_cap)} 分",
                pool.value,
                scheme.bonus_cap,
            )
        )
        pool.value = scheme.bonus_cap
    if scheme.bonus_cap is not None and scheme.bonus_cap_per_year:
        room = scheme.bonus_cap - state.bonus
        if pool.value > room:
            text = f"加分全年最多 {fmt(scheme.bonus_cap)} 分，本年度此前已加 {fmt(state.bonus)} 分"
            pool.steps.append(Step("bonus_cap_year", text, pool.value, room))
            pool.value = room
        state.bonus += pool.value
    return pool


def _deduction_pool(scheme: Scheme, items: list[ItemPart]) -> PoolPart:
    pool = PoolPart("deduction", items)
    pool.value = sum((part.amount for part in items), ZERO)
    limit = scheme.deduction_limit
    if limit is not None and pool.value < -limit:
        pool.steps.append(
            Step("deduction_limit", f"扣分最多 {fmt(limit)} 分（以此为底线）", pool.value, -limit)
        )
        pool.value = -limit
    return pool
