"""Ledger load: N entries through the real write path against a bare insert of the same rows.

    .venv/bin/python bench/ledger_load.py [--entries 1000000] [--batch 10000]
                                          [--database sqlite|postgresql|both]

For each database a fresh scratch database is created (SQLite: a temp file; PostgreSQL:
`jifen_bench_<pid>`, dropped at the end) and a subprocess with the real settings pointed
at it migrates it, creates a tenant of a few hundred members in 10 branches through the
services, prepares every EntryDraft (untimed), and then times, batch by batch:

- real: `post_entries(actor=None, tenant_id=A, drafts=batch)`: checks, head lock, the
  HMAC chain, COPY/executemany, head update and audit row, one transaction per batch;
- bare: `insert_rows(rows)` of the same rows (same member, organisation, item, points,
  dates; a fresh uid because uid is unique; fake hashes; a second tenant B so that
  (tenant, seq) does not clash), one transaction per batch, into the same table with the
  same indexes, constraints and triggers.

Fairness: the two paths are interleaved batch by batch (real, bare, bare, real, real, ...:
the order flips every pair), so both see the table grow from 0 to 2N rows at the same
pace and share any drift of the machine; neither path gets an empty table to itself.

Memory: `peak RSS` is ru_maxrss of the subprocess (it includes the N prepared drafts);
`RSS before` is the resident set just before the timed loop, so the difference is what
the timed section added. `tracemalloc` peaks are measured afterwards on one extra batch
of each path (tracemalloc slows Python allocation several-fold, so it never runs in the
timed loop); they count Python objects only, not libpq or SQLite buffers.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

from _common import (
    bench_database,
    current_rss_mib,
    django_env,
    figures_table,
    machine,
    peak_rss_mib,
    run_worker,
)

TARGET_PG_RATE = 50_000  # entries/s, from the issue
TARGET_RATIO = 1.5  # real / bare, from the issue
BRANCHES = 10
MEMBERS = 300
FAKE_HASH = "f" * 64  # the bare rows carry no chain: any 64-character value will do


# --- worker (runs inside the subprocess, Django configured for the scratch database) --------


def _setup_tenants() -> tuple[int, int, list[tuple[int, int]]]:
    """Tenant A (the real path's) with MEMBERS members over BRANCHES branches, created
    through the services as an operator would; tenant B is a bare root for the baseline.
    Returns (tenant A, tenant B, [(member id, branch id)])."""
    from jifen.members.services import create_member
    from jifen.orgs.models import OrgKind
    from jifen.orgs.services import create_organisation

    root = create_organisation(
        actor=None, name="基准测试区委", code="BENCH-A", kind=OrgKind.DISTRICT
    )
    branches = [
        create_organisation(
            actor=None,
            name=f"基准测试第{i + 1}党支部",
            code=f"BENCH-A-{i + 1:02d}",
            kind=OrgKind.BRANCH,
            parent=root,
        )
        for i in range(BRANCHES)
    ]
    members = [
        create_member(
            actor=None,
            branch=branches[i % BRANCHES],
            name=f"党员{i + 1:04d}",
            gender="MF"[i % 2],
        )
        for i in range(MEMBERS)
    ]
    bare = create_organisation(
        actor=None, name="基准测试对照区委", code="BENCH-B", kind=OrgKind.DISTRICT
    )
    return root.pk, bare.pk, [(m.pk, m.branch_id) for m in members]


def _make_drafts(n: int, members: Sequence[tuple[int, int]], seed: int) -> list[Any]:
    """N drafts with plausible variety: a few dozen items in six dimensions, points with
    0-2 decimals, dates over the past year (never today, never the future), some notes,
    honours and quantities above 1. Values come from small pools, as in a real ledger."""
    from django.utils import timezone

    from jifen.ledger.services import EntryDraft

    rng = random.Random(seed)
    today = timezone.localdate()
    dates = [today - dt.timedelta(days=d) for d in range(1, 366)]
    points = [Decimal(p) for p in ("1", "2", "3", "5", "0.5", "1.25", "-1", "-2", "-0.5", "10")]
    items = [f"D{dim}-{k:02d}" for dim in range(1, 7) for k in range(1, 11)]
    notes = ["", "", "", "", "", "", "", "", "参加主题党日活动", "按时交纳党费"]
    drafts = []
    for _ in range(n):
        member_id, branch_id = rng.choice(members)
        item = rng.choice(items)
        honour = item.startswith("D6") and rng.random() < 0.2
        drafts.append(
            EntryDraft(
                member_id=member_id,
                organisation_id=branch_id,
                item_code=item,
                points=rng.choice(points),
                occurred_on=rng.choice(dates),
                quantity=2 if rng.random() < 0.05 else 1,
                honor_key=f"{item}-{today.year}" if honour else "",
                note=rng.choice(notes),
            )
        )
    return drafts


def _bare_rows(tenant_id: int, first_seq: int, drafts: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The drafts as COLUMNS-ordered rows of tenant B, built outside the timer."""
    from django.utils import timezone

    from jifen.ledger.points import to_hundredths

    now = timezone.now()
    return [
        (
            tenant_id,
            first_seq + i,
            uuid4(),
            d.member_id,
            d.organisation_id,
            d.item_code,
            to_hundredths(d.points),
            d.quantity,
            d.occurred_on,
            d.honor_key,
            d.note,
            d.evidence_sha256,
            d.source,
            None,
            None,
            None,
            now,
            FAKE_HASH,
            FAKE_HASH,
        )  # fmt: skip
        for i, d in enumerate(drafts)
    ]


def _table_size_mib() -> float:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('ledger_ledgerentry')")
            return cursor.fetchone()[0] / 2**20
    path = Path(settings.DATABASES["default"]["NAME"])
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


def _tracemalloc_peak(action: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def worker(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count

    from jifen.ledger.models import LedgerEntry
    from jifen.ledger.services import insert_rows, post_entries
    from jifen.ledger.verify import verify_tenant

    result: dict[str, Any] = {"entries": args.entries, "batch": args.batch}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    result["vendor"] = connection.vendor
    result["migrate_s"] = time.perf_counter() - started

    started = time.perf_counter()
    tenant_a, tenant_b, members = _setup_tenants()
    result["setup_s"] = time.perf_counter() - started
    started = time.perf_counter()
    drafts = _make_drafts(args.entries, members, args.seed)
    result["drafts_s"] = time.perf_counter() - started
    print(f"  [{connection.vendor}] migrated, {len(members)} members, {len(drafts):,} drafts")

    # The drafts are a harness artefact (a real caller holds one batch, not a million):
    # freeze them so the cyclic GC does not re-scan them during either timed path.
    gc.collect()
    gc.freeze()
    result["rss_before_mib"] = current_rss_mib()
    # Other work on the machine shows up here: the figures are only as quiet as the box.
    result["loadavg_before"] = os.getloadavg()[0]

    profilers = {"real": cProfile.Profile(), "bare": cProfile.Profile()} if args.profile else {}

    def real(chunk: Sequence[Any]) -> float:
        profiler = profilers.get("real")
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        post_entries(actor=None, tenant_id=tenant_a, drafts=chunk)
        if profiler:
            profiler.disable()
        return time.perf_counter() - t0

    def bare(rows: Sequence[tuple[Any, ...]]) -> float:
        profiler = profilers.get("bare")
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        with transaction.atomic():
            insert_rows(rows)
        if profiler:
            profiler.disable()
        return time.perf_counter() - t0

    real_times: list[float] = []
    bare_times: list[float] = []
    bare_seq = 1
    report_every = max(1, (args.entries // args.batch) // 10)
    for number, start in enumerate(range(0, args.entries, args.batch)):
        chunk = drafts[start : start + args.batch]
        rows = _bare_rows(tenant_b, bare_seq, chunk)
        bare_seq += len(rows)
        if number % 2 == 0:
            real_times.append(real(chunk))
            bare_times.append(bare(rows))
        else:
            bare_times.append(bare(rows))
            real_times.append(real(chunk))
        del rows
        if (number + 1) % report_every == 0:
            done = start + len(chunk)
            print(
                f"  [{connection.vendor}] {done:>10,} entries"
                f"  real {done / sum(real_times):>9,.0f}/s  bare {done / sum(bare_times):>9,.0f}/s",
                flush=True,
            )
    result["peak_rss_timed_mib"] = peak_rss_mib()
    result["loadavg_after"] = os.getloadavg()[0]
    gc.unfreeze()

    for name, profiler in profilers.items():
        profiler.dump_stats(Path(args.profile) / f"ledger_load-{connection.vendor}-{name}.prof")

    n = args.entries
    result.update(
        real_s=sum(real_times),
        bare_s=sum(bare_times),
        real_rate=n / sum(real_times),
        bare_rate=n / sum(bare_times),
        ratio=sum(real_times) / sum(bare_times),
        pair_ratio_median=statistics.median(
            r / b for r, b in zip(real_times, bare_times, strict=True)
        ),
        real_batch_median_s=statistics.median(real_times),
        bare_batch_median_s=statistics.median(bare_times),
        real_batch_max_s=max(real_times),
        bare_batch_max_s=max(bare_times),
    )
    # The rate over the last tenth shows whether a bigger table slows either path down.
    tail = max(1, len(real_times) // 10)
    tail_entries = min(n, tail * args.batch)
    result["real_rate_last_tenth"] = tail_entries / sum(real_times[-tail:])
    result["bare_rate_last_tenth"] = tail_entries / sum(bare_times[-tail:])

    counts = dict(
        LedgerEntry.objects.filter(tenant_id__in=[tenant_a, tenant_b])
        .values("tenant_id")
        .annotate(n=Count("id"))
        .values_list("tenant_id", "n")
    )
    result["rows_real"], result["rows_bare"] = counts.get(tenant_a, 0), counts.get(tenant_b, 0)
    result["table_mib"] = _table_size_mib()

    del drafts[args.batch :]  # keep one batch for the memory probe below
    gc.collect()
    print(f"  [{connection.vendor}] verifying the chain of {n:,} entries", flush=True)
    started = time.perf_counter()
    problem = verify_tenant(tenant_a)
    result["verify_s"] = time.perf_counter() - started
    result["verify_rate"] = n / result["verify_s"]
    result["verify_ok"] = problem is None
    result["verify_problem"] = None if problem is None else str(problem)

    # One more batch of each path under tracemalloc, after everything timed is done.
    probe = drafts[: args.batch]
    probe_rows = _bare_rows(tenant_b, bare_seq, probe)
    result["tm_real_peak_mib"] = _tracemalloc_peak(
        lambda: post_entries(actor=None, tenant_id=tenant_a, drafts=probe)
    )

    def bare_probe() -> None:
        with transaction.atomic():
            insert_rows(probe_rows)

    result["tm_bare_peak_mib"] = _tracemalloc_peak(bare_probe)
    result["peak_rss_mib"] = peak_rss_mib()
    return result


# --- parent: scratch databases, one subprocess each, one summary ---------------------------


def measure(database: str, args: argparse.Namespace) -> dict[str, Any] | None:
    print(f"== {database}: {args.entries:,} entries in batches of {args.batch:,}", flush=True)
    with (
        bench_database("ledger", database, None) as (url, data_dir),
        tempfile.TemporaryDirectory() as tmp,
    ):
        out = Path(tmp) / "result.json"
        argv = [
            str(Path(__file__).resolve()), "--worker", "--result", str(out),
            "--entries", str(args.entries), "--batch", str(args.batch), "--seed", str(args.seed),
        ]  # fmt: skip
        if args.profile:
            argv += ["--profile", str(Path(args.profile).resolve())]
        status = run_worker(argv, django_env(url, data_dir))
        if status != 0 or not out.exists():
            print(
                f"!! {database}: the measuring subprocess failed (exit {status})", file=sys.stderr
            )
            return None
        result: dict[str, Any] = json.loads(out.read_text())
    result["database"] = database
    return result


ROWS: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
    ("entries", "", lambda r: f"{r['entries']:,}"),
    ("batch size", "", lambda r: f"{r['batch']:,}"),
    ("real path: time", "s", lambda r: f"{r['real_s']:.1f}"),
    ("real path: rate", "entries/s", lambda r: f"{r['real_rate']:,.0f}"),
    ("bare insert: time", "s", lambda r: f"{r['bare_s']:.1f}"),
    ("bare insert: rate", "entries/s", lambda r: f"{r['bare_rate']:,.0f}"),
    ("ratio real/bare (totals)", "×", lambda r: f"{r['ratio']:.2f}"),
    ("ratio real/bare (median of pairs)", "×", lambda r: f"{r['pair_ratio_median']:.2f}"),
    ("real rate, last tenth", "entries/s", lambda r: f"{r['real_rate_last_tenth']:,.0f}"),
    ("bare rate, last tenth", "entries/s", lambda r: f"{r['bare_rate_last_tenth']:,.0f}"),
    (
        "batch time real: median / max",
        "s",
        lambda r: f"{r['real_batch_median_s']:.3f} / {r['real_batch_max_s']:.3f}",
    ),
    (
        "batch time bare: median / max",
        "s",
        lambda r: f"{r['bare_batch_median_s']:.3f} / {r['bare_batch_max_s']:.3f}",
    ),
    ("RSS before timed loop", "MiB", lambda r: f"{r['rss_before_mib']:,.0f}"),
    ("peak RSS after timed loop", "MiB", lambda r: f"{r['peak_rss_timed_mib']:,.0f}"),
    ("tracemalloc peak, 1 batch real", "MiB", lambda r: f"{r['tm_real_peak_mib']:.1f}"),
    ("tracemalloc peak, 1 batch bare", "MiB", lambda r: f"{r['tm_bare_peak_mib']:.1f}"),
    ("verify_tenant: time", "s", lambda r: f"{r['verify_s']:.1f}"),
    ("verify_tenant: rate", "entries/s", lambda r: f"{r['verify_rate']:,.0f}"),
    (
        "verify_tenant: result",
        "",
        lambda r: "passed" if r["verify_ok"] else f"FAILED: {r['verify_problem']}",
    ),
    ("rows written real / bare", "", lambda r: f"{r['rows_real']:,} / {r['rows_bare']:,}"),
    (
        "storage after 2N rows (PG table+indexes; SQLite files)",
        "MiB",
        lambda r: f"{r['table_mib']:,.0f}",
    ),
    (
        "load average (1 min) before / after",
        "",
        lambda r: f"{r['loadavg_before']:.2f} / {r['loadavg_after']:.2f}",
    ),
    (
        "migrate / setup / drafts",
        "s",
        lambda r: f"{r['migrate_s']:.1f} / {r['setup_s']:.1f} / {r['drafts_s']:.1f}",
    ),
]


def summary(results: Sequence[dict[str, Any]], info: dict[str, str]) -> str:
    lines = figures_table(ROWS, results, info)
    for r in results:
        checks = [
            f"ratio {r['ratio']:.2f} {'<=' if r['ratio'] <= TARGET_RATIO else '>'} "
            f"{TARGET_RATIO} ({'met' if r['ratio'] <= TARGET_RATIO else 'MISSED'})"
        ]
        if r["database"] == "postgresql":
            met = r["real_rate"] >= TARGET_PG_RATE
            checks.insert(
                0,
                f"rate {r['real_rate']:,.0f}/s vs {TARGET_PG_RATE:,}/s "
                f"({'met' if met else 'MISSED'})",
            )
        lines.append(f"targets, {r['database']}: " + "; ".join(checks))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=20240701)
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="write cProfile stats of each timed path to DIR (the timings then include the "
        "profiler's overhead: do not quote them)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.entries < 1 or args.batch < 1:
        parser.error("--entries and --batch must be positive")

    if args.worker:
        result = worker(args)
        Path(args.result).write_text(json.dumps(result))
        return 0

    if args.profile:
        os.makedirs(args.profile, exist_ok=True)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = [r for db in databases if (r := measure(db, args)) is not None]
    info = machine()
    if results:
        print()
        print(summary(results, info))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "results": results}, indent=2))
    return 0 if len(results) == len(databases) else 1


if __name__ == "__main__":
    sys.exit(main())
