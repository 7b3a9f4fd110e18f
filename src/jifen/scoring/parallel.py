"""The fast path's read of a large scope on two database connections at once.

Why: a district's year-end read is two long set-based queries (the sums and the specials,
`sums.py`), each a scan of the year's entries in date order followed by a sort, during
which Python only waits. On a server with two or more cores the year is cut in two at a
scoring-period boundary and a second connection (a worker thread) reads the later half's
sums and specials while this thread reads the earlier half's: each scans and sorts half
the entries, and both run in the database's own code (SQLite and psycopg release the GIL
while a statement runs). The halves are then merged into exactly the rows one connection
reads (only annual-only items, whose bucket spans the year, can meet in both halves).

Consistency: each statement reads its own snapshot (the read runs outside a transaction,
as the one-connection read does). Every ledger write moves its tenant's chain head
(`ChainHead.seq`) in the same transaction, so when both connections see the same head
before their first and after their last query, every query read the same ledger; when
they do not, `LedgerMoved` tells the caller to read again on one connection.

Not used inside a transaction (a second connection would not see its uncommitted writes),
for small scopes (a thread and a connection cost more than they save), nor for a request
of one scoring period (there is no boundary to cut at).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from operator import add
from typing import Any, TypeVar

from django.db import connection

from jifen.engine.fast import Layout
from jifen.ledger.models import ChainHead
from jifen.scoring.scope import Scope
from jifen.scoring.sums import Dates, Rows, read_specials, read_sum_rows, refuse_unknown_items

PARALLEL_MIN_MEMBERS = 5_000
T = TypeVar("T")
Half = tuple[Rows, int, Rows, Rows]
"""sums, unknown entries, honors, vetoes of one half of the year."""


class LedgerMoved(Exception):
    """The ledger changed between the two connections' reads."""


def split_date(scope: Scope, member_count: int) -> dt.date | None:
    """The scoring-period boundary nearest the middle of the read, when the scope is worth
    reading on two connections; else None."""
    if member_count < PARALLEL_MIN_MEMBERS or connection.in_atomic_block:
        return None
    plan = scope.plan
    starts = [planned.span.end + dt.timedelta(days=1) for planned in plan.periods[:-1]]
    starts = [day for day in starts if plan.read_from < day <= plan.read_to]
    if not starts:
        return None
    middle = plan.read_from + (plan.read_to - plan.read_from) / 2
    return min(starts, key=lambda day: abs(day - middle))


def chain_head(tenant_id: int) -> int | None:
    return ChainHead.objects.filter(tenant_id=tenant_id).values_list("seq", flat=True).first()


def read_in_two(scope: Scope, shape: Layout, split: dt.date) -> tuple[Rows, Rows, Rows]:
    """(sums, honors, vetoes) as `sums.read_sums` returns them, read in two halves of the
    year at once. Raises `LedgerMoved` when the ledger changed while it read."""
    tenant_id = scope.tenant.pk
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="jifen-read") as worker:
        later = worker.submit(_closing, _headed, tenant_id, scope, shape, (split, None))
        earlier_heads, earlier = _headed(tenant_id, scope, shape, (None, split))
        later_heads, (sums, unknown, honors, vetoes) = later.result()
    if len({*earlier_heads, *later_heads}) != 1:
        raise LedgerMoved
    refuse_unknown_items(scope, unknown + earlier[1])
    annual = any(item.annual_only for item in scope.scheme.items)
    _merge(sums, earlier[0], _add_sums if annual else None)
    _merge(honors, earlier[2], _highest_honor if annual else None)
    _merge(vetoes, earlier[3], _earliest_veto if annual else None)
    return sums, honors, vetoes


def _read_half(scope: Scope, shape: Layout, dates: Dates) -> Half:
    sums, unknown = read_sum_rows(scope, shape, dates)
    return (sums, unknown, *read_specials(scope, shape, dates))


def _headed(
    tenant_id: int, scope: Scope, shape: Layout, dates: Dates
) -> tuple[tuple[int | None, int | None], Half]:
    """One half, with the chain head seen just before and just after it is read."""
    before = chain_head(tenant_id)
    half = _read_half(scope, shape, dates)
    return (before, chain_head(tenant_id)), half


def _closing(function: Callable[..., T], *args: Any) -> T:
    try:
        return function(*args)
    finally:
        connection.close()  # the worker thread's own connection


Same = Callable[[tuple[Any, ...], tuple[Any, ...]], tuple[Any, ...]]
"""Two rows of one member with the same key → the one row a single read would give."""


def _merge(into: Rows, other: Rows, same: Same | None) -> None:
    """Add `other`'s rows to `into`, member by member. Rows of the two halves share a key
    only in the annual bucket (`same` is None when the scheme has no annual-only item)."""
    for member, rows in other.items():
        mine = into.get(member)
        if mine is None:
            into[member] = rows
        elif same is None:
            mine.extend(rows)
        else:
            into[member] = _combined(mine + rows, same)


def _combined(rows: list[tuple[Any, ...]], same: Same) -> list[tuple[Any, ...]]:
    by_key: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        key = _KEYS[same](row)
        found = by_key.get(key)
        by_key[key] = row if found is None else same(found, row)
    return list(by_key.values())


def _add_sums(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    return (*a[:2], *map(add, a[2:], b[2:]))


def _highest_honor(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    return a if a[4] >= b[4] else b  # (member, period, key, item, highest)


def _earliest_veto(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    return a if (a[3], a[4]) <= (b[3], b[4]) else b  # (member, period, item, day, seq)


_KEYS: dict[Same, Callable[[tuple[Any, ...]], tuple[Any, ...]]] = {
    _add_sums: lambda row: (row[1],),
    _highest_honor: lambda row: (row[1], row[2], row[3]),
    _earliest_veto: lambda row: (row[1], row[2]),
}
