"""Reads of the scoring app: evaluation over the database, and snapshots read back.

Design overview
- `evaluate_scope(scope)` evaluates a tenant or a subtree under one scheme for one period.
  The engine's input comes set-based from the database (`aggregates.py`: one GROUP BY over
  the effective ledger entries, one query of the few row items, one of the members, one of
  the exemptions); the number of queries does not grow with the number of members.
- The pure engine (`jifen.engine.evaluate_aggregates`) computes the results. It is fed the
  members in chunks, in id order, so that the traces it builds for explanations are
  dropped chunk by chunk (a district's traces would not fit in memory); the ranks, which
  need everybody, are then computed over all results by the engine's own ranking, so the
  numbers are exactly those of one `evaluate_aggregates` call over everybody.
- The inputs hash (`fingerprint.py`) is computed from the same aggregates as they are fed.
- Snapshots are read back, never recomputed: `snapshot_results(snapshot)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F, QuerySet

from jifen.engine import Evaluation, MemberResult, evaluate_aggregates
from jifen.engine.evaluate import _rank as rank_results  # the engine's one ranking rule
from jifen.orgs.models import Organisation
from jifen.scoring.aggregates import ScopeMember, ledger_aggregates, scope_members
from jifen.scoring.fingerprint import InputsHash
from jifen.scoring.models import MemberResult as MemberResultRow
from jifen.scoring.models import ResultSnapshot
from jifen.scoring.scope import Scope

CHUNK_MEMBERS = 2_000


@dataclass(frozen=True)
class ScopeEvaluation:
    scope: Scope
    evaluation: Evaluation
    """Results without traces, ordered like the engine's (rank, then member id)."""
    members: dict[str, ScopeMember]
    """Engine member id -> the member as read (pk, branch)."""
    inputs_hash: str

    @property
    def results(self) -> list[MemberResult]:
        return self.evaluation.results


def evaluate_scope(scope: Scope, *, chunk_members: int = CHUNK_MEMBERS) -> ScopeEvaluation:
    """Evaluate the scope's members over the database (see the module docstring)."""
    members = scope_members(scope)
    by_member = ledger_aggregates(scope)
    fingerprint = InputsHash(scope.scheme, scope.period)
    results: list[MemberResult] = []
    for start in range(0, len(members), chunk_members):
        chunk = members[start : start + chunk_members]
        aggregates = []
        for row in chunk:
            mine = by_member.pop(row.pk, [])
            fingerprint.add(row.member, mine)
            aggregates.extend(mine)
        evaluation = evaluate_aggregates(
            scope.scheme, [row.member for row in chunk], aggregates, scope.plan
        )
        del aggregates
        results.extend(_without_trace(result) for result in evaluation.results)
    # The engine ranked each chunk on its own: rank everybody together.
    for result in results:
        result.rank = result.category_rank = None
    rank_results(results)
    results.sort(key=lambda r: (r.rank is None, r.rank or 0, r.member.id))
    return ScopeEvaluation(
        scope,
        Evaluation(scope.scheme, scope.plan, results),
        {row.member.id: row for row in members},
        fingerprint.hexdigest(),
    )


def _without_trace(result: MemberResult) -> MemberResult:
    result.periods = []
    result.annual_part = None
    result.combinations = []
    result.dimension_combinations = []
    result.vetoes = []
    result.veto_steps = []
    return result


def snapshot_results(snapshot: ResultSnapshot) -> QuerySet[MemberResultRow]:
    """The rows of a snapshot as they were written: ranked first, then by member."""
    return MemberResultRow.objects.filter(snapshot=snapshot).order_by(
        F("rank").asc(nulls_last=True), "member_id"
    )


def snapshots_of(
    organisation: Organisation, *, period: str | None = None, scheme_code: str | None = None
) -> QuerySet[ResultSnapshot]:
    """Snapshots of an organisation's subtree, newest first."""
    snapshots = ResultSnapshot.objects.filter(
        tenant_id=organisation.tenant_id, organisation=organisation
    )
    if period is not None:
        snapshots = snapshots.filter(period=period)
    if scheme_code is not None:
        snapshots = snapshots.filter(scheme_code=scheme_code)
    return snapshots.order_by("-created_at", "-id")


def grade_counts(results: Sequence[MemberResult]) -> dict[str, int]:
    """Members per grade, in order of first appearance (by rank); '' for no grade."""
    counts: dict[str, int] = {}
    for result in results:
        grade = result.grade or ""
        counts[grade] = counts.get(grade, 0) + 1
    return counts
