"""Writes of the scoring app: the summary (汇总) that saves a result snapshot.

`summarise` evaluates a scope over the database (`selectors.evaluate_scope`) and writes
the snapshot and its member rows with `bulk_create` in one transaction together with the
audit row, so a snapshot is either whole or absent. The evaluation runs before the
transaction opens: a long read does not hold SQLite's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from jifen.core.audit import record
from jifen.orgs.permissions import Perm, has_org_perm
from jifen.scoring.models import MemberResult, ResultSnapshot
from jifen.scoring.scope import Scope
from jifen.scoring.selectors import ScopeEvaluation, evaluate_scope

RESULT_SNAPSHOT = "result.snapshot"
"""Audit action of a summary (the literal lives here: `core.audit.Action` is not ours)."""

BATCH = 5_000


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


def summarise(*, actor: Any, scope: Scope) -> Summary:
    """Evaluate `scope` and save the snapshot; `actor=None` is the operator (command line)."""
    if actor is not None and not has_org_perm(actor, Perm.MANAGE_PERIOD, scope.organisation):
        raise PermissionDenied("无权限汇总该组织的积分结果")
    evaluation = evaluate_scope(scope)
    user = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        snapshot = ResultSnapshot.objects.create(
            tenant=scope.tenant,
            organisation=scope.organisation,
            scheme_code=scope.scheme.code,
            scheme_version=scope.scheme.version,
            period=scope.period,
            inputs_hash=evaluation.inputs_hash,
            member_count=len(evaluation.results),
            created_by=user,
        )
        MemberResult.objects.bulk_create(_rows(snapshot, evaluation), batch_size=BATCH)
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


def _rows(snapshot: ResultSnapshot, evaluation: ScopeEvaluation) -> list[MemberResult]:
    members = evaluation.members
    rows = []
    for result in evaluation.results:
        member = members[result.member.id]
        rows.append(
            MemberResult(
                snapshot=snapshot,
                member_id=member.pk,
                branch_id=member.branch_id,
                total_hundredths=hundredths(result.total),
                grade=result.grade or "",
                veto=result.veto or "",
                rank=result.rank,
                category_rank=result.category_rank,
                category=result.member.category,
                dimensions={code: f"{value:.2f}" for code, value in result.dimensions.items()},
                bonus_hundredths=hundredths(result.bonus),
                deductions_hundredths=hundredths(result.deductions),
            )
        )
    return rows
