"""Conversions around the fast path (`fast.py`): its inputs from the engine's aggregates,
its results as the engine's `MemberResult`s and back.

`sums_from_aggregates` is the reference a database reader must match (the tests' bridge
between `evaluate` and `evaluate_sums`); `to_member_results` / `from_member_result` let a
caller hold either path's results in one compact shape (hundredths), the snapshot's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from .evaluate import MemberResult
from .fast import ANNUAL, FastResult, from_hundredths, layout, to_hundredths
from .ledger import Aggregate
from .periods import Plan
from .scheme import Scheme


def sums_from_aggregates(
    scheme: Scheme, plan: Plan, aggregates: Iterable[Aggregate]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The fast path's inputs (sums, honors, vetoes) from the engine's own aggregates: the
    reference a database reader must match, and the tests' bridge to `evaluate`."""
    shape = layout(scheme)
    column_of = {code: k for k, column in enumerate(shape.columns) for code in column.items}
    honor_items, veto_items = set(shape.honor_items), set(shape.veto_items)
    index_of = {planned.key: index for index, planned in enumerate(plan.periods)}
    sums: dict[tuple[str, int], list[int]] = {}
    honors: list[tuple[Any, ...]] = []
    vetoes: list[tuple[Any, ...]] = []
    for a in aggregates:
        item = scheme.item(a.item)
        assert item is not None
        period = ANNUAL if item.annual_only else index_of[a.period]
        if a.item in honor_items:
            honors.append((a.member, period, a.honor_key, a.item, to_hundredths(a.highest)))
        if a.item in veto_items:
            vetoes.append((a.member, period, a.item, a.first_on, a.first_seq))
        column = column_of.get(a.item)
        if column is not None:
            row = sums.setdefault((a.member, period), [0] * len(shape.columns))
            row[column] += to_hundredths(a.total)
    rows = [(member, period, *columns) for (member, period), columns in sums.items()]
    return rows, honors, vetoes


def to_member_results(codes: Sequence[str], results: Iterable[FastResult]) -> list[MemberResult]:
    """The engine's `MemberResult`s (Decimals, no traces) of fast results."""
    cache: dict[int, Decimal] = {}

    def d(value: int | None) -> Decimal | None:
        if value is None:
            return None
        found = cache.get(value)
        if found is None:
            found = cache[value] = from_hundredths(value)
        return found

    converted = []
    for r in results:
        dims = {code: from_hundredths(v) for code, v in zip(codes, r.dimensions, strict=False)}
        converted.append(
            MemberResult(
                r.member,
                d(r.total),
                r.grade,
                r.veto,
                dims,
                d(r.bonus),
                d(r.deductions),
                rank=r.rank,
                category_rank=r.category_rank,
            )
        )
    return converted


def from_member_result(codes: Sequence[str], result: MemberResult) -> FastResult:
    """A full-path result in the fast path's shape (for one writer of snapshots)."""

    def h(value: Decimal | None) -> int | None:
        return None if value is None else to_hundredths(value)

    dims = (
        tuple(to_hundredths(result.dimensions[code]) for code in codes) if result.dimensions else ()
    )
    return FastResult(
        result.member,
        h(result.total),
        result.grade,
        result.veto,
        dims,
        h(result.bonus),
        h(result.deductions),
        result.rank,
        result.category_rank,
    )


def dimension_codes(scheme: Scheme, plan: Plan) -> tuple[str, ...]:
    """The dimensions a (non-exempt) result shows, in order, for either path."""
    period_dims = tuple(d.code for d in scheme.dimensions if not d.annual_only)
    annual = tuple(d.code for d in scheme.dimensions if d.annual_only)
    return period_dims + (annual if plan.full_year and annual else ())
