"""The year end in several processes (`jifen.scoring.parallel`): the same rows and inputs
hash as one process, failures reported, never inside a transaction.

The database tests need workers that open their own connection to committed data:
PostgreSQL with transactional tests. SQLite's test database lives in memory, which a
forked worker cannot open, so those tests are skipped there (with the reason) and the
fallback to one process is tested instead.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from jifen.engine import EntryError, load_scheme
from jifen.engine.fast import layout
from jifen.scoring import selectors
from jifen.scoring.parallel import WorkerFailed, can_fork, cyclic_gc_paused, fork_map
from jifen.scoring.scope import resolve_scope
from jifen.scoring.selectors import evaluate_for_snapshot, evaluate_scope

from .compact import compact_rows, compact_rows_of
from .test_specials import some_points

FAST_SCHEME = str(Path(__file__).resolve().parent / "fast_mixed.toml")


def _payload(part: int) -> tuple[int, bytes]:
    return part, bytes([part]) * (3_000_000 if part == 2 else 10)


def _fail_in_second(part: int) -> int:
    if part == 1:
        raise ValueError("第二部分失败")
    return part


def _fail_in_parent(part: int) -> int:
    if part == 0:
        raise KeyError("parent")
    return part


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _collector_state(part: int) -> bool:
    return gc.isenabled()


def test_the_collector_pauses_for_a_bulk_evaluation_and_its_workers_then_resumes() -> None:
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert fork_map(_collector_state, [0, 1]) == [False, False]
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # an inner pause leaves the outer one in force
    assert gc.isenabled()
    with pytest.raises(KeyError), cyclic_gc_paused():
        raise KeyError("失败")
    assert gc.isenabled()


def test_fork_map_returns_the_parts_in_order_also_beyond_a_pipe_buffer() -> None:
    results = fork_map(_payload, [0, 1, 2, 3])
    assert [part for part, _ in results] == [0, 1, 2, 3]
    assert len(results[2][1]) == 3_000_000 and set(results[2][1]) == {2}
    assert _no_children_left()


def test_a_worker_failure_names_its_exception() -> None:
    with pytest.raises(WorkerFailed, match="ValueError") as raised:
        fork_map(_fail_in_second, [0, 1, 2])
    assert raised.value.kind == "ValueError"
    assert "第二部分失败" in str(raised.value)
    assert _no_children_left()


def test_the_parents_own_failure_is_raised_and_the_workers_reaped() -> None:
    with pytest.raises(KeyError):
        fork_map(_fail_in_parent, [0, 1, 2])
    assert _no_children_left()


@pytest.mark.django_db
def test_no_workers_inside_a_transaction_or_on_an_in_memory_database() -> None:
    with transaction.atomic():
        assert not can_fork()
    if connection.vendor == "sqlite":
        assert not can_fork()  # the test database is in memory


def _district(world: Any, scheme_code: str, size: int, seed: int) -> Any:
    """A branch of `size` members with deductions, honors, annual-only items, a veto
    (several entries of it in one period) and reversals."""
    scheme = load_scheme(scheme_code)
    shape = layout(scheme)
    rng = random.Random(seed)
    branch = world.branch(scheme_code)
    members = [world.member(branch, category=rng.choice("ABCD")) for _ in range(size)]
    honors = [scheme.item(code) for code in shape.honor_items]
    summed = [scheme.item(code) for column in shape.columns for code in column.items]
    annual = [item for item in scheme.items if item.annual_only]
    rows = []
    for member in members:
        for _ in range(5):
            pool = honors if honors and rng.random() < 0.2 else summed
            item = rng.choice(pool)
            key = rng.choice(["优秀党员", "先进,个人"]) if item in honors else ""
            day = dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))
            rows.append((member, item.code, some_points(item, rng), day, rng.choice([1, 2]), key))
        for item in annual[:1]:
            rows.append((member, item.code, some_points(item, rng), dt.date(2025, 6, 1), 1, ""))
    if shape.veto_items:
        veto = scheme.item(shape.veto_items[0])
        assert veto is not None
        for member, month in [(members[-1], 3), (members[-1], 2), (members[size // 2], 9)]:
            rows.append((member, veto.code, some_points(veto, rng), dt.date(2025, month, 1), 1, ""))
    posted = world.post(rows)
    for entry in posted[::13]:
        world.reverse(entry)
    return branch


def _snapshot_of(evaluation: Any) -> list[tuple[Any, ...]]:
    return [
        (r.member.id, r.total, r.grade, r.veto, r.dimensions, r.bonus, r.deductions, r.rank,
         r.category_rank)
        for r in evaluation.rows
    ]  # fmt: skip


IN_MEMORY = (
    "SQLite's test database is in memory: a forked worker cannot open it "
    "(the workers are measured on SQLite files by bench/evaluate_year.py)"
)
forkable = pytest.mark.skipif(connection.vendor == "sqlite", reason=IN_MEMORY)


@forkable
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "scheme_code", ["s002", "s001", FAST_SCHEME], ids=["s002", "s001", "mixed"]
)
def test_workers_give_the_rows_and_inputs_hash_of_one_process(
    world: Any, scheme_code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    branch = _district(world, scheme_code, 41, seed=len(scheme_code))
    monkeypatch.setattr(selectors, "PARALLEL_MIN_MEMBERS", 2)
    scope = resolve_scope(tenant=world.tenant, organisation=branch, period="2025")
    one = evaluate_scope(scope, workers=1)
    assert len(selectors._parts(list(one.members.values()), 3)) == 3
    for workers in (2, 3):
        several = evaluate_scope(scope, workers=workers)
        assert several.inputs_hash == one.inputs_hash
        assert _snapshot_of(several) == _snapshot_of(one)
    # The summary's reading: members read by each worker, plain rows back, ranks after.
    for workers in (1, 2, 3):
        compact = evaluate_for_snapshot(scope, workers=workers)
        assert compact.inputs_hash == one.inputs_hash
        assert compact_rows(compact) == compact_rows_of(one)
    assert any(row.veto for row in one.rows) or scheme_code == FAST_SCHEME


@forkable
@pytest.mark.django_db(transaction=True)
def test_an_unknown_item_read_by_a_worker_is_refused_as_in_one_process(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    branch = _district(world, "s002", 12, seed=3)
    stranger = world.member(branch)  # the last pk: read by the worker
    points = some_points(load_scheme("s002").items[0], random.Random(1))
    world.post([(stranger, "no_such_item", points, dt.date(2025, 4, 1), 1, "")])
    monkeypatch.setattr(selectors, "PARALLEL_MIN_MEMBERS", 2)
    scope = resolve_scope(tenant=world.tenant, organisation=branch, period="2025")
    with pytest.raises(EntryError) as alone:
        evaluate_scope(scope, workers=1)
    with pytest.raises(EntryError) as together:
        evaluate_scope(scope, workers=2)
    assert str(together.value) == str(alone.value)
    with pytest.raises(EntryError) as summary:
        evaluate_for_snapshot(scope, workers=2)
    assert str(summary.value) == str(alone.value)
    assert "no_such_item" in str(alone.value)


@forkable
@pytest.mark.django_db(transaction=True)
def test_when_the_ledger_moves_during_the_parts_the_scope_is_read_again_at_once(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    branch = _district(world, "s002", 20, seed=5)
    scope = resolve_scope(tenant=world.tenant, organisation=branch, period="2025")
    one = evaluate_scope(scope, workers=1)
    heads = iter([1, 2])  # before and after the parts: somebody posted in between
    monkeypatch.setattr(selectors, "PARALLEL_MIN_MEMBERS", 2)
    monkeypatch.setattr(selectors, "_chain_head", lambda scope: next(heads))
    reads: list[Any] = []
    real_read = selectors.read_sums

    def read_sums(*args: Any) -> Any:
        reads.append(args[2])
        return real_read(*args)

    monkeypatch.setattr(selectors, "read_sums", read_sums)
    again = evaluate_scope(scope, workers=2)
    assert reads[-1] is None  # the last read was of the whole scope, in this process
    assert again.inputs_hash == one.inputs_hash
    assert _snapshot_of(again) == _snapshot_of(one)
