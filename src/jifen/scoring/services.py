"""Writes of the scoring app: the summary (汇总) that saves a result snapshot.

`summarise` evaluates a scope over the database (`selectors.evaluate_scope`) and writes
the snapshot and its member rows in one transaction together with the audit row, so a
snapshot is either whole or absent. The evaluation runs before the transaction opens: a
long read does not hold SQLite's write lock.

The member rows (100,000 for a district) go in as one statement stream straight from the
compact results (hundredths), not through model instances (`result_rows.py`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jifen.core.audit import record
from jifen.engine.fast import fast_path_supported
from jifen.orgs.permissions import Perm, has_org_perm
from jifen.scoring.models import ResultSnapshot
from jifen.scoring.parallel import cyclic_gc_paused
from jifen.scoring.result_rows import copy_lines, write_copy, write_rows
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
    fast = fast_path_supported(scope.scheme)
    # The fast path piles up plain acyclic rows: the cyclic collector would only walk
    # them, again and again (`parallel.cyclic_gc_paused`).
    with cyclic_gc_paused() if fast else contextlib.nullcontext():
        evaluation: ScopeEvaluation | CompactEvaluation
        if fast:
            evaluation = evaluate_for_snapshot(scope, workers=workers)
        else:
            evaluation = evaluate_scope(scope, workers=workers)
        snapshot = _save(actor, scope, evaluation)
    return Summary(snapshot, evaluation)


def _save(
    actor: Any, scope: Scope, evaluation: ScopeEvaluation | CompactEvaluation
) -> ResultSnapshot:
    """The snapshot, its rows and the audit row, in one transaction."""
    user = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        snapshot = ResultSnapshot.objects.create(
            tenant=scope.tenant,
            organisation=scope.organisation,
            scheme_code=scope.scheme.code,
            scheme_version=scope.scheme.version,
            period=scope.period,
            inputs_hash=evaluation.inputs_hash,
            member_count=evaluation.member_count,
            created_by=user,
        )
        # In member order, not rank order (both row builders give it): the (snapshot,
        # member) and member indexes then grow at their ends instead of everywhere
        # (halves SQLite's insert; measured).
        if isinstance(evaluation, CompactEvaluation):
            _write_compact(snapshot, evaluation)
        else:
            _write_full(snapshot, evaluation)
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
    return snapshot


def _write_compact(snapshot: ResultSnapshot, evaluation: CompactEvaluation) -> None:
    """The rows of a `CompactEvaluation` (member pk order): its parts rendered all of each
    row but the ranks (`result_rows`)."""
    ranked = zip(evaluation.ranks, evaluation.category_ranks, evaluation.tails, strict=True)
    if evaluation.copy_text:
        write_copy(copy_lines(snapshot.pk, ranked))  # type: ignore[arg-type]
    else:
        write_rows(snapshot.pk, ((rank, crank, *tail) for rank, crank, tail in ranked))


def _write_full(snapshot: ResultSnapshot, evaluation: ScopeEvaluation) -> None:
    """The rows of a `ScopeEvaluation` (ranked order), written by member pk."""
    members = evaluation.members
    dimensions = dimensions_text(evaluation.dimension_codes)
    rows = []
    for result in sorted(evaluation.rows, key=lambda r: members[r.member.id].pk):
        member = members[result.member.id]
        rows.append(
            (result.rank, result.category_rank, member.pk, member.branch_id, result.total,
             result.grade or "", result.veto or "", result.member.category,
             dimensions(result.dimensions), result.bonus, result.deductions)
        )  # fmt: skip
    write_rows(snapshot.pk, rows)
