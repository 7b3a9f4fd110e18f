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
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet

from jifen.engine import EntryError, Evaluation, MemberResult, evaluate_aggregates
from jifen.engine.evaluate import rank_results
from jifen.engine.fast import FastResult, SumsEvaluator, fast_path_supported, rank_fast
from jifen.engine.fast_convert import dimension_codes, from_member_result, to_member_results
from jifen.engine.ranking import member_ranks
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
from jifen.scoring.result_rows import CopyTail, copy_escaped
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

    @property
    def member_count(self) -> int:
        return len(self.rows)


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


RankKey = tuple[int | None, str]
"""(total, category) of a member as ranking reads it; total None: not ranked (no total,
or a status)."""
Tail = tuple[Any, ...] | str
"""A snapshot row after its ranks: (member pk, branch pk, total, grade, veto, category,
dimensions text, bonus, deductions), or those as COPY text (`result_rows.CopyTail`)."""


@dataclass
class CompactEvaluation:
    """A scope evaluated for its snapshot (`evaluate_for_snapshot`): the fast path's
    results in member pk order, as what ranking reads and the rest of each snapshot row,
    with their ranks (None: not ranked)."""

    scope: Scope
    keys: list[RankKey]
    tails: list[Tail]
    copy_text: bool
    """Whether the tails are COPY text (PostgreSQL) or tuples."""
    ranks: list[int | None]
    category_ranks: list[int | None]
    dimension_codes: tuple[str, ...]
    inputs_hash: str

    @property
    def member_count(self) -> int:
        return len(self.keys)


def evaluate_for_snapshot(
    scope: Scope, *, workers: int = 1, copy_text: bool | None = None
) -> CompactEvaluation:
    """The fast path (the scheme must allow it) as the summary needs it: the same results
    and inputs hash as `evaluate_scope`, with less work left to the parent process —
    each part reads its own members and renders their snapshot rows (on PostgreSQL as
    COPY text, unless `copy_text` says otherwise); the parent only ranks.
    In `workers` processes for a scope of `PARALLEL_MIN_MEMBERS` or more."""
    evaluator = SumsEvaluator(scope.scheme, scope.plan)
    as_text = connection.vendor == "postgresql" if copy_text is None else copy_text
    ranges: list[tuple[int, int] | None] = [None]
    if workers > 1 and can_fork():
        pks = list(member_queryset(scope).order_by("pk").values_list("pk", flat=True))
        bounds = _bounds(len(pks), workers)
        if len(bounds) > 2:
            ranges = [(pks[a], pks[b - 1]) for a, b in itertools.pairwise(bounds)]

    def evaluate(pks: tuple[int, int] | None) -> tuple[str, list[RankKey], list[Tail]]:
        return _compact_part(scope, evaluator, pks, as_text)

    outputs = _run_parts(scope, evaluate, ranges, None)
    fingerprint = SumsHash(scope.scheme, scope.period, evaluator.layout)
    keys: list[RankKey] = []
    tails: list[Tail] = []
    for text, part_keys, part_tails in outputs:
        fingerprint.add_text(text)
        keys.extend(part_keys)
        tails.extend(part_tails)
    ranks, category_ranks = member_ranks(keys)
    return CompactEvaluation(
        scope,
        keys,
        tails,
        as_text,
        ranks,
        category_ranks,
        evaluator.dimension_codes,
        fingerprint.hexdigest(),
    )


def _compact_part(
    scope: Scope, evaluator: SumsEvaluator, pks: tuple[int, int] | None, copy_text: bool
) -> tuple[str, list[RankKey], list[Tail]]:
    """(inputs-hash text, rank keys, row tails) of the members whose pk is in `pks` (all
    by default), which the part reads itself."""
    text, scored = _scored(scope, evaluator, scope_members(scope, pks), pks)
    keys: list[RankKey] = [
        (result.total if row.member.status == "" else None, row.member.category)
        for _, row, result in scored
    ]
    dimensions = dimensions_text(evaluator.dimension_codes, copy=copy_text)
    tails: list[Any] = [
        (row.pk, row.branch_id, r.total, r.grade or "", r.veto or "", row.member.category,
         dimensions(r.dimensions), r.bonus, r.deductions)
        for _, row, r in scored
    ]  # fmt: skip
    if copy_text:
        tail = CopyTail(dimensions_escaped=True)
        tails = [tail(*values) for values in tails]
    return text, keys, tails


def dimensions_text(
    codes: tuple[str, ...], *, copy: bool = False
) -> Callable[[tuple[int, ...]], str]:
    """The JSON text of a result's dimensions in hundredths, as Django's JSONField writes
    `{"study": "9.00", ...}` (json.dumps); `copy`: escaped for COPY text (the template
    is escaped once: the values are digits, a sign and a point)."""
    text = _CentsText().__getitem__
    template = "{" + ", ".join(f'{json.dumps(code)}: "%s"' for code in codes) + "}"
    if copy:
        template = copy_escaped(template)

    def dimensions(values: tuple[int, ...]) -> str:
        return template % tuple(map(text, values)) if values else "{}"

    return dimensions


class _CentsText(dict[int, str]):
    """Hundredths as the text `f"{Decimal:.2f}"` gives ("9.00", "-0.50"), cached: a
    district's dimensions take few distinct values (a dict's own lookup: no Python call
    per value once seen)."""

    def __missing__(self, value: int) -> str:
        sign = "-" if value < 0 else ""
        whole, cents = divmod(abs(value), 100)
        text = self[value] = f"{sign}{whole}.{cents:02d}"
        return text


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
