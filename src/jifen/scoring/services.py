"""Writes of the scoring app: the summary (汇总) that saves a result snapshot.

`summarise` evaluates a scope over the database (`selectors.evaluate_scope`) and writes
the snapshot and its member rows in one transaction together with the audit row, so a
snapshot is either whole or absent. The evaluation runs before the transaction opens: a
long read does not hold SQLite's write lock.

The member rows (100,000 for a district) go in as one statement stream straight from the
compact results (hundredths), not through model instances: COPY on PostgreSQL,
`executemany` of one INSERT on SQLite, as `jifen.ledger.services.insert_rows` writes the
ledger. The values are those the model would store: hundredths as integers, dimensions
as the JSON text Django's JSONField writes (`{"study": "9.00", ...}`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from jifen.core.audit import record
from jifen.orgs.permissions import Perm, has_org_perm
from jifen.scoring.models import MemberResult, ResultSnapshot
from jifen.scoring.scope import Scope
from jifen.scoring.selectors import ScopeEvaluation, evaluate_scope

RESULT_SNAPSHOT = "result.snapshot"
"""Audit action of a summary (the literal lives here: `core.audit.Action` is not ours)."""

RESULT_COLUMNS = (
    "snapshot_id", "member_id", "branch_id", "total_hundredths", "grade", "veto", "rank",
    "category_rank", "category", "dimensions", "bonus_hundredths", "deductions_hundredths",
)  # fmt: skip


@dataclass(frozen=True)
class Summary:
    snapshot: ResultSnapshot
    evaluation: ScopeEvaluation


def hundredths(value: Decimal | None) -> int | None:
    """Exact integer hundredths; every engine value has at most two places."""
    if value is None:
        return None
    scaled = value.scaleb(2)
    integral = int(scaled)
    if scaled != integral:
        raise ValueError(f"{value} has more than two decimal places")
    return integral


def summarise(*, actor: Any, scope: Scope, workers: int = 1) -> Summary:
    """Evaluate `scope` and save the snapshot; `actor=None` is the operator (command line),
    who may let a large scope be evaluated in `workers` processes (`parallel.py`)."""
    if actor is not None and not has_org_perm(actor, Perm.MANAGE_PERIOD, scope.organisation):
        raise PermissionDenied("无权限汇总该组织的积分结果")
    evaluation = evaluate_scope(scope, workers=workers)
    user = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        snapshot = ResultSnapshot.objects.create(
            tenant=scope.tenant,
            organisation=scope.organisation,
            scheme_code=scope.scheme.code,
            scheme_version=scope.scheme.version,
            period=scope.period,
            inputs_hash=evaluation.inputs_hash,
            member_count=len(evaluation.rows),
            created_by=user,
        )
        # In member order, not rank order: the (snapshot, member) and member indexes then
        # grow at their ends instead of everywhere (halves SQLite's insert; measured).
        insert_results(iter(sorted(_rows(snapshot, evaluation), key=itemgetter(1))))
        record(
            RESULT_SNAPSHOT,
            actor=actor,
            target=snapshot,
            tenant_id=scope.tenant.pk,
            summary=(
                f"{scope.organisation.code} {scope.scheme.code} {scope.period} "
                f"汇总 {snapshot.member_count} 名党员"
            ),
            changes={"inputs_hash": evaluation.inputs_hash, "scheme_version": scope.scheme.version},
        )
    return Summary(snapshot, evaluation)


def _rows(snapshot: ResultSnapshot, evaluation: ScopeEvaluation) -> Iterator[tuple[Any, ...]]:
    """The snapshot's member rows in `RESULT_COLUMNS` order."""
    members = evaluation.members
    codes = evaluation.dimension_codes
    text = _CentsText()
    # The JSON text of the dimensions, as json.dumps writes it (codes are plain ASCII).
    template = "{" + ", ".join(f'{json.dumps(code)}: "%s"' for code in codes) + "}"
    for result in evaluation.rows:
        member = members[result.member.id]
        dims = result.dimensions
        yield (
            snapshot.pk,
            member.pk,
            member.branch_id,
            result.total,
            result.grade or "",
            result.veto or "",
            result.rank,
            result.category_rank,
            result.member.category,
            template % tuple(map(text, dims)) if dims else "{}",
            result.bonus,
            result.deductions,
        )


class _CentsText:
    """Hundredths as the text `f"{Decimal:.2f}"` gives ("9.00", "-0.50"), cached: a
    district's dimensions take few distinct values."""

    def __init__(self) -> None:
        self._cache: dict[int, str] = {}

    def __call__(self, value: int) -> str:
        found = self._cache.get(value)
        if found is None:
            sign = "-" if value < 0 else ""
            whole, cents = divmod(abs(value), 100)
            found = self._cache[value] = f"{sign}{whole}.{cents:02d}"
        return found


def insert_results(rows: Iterator[tuple[Any, ...]]) -> None:
    """Insert snapshot member rows (in `RESULT_COLUMNS` order) in one statement stream."""
    table = MemberResult._meta.db_table
    columns = ", ".join(RESULT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor: COPY is its business
            with connection.wrap_database_errors:
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(RESULT_COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(rows))
