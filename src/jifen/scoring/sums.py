"""The fast path's input read from the database: per-(member, period) sums, set-based.

Design overview
- For a scheme `jifen.engine.fast.fast_path_supported` accepts, the engine needs no
  per-item aggregates: one row per (member, scoring period) with one column per dimension
  or pool (and one per assessed item, whose per-period max the engine applies) is enough,
  about one row per member and period instead of one per item (2.4M entries of a
  district give 0.4M rows, not 2.3M).
- **The sums** (`sums_sql`): an inner SELECT classifies each effective entry once — its
  column index `d` by a CASE over the item code generated from the scheme (`fast.layout`;
  -2 for the special items below, -1 for an item the scheme does not know) — and the
  outer GROUP BY (member, period) pivots: `SUM(CASE WHEN d = k THEN amount ELSE 0 END)`
  per column and a count of unknown entries. The inner SELECT carries an optimisation
  fence (`OFFSET 0`; SQLite needs `LIMIT -1` before it) so neither database inlines the
  CASE into every column (measured on SQLite: 5–6 s instead of 6–11 s for 2.4M entries);
  everything else is the same SQL on SQLite and PostgreSQL.
- **The specials** (`specials_queryset`): honors de-duplicated by level and vetoes, a
  tenth of a ledger at most, by one GROUP BY (member, period, item, honor_key) filtered to
  those items: MAX(points) is an honor's level; MIN(occurred_on), MIN(seq) and COUNT(*)
  name a veto's earliest entry exactly when the group has one entry. For the rare
  (member, period, veto item) with several entries, which came first (by date, then seq)
  is read by one small query of those entries only.
- **Bad input.** When the sums count entries of unknown items, one more query names them
  as the full path does (`EntryError`, per (member, period, item) at its smallest seq,
  with the engine's message).
- The rows are those `aggregates.effective_entries` selects (a reversed entry and its
  reversal are both left out; the year up to `Plan.read_to`; the scope's members) and the
  scoring period is the same SQL CASE over `occurred_on` (`aggregates.period_bucket`), so
  both paths read the same ledger. Rows come through a client-side cursor (so that
  PostgreSQL may plan the GROUP BYs with parallel workers) as plain tuples, grouped by
  member pk; no model instance, no Decimal (sums are cast back to integers:
  PostgreSQL's SUM of bigints is numeric).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Max, Min, QuerySet, Value, When

from jifen.engine import EntryError, Problem
from jifen.engine.errors import row_label
from jifen.engine.fast import Layout
from jifen.scoring.aggregates import effective_entries, period_bucket, raw_rows, sql_rows
from jifen.scoring.scope import Scope

Rows = dict[int, list[tuple[Any, ...]]]
"""member pk -> the member's rows, each row as the database returned it (pk first)."""

SPECIAL = -2
UNKNOWN = -1


def _column_index(shape: Layout) -> Case:
    """Each entry's column (0…n-1); SPECIAL for the honors and vetoes no column sums (a
    veto item that also counts points is in its column, and read as a special too);
    UNKNOWN for any other code."""
    whens = [
        When(item_code=code, then=Value(k))
        for k, column in enumerate(shape.columns)
        for code in column.items
    ]
    summed = {code for column in shape.columns for code in column.items}
    special = (set(shape.honor_items) | set(shape.veto_items)) - summed
    whens += [When(item_code=code, then=Value(SPECIAL)) for code in sorted(special)]
    return Case(*whens, default=Value(UNKNOWN), output_field=IntegerField())


def sums_sql(scope: Scope, shape: Layout) -> tuple[str, tuple[Any, ...]]:
    """(member_id, period, c_0, …, c_{n-1}, unknown entries) per (member, period), of the
    entries dated in `dates`."""
    inner = (
        effective_entries(scope)
        .annotate(
            b=period_bucket(scope),
            d=_column_index(shape),
            x=F("points_hundredths") * F("quantity"),
        )
        .values_list("member_id", "b", "d", "x")
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    fence = " LIMIT -1 OFFSET 0" if connection.vendor == "sqlite" else " OFFSET 0"
    # Plain SQL: CAST(... AS bigint) and CASE are read the same by both databases.
    columns = "".join(
        f", CAST(SUM(CASE WHEN t.d = {k} THEN t.x ELSE 0 END) AS bigint)"
        for k in range(len(shape.columns))
    )
    outer = (
        f"SELECT t.member_id, t.b{columns}, "
        f"SUM(CASE WHEN t.d = {UNKNOWN} THEN 1 ELSE 0 END) "
        f"FROM ({sql}{fence}) t GROUP BY t.member_id, t.b"
    )
    return outer, tuple(params)


def specials_queryset(scope: Scope, shape: Layout) -> QuerySet[Any]:
    """(member_id, period, item, honor_key, MAX(points), MIN(occurred_on), MIN(seq),
    COUNT(*)) per (member, period, item, honor_key) of the honors and vetoes."""
    honors = shape.honor_items
    honor_key = (
        Case(When(item_code__in=honors, then=F("honor_key")), default=Value(""))
        if honors
        else Value("")
    )
    return (
        effective_entries(scope)
        .filter(item_code__in=[*honors, *shape.veto_items])
        .values("member_id", "item_code", bucket=period_bucket(scope), key=honor_key)
        .annotate(
            highest=Max("points_hundredths"),
            first_on=Min("occurred_on"),
            first_seq=Min("seq"),
            entries=Count("pk"),
        )
        .values_list(
            "member_id",
            "bucket",
            "item_code",
            "key",
            "highest",
            "first_on",
            "first_seq",
            "entries",
        )  # fmt: skip
        .order_by()
    )


def _grouped(rows: Iterable[tuple[Any, ...]]) -> Rows:
    grouped: Rows = {}
    get = grouped.get
    for row in rows:
        found = get(row[0])
        if found is None:
            grouped[row[0]] = [row]
        else:
            found.append(row)
    return grouped


def read_sums(scope: Scope, shape: Layout) -> tuple[Rows, Rows, Rows]:
    """(sums, honors, vetoes) by member pk, in the shapes `fast.SumsEvaluator.member` takes.
    Raises `EntryError` for entries of unknown items."""
    sums, unknown = read_sum_rows(scope, shape)
    refuse_unknown_items(scope, unknown)
    return sums, *read_specials(scope, shape)


def read_sum_rows(scope: Scope, shape: Layout) -> tuple[Rows, int]:
    """The sums by member pk, and how many entries of unknown items they count (give it
    to `refuse_unknown_items`)."""
    width = 2 + len(shape.columns)
    sums: Rows = {}
    unknown = 0
    get = sums.get
    for row in sql_rows(*sums_sql(scope, shape), server_side=False):
        unknown += row[width]
        sums_row = row[:width]
        found = get(row[0])
        if found is None:
            sums[row[0]] = [sums_row]
        else:
            found.append(sums_row)
    return sums, unknown


def refuse_unknown_items(scope: Scope, unknown: int) -> None:
    if unknown:
        _refuse_unknown_items(scope)


def read_specials(scope: Scope, shape: Layout) -> tuple[Rows, Rows]:
    """(honors, vetoes) by member pk."""
    honor_items, veto_items = set(shape.honor_items), set(shape.veto_items)
    honors: list[tuple[Any, ...]] = []
    vetoes: list[tuple[Any, ...]] = []
    several: set[tuple[int, int, str]] = set()
    if honor_items or veto_items:
        specials = specials_queryset(scope, shape).query.sql_with_params()
        for member, bucket, item, key, highest, first_on, first_seq, entries in sql_rows(
            *specials, server_side=False
        ):
            if item in honor_items:
                honors.append((member, bucket, key, item, highest))
            if item in veto_items:
                if entries == 1:
                    vetoes.append((member, bucket, item, _date(first_on), first_seq))
                else:
                    several.add((member, bucket, item))
    if several:
        vetoes.extend(_earliest_vetoes(scope, several))
    return _grouped(honors), _grouped(vetoes)


def _refuse_unknown_items(scope: Scope) -> None:
    """`EntryError` as the full path raises it for entries of items the scheme lacks."""
    rows = (
        effective_entries(scope)
        .exclude(item_code__in=[item.code for item in scope.scheme.items])
        .values("member_id", "item_code", bucket=period_bucket(scope))
        .annotate(first_seq=Min("seq"))
        .values_list("first_seq", "item_code")
        .order_by()
    )
    raise EntryError(
        [
            Problem(row_label(seq), f"未知的积分项目 '{code}' (unknown item)")
            for seq, code in sorted(rows)
        ]
    )


def _earliest_vetoes(scope: Scope, several: set[tuple[int, int, str]]) -> list[tuple[Any, ...]]:
    """The earliest entry (by date, then seq) of each given (member, period, veto item),
    which has several entries."""
    members = sorted({member for member, _, _ in several})
    items = sorted({item for _, _, item in several})
    earliest: dict[tuple[int, int, str], tuple[dt.date, int]] = {}
    rows = (
        effective_entries(scope)
        .filter(member_id__in=members, item_code__in=items)
        .annotate(bucket=period_bucket(scope))
        .values_list("member_id", "bucket", "item_code", "occurred_on", "seq")
        .order_by()
    )
    for member, bucket, item, day, seq in raw_rows(rows):
        key = (member, bucket, item)
        if key in several:  # not a period of the same member and item with one entry
            value = (_date(day), seq)
            if key not in earliest or value < earliest[key]:
                earliest[key] = value
    return [(m, b, item, day, seq) for (m, b, item), (day, seq) in earliest.items()]


def _date(value: Any) -> dt.date:
    """SQLite returns dates as ISO text: make them dates, as PostgreSQL returns them."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
