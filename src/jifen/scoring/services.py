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

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from jifen.core.audit import record
from jifen.engine.fast import fast_path_supported
from jifen.orgs.permissions import Perm, has_org_perm
from jifen.scoring.models import MemberResult, ResultSnapshot
from jifen.scoring.scope import Scope
from jifen.scoring.selectors import (
    CompactEvaluation,
    ScopeEvaluation,
    dimensions_text,
    evaluate_for_snapshot,
    evaluate_scope,
)

RESULT_SNAPSHOT = "result.snapshot"
"""Audit action of a summary (the literal lives here: `core.audit.Action` is not ours)."""

RESULT_COLUMNS = (
    "snapshot_id", "member_id", "branch_id", "total_hundredths", "grade", "veto", "rank",
    "category_rank", "category", "dimensions", "bonus_hundredths", "deductions_hundredths",
)  # fmt: skip


@dataclass(frozen=True)
class Summary:
    snapshot: ResultSnapshot
    evaluation: ScopeEvaluation | CompactEvaluation


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
    evaluation: ScopeEvaluation | CompactEvaluation
    if fast_path_supported(scope.scheme):
        evaluation = evaluate_for_snapshot(scope, workers=workers)
        rows = _compact_rows
    else:
        evaluation = evaluate_scope(scope, workers=workers)
        rows = _rows
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
        # In member order, not rank order (both row builders give it): the (snapshot,
        # member) and member indexes then grow at their ends instead of everywhere
        # (halves SQLite's insert; measured).
        insert_results(rows(snapshot, evaluation))
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


def _compact_rows(snapshot: ResultSnapshot, evaluation: Any) -> Iterator[tuple[Any, ...]]:
    """The member rows of a `CompactEvaluation` (member pk order), in `RESULT_COLUMNS`
    order."""
    for row, rank, category_rank in zip(
        evaluation.rows, evaluation.ranks, evaluation.category_ranks, strict=True
    ):
        yield (
            snapshot.pk, row.pk, row.branch_id, row.total, row.grade, row.veto, rank,
            category_rank, row.category, row.dimensions, row.bonus, row.deductions,
        )  # fmt: skip


def _rows(snapshot: ResultSnapshot, evaluation: Any) -> Iterator[tuple[Any, ...]]:
    """The member rows of a `ScopeEvaluation` (ranked order) in `RESULT_COLUMNS` order,
    by member pk."""
    members = evaluation.members
    dimensions = dimensions_text(evaluation.dimension_codes)
    for result in sorted(evaluation.rows, key=lambda r: members[r.member.id].pk):
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
            dimensions(dims),
            result.bonus,
            result.deductions,
        )


def insert_results(rows: Iterator[tuple[Any, ...]]) -> None:
    """Insert snapshot member rows (in `RESULT_COLUMNS` order) in one statement stream."""
    table = MemberResult._meta.db_table
    columns = ", ".join(RESULT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor: COPY is its business
            with connection.wrap_database_errors:
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for chunk in _copy_text(rows):
                        copy.write(chunk)
            return
        placeholders = ", ".join(["%s"] * len(RESULT_COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(rows))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_CHUNK = 10_000


def _copy_text(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    """Snapshot rows as COPY's text format, `COPY_CHUNK` rows per string: one f-string per
    row instead of psycopg's per-value `write_row` (0.8 s for a district's 100,000 rows).
    Integers or None, except grade, veto, category and dimensions, which are escaped."""
    escaped: dict[str, str] = {}

    def text(value: str) -> str:
        found = escaped.get(value)
        if found is None:
            found = escaped[value] = value.translate(_COPY_ESCAPES)
        return found

    def number(value: int | None) -> str:
        return "\\N" if value is None else str(value)

    lines: list[str] = []
    for (
        snapshot,
        member,
        branch,
        total,
        grade,
        veto,
        rank,
        crank,
        category,
        dims,
        bonus,
        ded,
    ) in rows:
        lines.append(
            f"{snapshot}\t{member}\t{branch}\t{number(total)}\t{text(grade)}\t{text(veto)}\t"
            f"{number(rank)}\t{number(crank)}\t{text(category)}\t{text(dims)}\t"
            f"{number(bonus)}\t{number(ded)}\n"
        )
        if len(lines) == COPY_CHUNK:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)
