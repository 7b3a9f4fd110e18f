"""The fast path's input read from the database: per-(member, period) sums, set-based.

Design overview
- For a scheme `jifen.engine.fast.fast_path_supported` accepts, the engine needs no
  per-item aggregates: one row per (member, scoring period) with one column per dimension
  or pool (and one per assessed item, whose per-period max the engine applies) is enough,
  about one row per member and period instead of one per item (2.4M entries of a
  district give 0.4M rows, not 2.3M).
- **One scan of the ledger** (`scan_sql`): the effective entries, each joined to a small
  item table (code → column index, and whether the item is an honor or a veto: a
  `VALUES` list on PostgreSQL, which it hash-joins; a temporary table with a primary key
  on SQLite, which cannot index a `VALUES` list), grouped by (member, period):
  `SUM(CASE WHEN col = k THEN amount ELSE 0 END)` per column, the count of entries of
  items the scheme does not know (the left join finds no row), and the honors' and
  vetoes' entries themselves, concatenated (`group_concat` / `string_agg`) as records
  `seq␟points␟date␟item␟honor_key` separated by U+001E (the ledger refuses control
  characters in an honor key, the only free text). Honors and vetoes are a tenth of a
  ledger at most, so the text is short; reading them in the same scan instead of a
  second query saved 1.1 s (PostgreSQL) to 1.8 s (SQLite) of 2.4M entries.
- From those records Python keeps what the engine reads (`_specials`): an honor's
  highest points per (period, honor_key, item), and a veto item's earliest entry per
  period (by date, then seq). The rows are exactly those the earlier two-query read gave,
  so the inputs hash (`jifen-sums/1`) is unchanged.
- **Bad input.** When the sums count entries of unknown items, one more query names them
  as the full path does (`EntryError`, per (member, period, item) at its smallest seq,
  with the engine's message).
- The rows are those `aggregates.effective_entries` selects (a reversed entry and its
  reversal are both left out; the year up to `Plan.read_to`; the scope's members) and the
  scoring period is the same SQL CASE over `occurred_on` (`aggregates.period_bucket`), so
  both paths read the same ledger. Rows come through a client-side cursor (so that
  PostgreSQL may plan the scan and the sort with parallel workers) as plain tuples,
  grouped by member pk; no model instance, no Decimal (sums are cast back to integers:
  PostgreSQL's SUM of bigints is numeric).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import F, Min, QuerySet

from jifen.engine import EntryError, Problem
from jifen.engine.errors import row_label
from jifen.engine.fast import Layout
from jifen.ledger.models import LedgerEntry
from jifen.scoring.aggregates import (
    effective_entries,
    entries_in_reach,
    period_bucket,
    raw_rows,
    reversed_ids,
    sql_rows,
)
from jifen.scoring.scope import Scope

Rows = dict[int, list[tuple[Any, ...]]]
PkRange = tuple[int, int]
"""member pk -> the member's rows, each row as the database returned it (pk first)."""

SPECIAL = -2
UNKNOWN = -1
FIELD_END, RECORD_END = "\x1f", "\x1e"
ITEM_TABLE = "jifen_scan_item"
"""SQLite: the temporary table (one per connection) of the item table."""


def item_table(shape: Layout) -> list[tuple[str, int, int]]:
    """(code, column, special) of every item the scan knows: a summed item has its column
    index, an honor or veto no column sums has SPECIAL; special is 1 for the honors and
    vetoes, whose entries the scan also returns one by one."""
    specials = set(shape.honor_items) | set(shape.veto_items)
    columns = {code: k for k, column in enumerate(shape.columns) for code in column.items}
    codes = sorted(set(columns) | specials)
    return [(code, columns.get(code, SPECIAL), int(code in specials)) for code in codes]


def scan_sql(
    scope: Scope, shape: Layout, items: str, pks: PkRange | None = None
) -> tuple[str, tuple[Any, ...]]:
    """(member_id, period, c_0, …, c_{n-1}, unknown entries, special records) per (member,
    period), of the members whose pk is in `pks` (all the scope's by default); `items` is
    the item table's SQL (`ic(code, col, special)`)."""
    inner = (
        _part_entries(scope, pks)
        .annotate(b=period_bucket(scope), x=F("points_hundredths") * F("quantity"))
        .values_list(
            "member_id",
            "b",
            "x",
            "item_code",
            "seq",
            "points_hundredths",
            "occurred_on",
            "honor_key",
        )  # fmt: skip
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    columns = "".join(
        f", CAST(SUM(CASE WHEN u.d = {k} THEN u.x ELSE 0 END) AS bigint)"
        for k in range(len(shape.columns))
    )
    # Fields end with U+001F, records with U+001E: the ledger refuses control
    # characters in an honor key, the only free text here.
    record = (
        "CAST(t.seq AS text) || {us} || CAST(t.points_hundredths AS text) || {us} || "
        "CAST(t.occurred_on AS text) || {us} || t.item_code || {us} || t.honor_key"
    )
    if connection.vendor == "postgresql":
        record, concat, fence = record.format(us="CHR(31)"), "STRING_AGG(u.s, CHR(30))", ""
    else:
        # Fences keep SQLite from inlining each SELECT into every aggregate, and keep
        # its sort records narrow (member, period, column, amount, record or NULL).
        record, concat = record.format(us="CHAR(31)"), "GROUP_CONCAT(u.s, CHAR(30))"
        fence = " LIMIT -1 OFFSET 0"
    classified = (
        f"SELECT t.member_id, t.b, ic.col AS d, t.x, "
        f"CASE WHEN ic.col IS NULL THEN 1 ELSE 0 END AS unknown, "
        f"CASE WHEN ic.special = 1 THEN {record} END AS s "
        f"FROM ({sql}) t LEFT JOIN {items} ON ic.code = t.item_code{fence}"
    )
    outer = (
        f"SELECT u.member_id, u.b{columns}, SUM(u.unknown), COUNT(*), {concat} "
        f"FROM ({classified}) u GROUP BY u.member_id, u.b"
    )
    return outer, tuple(params)


def _part_entries(scope: Scope, pks: PkRange | None) -> QuerySet[LedgerEntry]:
    """`aggregates.entries_in_reach`, of the members whose pk is in `pks` if given."""
    entries = entries_in_reach(scope)
    if pks is not None:
        # `member_id + 0`: an expression, so that the scan stays on (tenant, date) instead
        # of fetching a member range row by row through the member index (1.1× the
        # whole scan's time for half of it on SQLite, measured).
        entries = entries.alias(member_pk=F("member_id") + 0).filter(
            member_pk__gte=pks[0], member_pk__lte=pks[1]
        )
    return entries


def _reversed_rows(scope: Scope, pks: PkRange | None) -> list[tuple[Any, ...]]:
    """(member, period, item, amount, seq) of the reversed entries the scan counts."""
    rows = (
        _part_entries(scope, pks)
        .filter(pk__in=reversed_ids(scope))
        .annotate(b=period_bucket(scope), x=F("points_hundredths") * F("quantity"))
        .values_list("member_id", "b", "item_code", "x", "seq")
        .order_by()
    )
    return list(raw_rows(rows))


def read_sums(scope: Scope, shape: Layout, pks: PkRange | None = None) -> tuple[Rows, Rows, Rows]:
    """(sums, honors, vetoes) by member pk, in the shapes `fast.SumsEvaluator.member` takes,
    of the members whose pk is in `pks` (inclusive; all by default). Raises `EntryError`
    for entries of unknown items (naming those of the whole scope)."""
    width = 2 + len(shape.columns)
    sums: Rows = {}
    records: list[tuple[int, int, str]] = []
    unknown = 0
    get = sums.get
    # Reversed entries are few: the scan counts them and they are taken out afterwards,
    # which costs less than testing every entry against the reversals (SQLite: 0.4 s of
    # 2.4 s per half-district scan).
    reversed_rows = _reversed_rows(scope, pks)
    touched_members = {row[0] for row in reversed_rows}
    counts: dict[tuple[int, int], int] = {}
    with _item_table(shape) as (items, params), _one_core_each(pks is not None):
        sql, scan_params = scan_sql(scope, shape, items, pks)
        for row in sql_rows(sql, (*scan_params, *params), server_side=False):
            unknown += row[width]
            if row[width + 2]:
                records.append((row[0], row[1], row[width + 2]))
            if row[0] in touched_members:
                counts[(row[0], row[1])] = row[width + 1]
            sums_row = row[:width]
            found = get(row[0])
            if found is None:
                sums[row[0]] = [sums_row]
            else:
                found.append(sums_row)
    unknown -= _take_out(reversed_rows, sums, counts, shape)
    if unknown:
        refuse_unknown_items(scope)
    skip: dict[tuple[int, int], set[int]] = {}
    for member, bucket, _, _, seq in reversed_rows:
        skip.setdefault((member, bucket), set()).add(seq)
    return sums, *_specials(records, shape, skip)


def _take_out(
    reversed_rows: list[tuple[Any, ...]],
    sums: Rows,
    counts: dict[tuple[int, int], int],
    shape: Layout,
) -> int:
    """Take the reversed entries out of the sums (a group left without entries goes, as
    if never read); returns how many of them were of unknown items."""
    column = {code: k for code, k, _ in item_table(shape)}
    unknown = 0
    for member, bucket, item, amount, _ in reversed_rows:
        k = column.get(item)
        if k is None:
            unknown += 1
        rows = sums[member]
        at = next(i for i, row in enumerate(rows) if row[1] == bucket)
        if k is not None and k >= 0:
            changed = list(rows[at])
            changed[2 + k] -= amount
            rows[at] = tuple(changed)
        counts[(member, bucket)] -= 1
        if not counts[(member, bucket)]:
            del rows[at]
            if not rows:
                del sums[member]
    return unknown


@contextmanager
def _one_core_each(part: bool) -> Iterator[None]:
    """A part read by one of several processes: no parallel workers on PostgreSQL, whose
    cores those processes already use (two halves at once: 2.6 s instead of 2.9–3.2 s)."""
    if not part or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")


@contextmanager
def _item_table(shape: Layout) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """The item table as SQL and its parameters (the parameters follow the scan's)."""
    rows = item_table(shape) or [("", UNKNOWN, 0)]  # a scheme with no items joins nothing
    if connection.vendor == "postgresql":
        values = ", ".join(["(%s, %s, %s)"] * len(rows))
        yield f"(VALUES {values}) AS ic(code, col, special)", tuple(v for r in rows for v in r)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {ITEM_TABLE} "
            "(code TEXT PRIMARY KEY, col INTEGER NOT NULL, special INTEGER NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {ITEM_TABLE}")  # the previous scan's scheme
        cursor.executemany(f"INSERT INTO {ITEM_TABLE} VALUES (%s, %s, %s)", rows)
    yield f"{ITEM_TABLE} AS ic", ()


def _specials(
    records: list[tuple[int, int, str]],
    shape: Layout,
    skip: dict[tuple[int, int], set[int]],
) -> tuple[Rows, Rows]:
    """(honors, vetoes) by member pk from the scan's records, leaving out the reversed
    entries (`skip`: their seqs by (member, period)): an honor's highest points per
    (member, period, honor_key, item); a veto item's earliest entry per (member, period,
    item), by date then seq."""
    honor_items, veto_items = frozenset(shape.honor_items), frozenset(shape.veto_items)
    honors: Rows = {}
    vetoes: Rows = {}
    for member, bucket, text in records:
        reversed_seqs = skip.get((member, bucket)) if skip else None
        if reversed_seqs:  # only the few groups that hold a reversed entry
            kept = [
                r for r in text.split(RECORD_END)
                if int(r.split(FIELD_END, 1)[0]) not in reversed_seqs
            ]  # fmt: skip
            if not kept:
                continue
            text = RECORD_END.join(kept)
        if RECORD_END not in text:  # most groups: one entry
            seq, points, day, item, key = text.split(FIELD_END)
            if item in honor_items:
                honors.setdefault(member, []).append((member, bucket, key, item, int(points)))
            if item in veto_items:
                vetoes.setdefault(member, []).append((member, bucket, item, _date(day), int(seq)))
            continue
        highest: dict[tuple[str, str], int] = {}
        earliest: dict[str, tuple[str, int]] = {}
        for record in text.split(RECORD_END):
            seq, points, day, item, key = record.split(FIELD_END)
            if item in honor_items:
                found = highest.get((key, item))
                value = int(points)
                if found is None or value > found:
                    highest[(key, item)] = value
            if item in veto_items:
                first = earliest.get(item)
                this = (day, int(seq))  # ISO dates order as text
                if first is None or this < first:
                    earliest[item] = this
        if highest:
            honors.setdefault(member, []).extend(
                (member, bucket, key, item, most) for (key, item), most in highest.items()
            )
        if earliest:
            vetoes.setdefault(member, []).extend(
                (member, bucket, item, _date(day), seq) for item, (day, seq) in earliest.items()
            )
    return honors, vetoes


@cache
def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def refuse_unknown_items(scope: Scope) -> None:
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
