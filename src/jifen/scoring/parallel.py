"""Run parts of one evaluation in forked worker processes, each on its own connection.

Why processes: a district's year end is one ledger scan and a rules loop over 100,000
members, and both split by member without changing a number. Threads do not help here:
Python's `sqlite3` gave no parallelism between two threads on two connections (two
scans together took 2.1× one scan), and the rules loop holds the GIL. Forked processes
scanned two halves in 0.64× the time of one whole scan on two cores.

Rules (`can_fork`): only on a system with `fork`, never inside a transaction (a worker's
own connection could not see what the transaction has written), and never on an
in-memory SQLite database (a worker cannot open it). The parent runs the first part
itself; each worker runs one more and sends its result back through a pipe (pickle),
then leaves with `os._exit` so that nothing of the parent (its connections, atexit
handlers, buffered output) is closed or flushed twice. A worker never touches the
connections it inherited: it keeps references to them (closing a PostgreSQL connection
would end the parent's session on the shared socket) and opens its own.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import connection, connections

Part = TypeVar("Part")
Out = TypeVar("Out")

_INHERITED: list[Any] = []
"""A worker's inherited database connections, kept so that they are never closed."""


class WorkerFailed(RuntimeError):
    """A worker process failed; `kind` is its exception's class name."""

    def __init__(self, kind: str, details: str) -> None:
        self.kind = kind
        super().__init__(f"并行汇总的工作进程失败 (worker failed): {kind}\n{details}")


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (workers forked inside inherit it): a bulk
    evaluation allocates millions of small acyclic objects (rows, tuples, results), and
    every so many allocations the collector walks all of them for nothing — 0.4–0.5 s of
    a district's 4.6 s summary on PostgreSQL (measured). Reference counting still frees
    everything; the collector resumes (if it ran before) on the way out."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def default_workers() -> int:
    """The command line's default: one process per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def can_fork() -> bool:
    if not hasattr(os, "fork") or connection.in_atomic_block:
        return False
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    return not in_memory


def fork_map(function: Callable[[Part], Out], parts: Sequence[Part]) -> list[Out]:
    """[function(part) for part in parts], the first part in this process and each other
    in a forked worker. Raises the parent's own exception, or `WorkerFailed`."""
    pending: list[tuple[int, int]] = []
    try:
        for part in parts[1:]:
            pending.append(_fork(function, part))
        results = [function(parts[0])]
        while pending:
            pid, fd = pending.pop(0)
            results.append(_collect(pid, fd))
        return results
    finally:
        for pid, fd in pending:  # after an error: reap whatever is left
            os.close(fd)
            _reap(pid)


def _fork(function: Callable[[Part], Out], part: Part) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    os.close(read_end)  # the worker from here on: whatever happens, it ends in os._exit
    status = 1
    try:
        detached = False
        try:
            _detach_connections()
            detached = True
            payload = pickle.dumps(("ok", function(part)), protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        except BaseException as error:  # noqa: BLE001 (reported to the parent, which raises)
            payload = pickle.dumps(("error", type(error).__name__, traceback.format_exc()))
        if detached:  # only the worker's own connections are left to close
            with contextlib.suppress(Exception):
                connections.close_all()
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(status)


def _detach_connections() -> None:
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is not None:
            _INHERITED.append(wrapper.connection)
            wrapper.connection = None


def _collect(pid: int, fd: int) -> Any:
    with os.fdopen(fd, "rb") as pipe:
        data = pipe.read()
    status = _reap(pid)
    if not data:
        raise WorkerFailed("exit", f"the worker ended with status {status} and sent nothing")
    message = pickle.loads(data)  # our own child's bytes
    if message[0] == "ok":
        return message[1]
    raise WorkerFailed(message[1], message[2])


def _reap(pid: int) -> int:
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 0
