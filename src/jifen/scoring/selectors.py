"""Reads of the scoring app: evaluation over the database, and snapshots read back.

Design overview
- `evaluate_scope(scope)` evaluates a tenant or a subtree under one scheme for one period,
  by one of two paths with the same results; the number of queries never grows with the
  number of members.
- **Fast path** (the scheme has no item limits, `jifen.engine.fast.fast_path_supported`;
  every preset): per-(member, scoring period) sums with one column per dimension or pool,
  the de-duplicated honors' maxima and the veto entries come from one scan of the ledger
  (`sums.py`), and `fast.SumsEvaluator` computes results only, in integer hundredths,
  member by member. With `workers` > 1 (the command line) a scope of
  `PARALLEL_MIN_MEMBERS` or more is cut into contiguous member ranges, each read and
  evaluated in a forked process (`parallel.py`); the parts' results and inputs-hash text
  are joined in member order, so nothing depends on the number of workers.
- **Full path** (otherwise): the engine's `Aggregate`s from one GROUP BY and one query of
  the row items (`aggregates.py`), fed to the pure engine (`evaluate_aggregates`) in
  chunks of members, in id order, so that the traces it builds are dropped chunk by chunk.
- Either way the ranks, which need everybody, are computed over all results at the end
  by the engine's own ranking rule, and the inputs hash (`fingerprint.py`) is computed
  from exactly what the path read, member by member in id order.
- The summary reads through `evaluate_for_snapshot`: the fast path again, but each part
  reads its own members and returns plain rows in the snapshot's shape, so the parent
  process only ranks (a district's parent used to spend 2 s reading members and turning
  results into objects and rows). Same results, ranks and inputs hash (tested).
- The results are kept compact (`fast.FastResult`: hundredths, the snapshot's shape);
  `ScopeEvaluation.evaluation` gives them as the engine's `MemberResult`s on demand.
- Snapshots are read back, never recomputed: `snapshot_results(snapshot)`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import F, QuerySet

from jifen.engine import EntryError, Evaluation, MemberResult, evaluate_aggregates
from jifen.engine.evaluate import rank_results
from jifen.engine.fast import FastResult, SumsEvaluator, fast_path_supported, rank_fast
from jifen.engine.fast_convert import dimension_codes, from_member_result, to_member_results
from jifen.engine.ranking import competition_ranks
from jifen.ledger.models import ChainHead
from jifen.orgs.models import Organisation
from jifen.scoring.aggregates import (
    ScopeMember,
    ledger_aggregates,
    member_queryset,
    scope_members,
)
from jifen.scoring.fingerprint import InputsHash, SumsHash, SumsLines
from jifen.scoring.models import MemberResult as MemberResultRow
from jifen.scoring.models import ResultSnapshot
from jifen.scoring.parallel import WorkerFailed, can_fork, fork_map
from jifen.scoring.scope import Scope
from jifen.scoring.sums import read_sums, refuse_unknown_items

CHUNK_MEMBERS = 2_000
PARALLEL_MIN_MEMBERS = 20_000
"""Below this a scope is evaluated in one process: a fork costs more than it saves."""
_NONE: tuple[()] = ()


@dataclass
class ScopeEvaluation:
    scope: Scope
    rows: list[FastResult]
    """The results in hundredths, ordered like the engine's (rank, then member id)."""
    dimension_codes: tuple[str, ...]
    """The order of `FastResult.dimensions`."""
    members: dict[str, ScopeMember]
    """Engine member id -> the member as read (pk, branch)."""
    inputs_hash: str
    fast: bool
    """Which path computed the results."""
    _evaluation: Evaluation | None = field(default=None, repr=False)

    @property
    def evaluation(self) -> Evaluation:
        """The results as the engine's `MemberResult`s (Decimals), without traces."""
        if self._evaluation is None:
            results = to_member_results(self.dimension_codes, self.rows)
            self._evaluation = Evaluation(self.scope.scheme, self.scope.plan, results)
        return self._evaluation

    @property
    def results(self) -> list[MemberResult]:
        return self.evaluation.results


def evaluate_scope(
    scope: Scope,
    *,
    chunk_members: int = CHUNK_MEMBERS,
    fast: bool | None = None,
    workers: int = 1,
) -> ScopeEvaluation:
    """Evaluate the scope's members over the database (see the module docstring).

    `fast=None` takes the fast path whenever the scheme allows it; `fast=False` forces the
    full path (the tests compare the two). `workers` > 1 lets the fast path evaluate a
    large scope in that many processes (`parallel.py`; the command line's choice)."""
    use_fast = fast_path_supported(scope.scheme) if fast is None else fast
    if use_fast:
        return _evaluate_fast(scope, workers)
    return _evaluate_full(scope, chunk_members)


@dataclass(frozen=True)
class _Part:
    """Members [start, stop) of the scope's list, whose pks are `pks` (inclusive)."""

    start: int
    stop: int
    pks: tuple[int, int] | None


def _parts(members: Sequence[ScopeMember], workers: int) -> list[_Part]:
    """Consecutive runs of members (pk order) for `workers` processes, or one part of all
    (no pk filter) when the scope is small or workers cannot be used."""
    bounds = _bounds(len(members), workers)
    return [
        _Part(start, stop, (members[start].pk, members[stop - 1].pk) if len(bounds) > 2 else None)
        for start, stop in itertools.pairwise(bounds)
    ]


def _bounds(count: int, workers: int) -> list[int]:
    """Where `count` members in pk order are cut for `workers` processes: [0, count] alone
    when the scope is small or workers cannot be used."""
    if workers < 2 or count < PARALLEL_MIN_MEMBERS or not can_fork():
        return [0, count]
    return [count * k // workers for k in range(workers + 1)]


def _run_parts(scope: Scope, evaluate: Callable[[Any], Any], parts: list[Any], whole: Any) -> Any:
    """[evaluate(part) for part in parts], in worker processes when there are several;
    the ledger's head is compared before and after, and a moved ledger is read again as
    `whole` in this process. A worker's EntryError is raised with the whole scope's
    message, as one process gives it."""
    if len(parts) == 1:
        return [evaluate(parts[0])]
    head = _chain_head(scope)
    try:
        outputs = fork_map(evaluate, parts)
    except WorkerFailed as failed:
        if failed.kind == EntryError.__name__:
            refuse_unknown_items(scope)
        raise
    if _chain_head(scope) != head:  # the ledger moved while the parts were read
        outputs = [evaluate(whole)]
    return outputs


def _evaluate_fast(scope: Scope, workers: int = 1) -> ScopeEvaluation:
    members = scope_members(scope)
    evaluator = SumsEvaluator(scope.scheme, scope.plan)

    def evaluate(part: _Part) -> tuple[str, list[tuple[Any, ...]]]:
        return _evaluate_part(scope, evaluator, members, part)

    whole = _Part(0, len(members), None)
    outputs = _run_parts(scope, evaluate, _parts(members, workers), whole)
    fingerprint = SumsHash(scope.scheme, scope.period, evaluator.layout)
    results: list[FastResult] = []
    for text, rows in outputs:
        fingerprint.add_text(text)
        results.extend(FastResult(members[index].member, *row) for index, *row in rows)
    rank_fast(results)
    return ScopeEvaluation(
        scope,
        results,
        evaluator.dimension_codes,
        {row.member.id: row for row in members},
        fingerprint.hexdigest(),
        fast=True,
    )


def _evaluate_part(
    scope: Scope, evaluator: SumsEvaluator, members: Sequence[ScopeMember], part: _Part
) -> tuple[str, list[tuple[Any, ...]]]:
    """(the part's inputs-hash text, its results as (index in `members`, FastResult fields
    after the member)): plain data, cheap to send from a worker."""
    text, scored = _scored(scope, evaluator, members[part.start : part.stop], part.pks)
    rows = [
        (part.start + at, result.total, result.grade, result.veto, result.dimensions,
         result.bonus, result.deductions)
        for at, _, result in scored
    ]  # fmt: skip
    return text, rows


def _scored(
    scope: Scope,
    evaluator: SumsEvaluator,
    members: Sequence[ScopeMember],
    pks: tuple[int, int] | None,
) -> tuple[str, list[tuple[int, ScopeMember, FastResult]]]:
    """One part: its sums read, then each member's inputs-hash lines and result, as
    (inputs-hash text, [(position in `members`, member, result)] of the members with a
    result). `pks` bounds the read (None: the whole scope); `members` are the part's."""
    sums, honors, vetoes = read_sums(scope, evaluator.layout, pks)
    lines, score = SumsLines(evaluator.layout), evaluator.member
    pop_sums, pop_honors, pop_vetoes = sums.pop, honors.pop, vetoes.pop
    texts: list[str] = []
    scored: list[tuple[int, ScopeMember, FastResult]] = []
    for at, row in enumerate(members):
        mine = pop_sums(row.pk, _NONE), pop_honors(row.pk, _NONE), pop_vetoes(row.pk, _NONE)
        texts.append(lines(row.member, *mine))
        result = score(row.member, *mine)
        if result is not None:
            scored.append((at, row, result))
    return "".join(texts), scored


class MemberRow(NamedTuple):
    """One member's result as a snapshot stores it (hundredths), before its ranks; a plain
    tuple on its way from a worker (a dataclass costs its own pickling per member)."""

    pk: int
    branch_id: int
    category: str
    rankable: bool
    """A total and no status: ranked."""
    total: int | None
    grade: str
    veto: str
    dimensions: str
    """As the snapshot's JSON text (`dimensions_text`)."""
    bonus: int | None
    deductions: int | None


@dataclass
class CompactEvaluation:
    """A scope evaluated for its snapshot (`evaluate_for_snapshot`): the fast path's
    results in member pk order, with their ranks (None: not ranked)."""

    scope: Scope
    rows: list[MemberRow]
    ranks: list[int | None]
    category_ranks: list[int | None]
    dimension_codes: tuple[str, ...]
    inputs_hash: str


def evaluate_for_snapshot(scope: Scope, *, workers: int = 1) -> CompactEvaluation:
    """The fast path (the scheme must allow it) as the summary needs it: the same results
    and inputs hash as `evaluate_scope`, with less work left to the parent process —
    each part reads its own members and returns plain rows; the parent only ranks.
    In `workers` processes for a scope of `PARALLEL_MIN_MEMBERS` or more."""
    evaluator = SumsEvaluator(scope.scheme, scope.plan)
    ranges: list[tuple[int, int] | None] = [None]
    if workers > 1 and can_fork():
        pks = list(member_queryset(scope).order_by("pk").values_list("pk", flat=True))
        bounds = _bounds(len(pks), workers)
        if len(bounds) > 2:
            ranges = [(pks[a], pks[b - 1]) for a, b in itertools.pairwise(bounds)]

    def evaluate(pks: tuple[int, int] | None) -> tuple[str, list[tuple[Any, ...]]]:
        return _compact_part(scope, evaluator, pks)

    outputs = _run_parts(scope, evaluate, ranges, None)
    fingerprint = SumsHash(scope.scheme, scope.period, evaluator.layout)
    rows: list[MemberRow] = []
    for text, part_rows in outputs:
        fingerprint.add_text(text)
        rows.extend(map(MemberRow._make, part_rows))
    ranks, category_ranks = _ranks(rows)
    return CompactEvaluation(
        scope, rows, ranks, category_ranks, evaluator.dimension_codes, fingerprint.hexdigest()
    )


def _compact_part(
    scope: Scope, evaluator: SumsEvaluator, pks: tuple[int, int] | None
) -> tuple[str, list[tuple[Any, ...]]]:
    """(inputs-hash text, results as `MemberRow` fields) of the members whose pk is in
    `pks` (all by default), which the part reads itself."""
    text, scored = _scored(scope, evaluator, scope_members(scope, pks), pks)
    dimensions = dimensions_text(evaluator.dimension_codes)
    rows = [
        (row.pk, row.branch_id, row.member.category,
         result.total is not None and row.member.status == "",
         result.total, result.grade or "", result.veto or "",
         dimensions(result.dimensions), result.bonus, result.deductions)
        for _, row, result in scored
    ]  # fmt: skip
    return text, rows


def dimensions_text(codes: tuple[str, ...]) -> Callable[[tuple[int, ...]], str]:
    """The JSON text of a result's dimensions in hundredths, as Django's JSONField writes
    `{"study": "9.00", ...}` (json.dumps; the codes are plain ASCII)."""
    text = _CentsText()
    template = "{" + ", ".join(f'{json.dumps(code)}: "%s"' for code in codes) + "}"

    def dimensions(values: tuple[int, ...]) -> str:
        return template % tuple(map(text, values)) if values else "{}"

    return dimensions


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


def _ranks(rows: Sequence[MemberRow]) -> tuple[list[int | None], list[int | None]]:
    """Competition ranks of the rows with a total and no status, overall and per category
    (`fast.rank_fast`'s rule), aligned with `rows`."""
    ranks: list[int | None] = [None] * len(rows)
    category_ranks: list[int | None] = [None] * len(rows)
    ranked = [i for i, row in enumerate(rows) if row.rankable and row.total is not None]
    totals = [rows[i].total for i in ranked]
    by_category: dict[str, list[int]] = {}
    for i, rank in zip(ranked, competition_ranks(totals), strict=True):
        ranks[i] = rank
        by_category.setdefault(rows[i].category, []).append(i)
    for indexes in by_category.values():
        within = competition_ranks([rows[i].total for i in indexes])
        for i, rank in zip(indexes, within, strict=True):
            category_ranks[i] = rank
    return ranks, category_ranks


def _chain_head(scope: Scope) -> int | None:
    """The tenant's last ledger seq: equal before and after means nothing was posted."""
    return ChainHead.objects.filter(tenant_id=scope.tenant.pk).values_list("seq", flat=True).first()


def _evaluate_full(scope: Scope, chunk_members: int) -> ScopeEvaluation:
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
    codes = dimension_codes(scope.scheme, scope.plan)
    return ScopeEvaluation(
        scope,
        [from_member_result(codes, result) for result in results],
        codes,
        {row.member.id: row for row in members},
        fingerprint.hexdigest(),
        fast=False,
        _evaluation=Evaluation(scope.scheme, scope.plan, results),
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
