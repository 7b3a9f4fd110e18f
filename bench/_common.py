"""Helpers shared by the benchmarks in `bench/`: scratch databases, the environment a
measuring subprocess needs, and the machine description that goes next to every figure.

A benchmark runs its measurement in a subprocess because Django reads DATABASE_URL and
the keys once, at start-up: one fresh process per database is the simplest way to point
the real settings at a scratch database, and it gives each database its own peak RSS.
"""

from __future__ import annotations

import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("JIFEN_BENCH_PG_ADMIN_URL", "postgres://root@127.0.0.1:5432/postgres")


@contextmanager
def scratch_sqlite(label: str) -> Iterator[tuple[str, Path]]:
    """(DATABASE_URL, data dir) of a fresh SQLite file, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"jifen-bench-{label}-") as folder:
        path = Path(folder) / "bench.sqlite3"
        yield f"sqlite:///{path}", Path(folder)


@contextmanager
def scratch_postgres(label: str) -> Iterator[tuple[str, Path]]:
    """(DATABASE_URL, data dir) of a fresh PostgreSQL database `jifen_bench_<pid>`, dropped
    afterwards even if the measurement failed."""
    import psycopg

    name = f"jifen_bench_{os.getpid()}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        with tempfile.TemporaryDirectory(prefix=f"jifen-bench-{label}-") as folder:
            yield f"{base}/{name}", Path(folder)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            # FORCE: a worker that died mid-run may still hold a connection.
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def bench_database(
    label: str, database: str, reuse_url: str | None
) -> AbstractContextManager[tuple[str, Path]]:
    """(DATABASE_URL, data dir): `reuse_url` as given (`--reuse-url`: a database kept
    between runs), else a fresh scratch database of `database`'s engine."""
    if reuse_url:
        return nullcontext((reuse_url, Path(tempfile.mkdtemp(prefix=f"jifen-bench-{label}-"))))
    return scratch_postgres(label) if database == "postgresql" else scratch_sqlite(label)


def django_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of a measuring subprocess: the scratch database, a scratch data
    folder (so no developer `.env` is read), and fresh keys for this run only."""
    from jifen.core.keys import ALL_KEYS, generate_key

    env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")}
    env.update({name: generate_key() for name in ALL_KEYS})
    env.update(
        DATABASE_URL=database_url,
        JIFEN_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="jifen.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])),
    )
    return env


def peak_rss_mib() -> float:
    """Peak resident set of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def machine() -> dict[str, str]:
    """What a reader needs to compare figures across machines."""
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = "unavailable"
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            pg = str(row[0]) if row else pg
    except Exception as error:  # a missing server only removes a line of the header
        pg = f"unavailable ({type(error).__name__})"
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_gib:.0f} GiB",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg,
        "kernel": platform.release(),
    }


def run_worker(argv: list[str], env: dict[str, str]) -> int:
    """Run `python <argv>` with `env`, streaming its output; the exit status is returned."""
    return subprocess.run([sys.executable, *argv], env=env, cwd=REPO, check=False).returncode


Row = tuple[str, str, Callable[[dict[str, Any]], str]]


def figures_table(
    rows: Sequence[Row], results: Sequence[dict[str, Any]], info: dict[str, str]
) -> list[str]:
    """The machine line and a `figure | unit | one column per database` table."""
    header = ["figure", "unit", *(r["database"] for r in results)]
    body = [[label, unit, *(cell(r) for r in results)] for label, unit, cell in rows]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    return [
        f"machine: {info['cpus']} CPU ({info['cpu']}), {info['ram']} RAM, Python "
        f"{info['python']}, SQLite {info['sqlite']}, PostgreSQL {info['postgresql']}",
        line(header),
        "  ".join("-" * w for w in widths),
        *(line(row) for row in body),
        "",
    ]
