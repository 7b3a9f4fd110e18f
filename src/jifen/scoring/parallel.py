"""The fast path's read of a large scope on two database connections at once.

Why: a district's year-end read is two long set-based queries (the sums and the specials,
`sums.py`) during which Python waits, followed by the evaluation in Python during which
the database idles. On a server with two or more cores a second connection (a worker
thread) reads the specials and then the sums of the upper half of the members, while this
thread reads the lower half's sums and evaluates that half; the worker's queries run in
the database's own code (SQLite and psycopg release the GIL while a statement runs), so
the two overlap.

Consistency: each statement reads its own snapshot (the read runs outside a transaction,
as the one-connection read does). Every ledger write moves its tenant's chain head
(`ChainHead.seq`) in the same transaction, so when both connections see the same head
before their first and after their last query, every query read the same ledger; when
they do not, `LedgerMoved` tells the caller to read again on one connection.

Not used inside a transaction (a second connection would not see its uncommitted writes)
nor for small scopes, where a thread and a connection cost more than they save.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import connection

from jifen.engine.fast import SumsEvaluator
from jifen.ledger.models import ChainHead
from jifen.scoring.aggregates import ScopeMember
from jifen.scoring.scope import Scope
from jifen.scoring.sums import Rows, read_specials, read_sum_rows, refuse_unknown_items

PARALLEL_MIN_MEMBERS = 5_000
T = TypeVar("T")


class LedgerMoved(Exception):
    """The ledger changed between the two connections' reads."""


def can_read_in_parallel(member_count: int) -> bool:
    return member_count >= PARALLEL_MIN_MEMBERS and not connection.in_atomic_block


def chain_head(tenant_id: int) -> int | None:
    return ChainHead.objects.filter(tenant_id=tenant_id).values_list("seq", flat=True).first()


Score = Callable[[Sequence[ScopeMember], Rows, Rows, Rows], None]


def read_and_score_in_two(
    scope: Scope, members: Sequence[ScopeMember], evaluator: SumsEvaluator, score: Score
) -> None:
    """Read the scope as `sums.read_sums` does and call `score(members, sums, honors,
    vetoes)` for the lower then the upper half of `members` (in pk order)."""
    tenant_id, shape = scope.tenant.pk, evaluator.layout
    half = len(members) // 2
    split = members[half].pk
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="jifen-read") as worker:
        # One worker thread, one connection: the specials first (both halves need them),
        # then the upper half's sums; the connection is closed by the last task.
        specials = worker.submit(_headed, tenant_id, lambda: read_specials(scope, shape))
        upper = worker.submit(
            _closing, _headed, tenant_id, lambda: read_sum_rows(scope, shape, (split, None))
        )
        head = chain_head(tenant_id)
        lower_sums, lower_unknown = read_sum_rows(scope, shape, (None, split))
        specials_heads, (honors, vetoes) = specials.result()
        score(members[:half], lower_sums, honors, vetoes)
        del lower_sums
        upper_heads, (upper_sums, upper_unknown) = upper.result()
    heads = {head, chain_head(tenant_id), *specials_heads, *upper_heads}
    if len(heads) != 1:
        raise LedgerMoved
    refuse_unknown_items(scope, lower_unknown + upper_unknown)
    score(members[half:], upper_sums, honors, vetoes)


def _headed(tenant_id: int, read: Callable[[], T]) -> tuple[tuple[int | None, int | None], T]:
    """`read()` with the chain head seen just before and just after it."""
    before = chain_head(tenant_id)
    value = read()
    return (before, chain_head(tenant_id)), value


def _closing(function: Callable[..., T], *args: Any) -> T:
    try:
        return function(*args)
    finally:
        connection.close()  # this thread's connection
