"""Year-end evaluation over the database against a bare GROUP BY of the same rows.

    .venv/bin/python bench/evaluate_year.py [--members 100000] [--entries-per-member 24]
                                            [--database sqlite|postgresql|both] [--repeat 2]

For each database a fresh scratch database is created (SQLite: a temp file; PostgreSQL:
`jifen_bench_<pid>`, dropped at the end; see `_common.py`) and a subprocess with the real
settings pointed at it migrates it and builds, untimed:

- a tenant under scheme s002 (quarterly, annual weighted mean, six deduct-until-zero
  dimensions, honors de-duplicated within the year, bonus cap, vetoes): the district, 30
  towns (党委), branches of 30 members, the members in four categories. Members go in with
  `bulk_create` (no ID numbers: this benchmark measures evaluation, not writing);
- `members × entries-per-member` ledger entries of the previous calendar year, day by
  day with members interleaved (as a live ledger fills up), through
  `jifen.ledger.services.insert_rows` with dummy hashes (no chain: writing is measured by
  `bench/ledger_load.py`): about 90% deductions of the six dimensions (fixed and
  discretionary), 10% honors (five honor keys, four levels), 0.05% vetoes, 5% with
  quantity 2, and 0.1% of the entries reversed by a mirrored reversal entry;
- a small table `bench_item(code, dimension)` for the bare query's join.

Then it times, interleaved (bare, full, bare, full, ...), after one untimed warm-up of (b):

(a) full: the year-end summary as an operator runs it — `resolve_scope` + `summarise`
    with `jifen summarise`'s default workers (`--workers`): the effective entries summed
    in one SQL scan (s002 takes the fast path: one row per member and quarter with a
    column per dimension, the honors' and vetoes' entries in the same row), split into
    member ranges read and evaluated by worker processes, four quarters per member, the
    annual weighted mean, grades, ranks in the tenant and per category, the inputs hash,
    and the snapshot (100,000 `MemberResult` rows and the audit row) written in one
    transaction;
(b) bare: `SELECT member_id, dimension, SUM(points_hundredths * quantity) FROM ledger JOIN
    bench_item ... WHERE tenant AND year GROUP BY member_id, dimension`, every row fetched.

It also times (c) the summary of one town's subtree (about 1/30 of the members). Peak
memory is ru_maxrss of the subprocess, read before and after the timed section.
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
from collections.abc import Callable, Sequence
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

TARGET_RATIO = 2.0
TARGET_PEAK_MIB = 1024
TOWNS = 30
BRANCH_SIZE = 30
CATEGORIES = ("机关", "企业", "社区", "农村")
FAKE_HASH = "0" * 64
HONOR_KEYS = ("年度先进", "优秀党员", "岗位能手", "服务标兵", "抗洪抢险")
BATCH = 50_000


# --- worker (runs inside the subprocess, Django configured for the scratch database) --------


def _build_tenant(members: int, seed: int) -> tuple[Any, list[tuple[int, int]], list[Any]]:
    """The district, its towns and branches, and the members: (tenant, [(member, branch)],
    towns)."""
    from jifen.members.models import Member
    from jifen.orgs.models import Organisation, OrgKind
    from jifen.orgs.services import create_organisation

    rng = random.Random(seed)
    tenant = create_organisation(
        actor=None, name="基准测试区委", code="BENCH", kind=OrgKind.DISTRICT, scheme_code="s002"
    )
    towns = Organisation.objects.bulk_create(
        Organisation(
            parent=tenant,
            tenant=tenant,
            name=f"第{t + 1}镇党委",
            code=f"BENCH-{t + 1:02d}",
            kind=OrgKind.COMMITTEE,
        )  # fmt: skip
        for t in range(TOWNS)
    )
    branch_count = -(-members // BRANCH_SIZE)
    branches = Organisation.objects.bulk_create(
        (
            Organisation(
                parent=towns[b % TOWNS],
                tenant=tenant,
                name=f"第{b + 1}党支部",
                code=f"BENCH-{b % TOWNS + 1:02d}-{b + 1:05d}",
                kind=OrgKind.BRANCH,
            )  # fmt: skip
            for b in range(branch_count)
        ),
        batch_size=2_000,
    )
    people = Member.objects.bulk_create(
        (
            Member(
                tenant=tenant,
                branch=branches[i // BRANCH_SIZE],
                name=f"党员{i + 1:06d}",
                gender="MF"[i % 2],
                category=rng.choice(CATEGORIES),
            )
            for i in range(members)
        ),
        batch_size=5_000,
    )
    return tenant, [(m.pk, m.branch_id) for m in people], towns


def _items() -> tuple[list[tuple[str, str, list[int]]], list[tuple[str, int]], list[str]]:
    """s002's items as (code, dimension, point choices in hundredths) for deductions,
    (code, hundredths) for honors, and the veto codes."""
    from jifen.engine import load_scheme

    scheme = load_scheme("s002")
    deductions, honors, vetoes = [], [], []
    for item in scheme.items:
        if item.veto:
            vetoes.append(item.code)
        elif item.honor:
            honors.append((item.code, int(item.fixed_points * 100)))
        elif item.kind == "fixed":
            deductions.append((item.code, item.dimension or "", [int(item.fixed_points * 100)]))
        else:  # discretionary deductions: a few typical values with cents
            deductions.append((item.code, item.dimension or "", [-50, -100, -150, -225, -300]))
    return deductions, honors, vetoes


def _fill_ledger(
    tenant_id: int, members: Sequence[tuple[int, int]], per_member: int, year: int, seed: int
) -> dict[str, int]:
    """The year's entries, day by day, inserted in batches; then a few reversals."""
    from django.db import transaction
    from django.utils import timezone

    from jifen.ledger.models import LedgerEntry
    from jifen.ledger.services import insert_rows

    rng = random.Random(seed)
    deductions, honors, vetoes = _items()
    days = [dt.date(year, 1, 1) + dt.timedelta(days=d) for d in range(365)]
    total = len(members) * per_member
    now = timezone.now()
    seq = 0
    rows: list[tuple[Any, ...]] = []
    counts = {"entries": 0, "honors": 0, "vetoes": 0, "reversals": 0}

    def flush() -> None:
        with transaction.atomic():
            insert_rows(rows)
        rows.clear()

    for index, day in enumerate(days):
        todays = total * (index + 1) // len(days) - total * index // len(days)
        for _ in range(todays):
            member, branch = rng.choice(members)
            roll = rng.random()
            quantity, honor_key = 1, ""
            if roll < 0.0005:
                code, points = rng.choice(vetoes), 0
                counts["vetoes"] += 1
            elif roll < 0.1:
                code, points = rng.choice(honors)
                honor_key = rng.choice(HONOR_KEYS)
                counts["honors"] += 1
            else:
                code, _, choices = rng.choice(deductions)
                points = rng.choice(choices)
                quantity = 2 if rng.random() < 0.05 else 1
            seq += 1
            rows.append(
                (
                    tenant_id,
                    seq,
                    uuid4(),
                    member,
                    branch,
                    code,
                    points,
                    quantity,
                    day,
                    honor_key,
                    "",
                    "",
                    "import",
                    None,
                    None,
                    None,
                    now,
                    FAKE_HASH,
                    FAKE_HASH,
                )  # fmt: skip
            )
            if len(rows) >= BATCH:
                flush()
    if rows:
        flush()
    counts["entries"] = seq
    # Reversals mirror their original (a database trigger checks it) and are dated with it.
    chosen = sorted(rng.sample(range(1, seq + 1), max(1, seq // 1000)))
    originals = LedgerEntry.objects.filter(tenant_id=tenant_id, seq__in=chosen).values_list(
        "pk", "member_id", "organisation_id", "item_code", "points_hundredths", "quantity",
        "occurred_on", "honor_key",
    )  # fmt: skip
    for pk, member, branch, code, points, quantity, day, honor_key in originals.iterator():
        seq += 1
        rows.append(
            (
                tenant_id,
                seq,
                uuid4(),
                member,
                branch,
                code,
                -points,
                quantity,
                day,
                honor_key,
                "冲正",
                "",
                "correction",
                pk,
                None,
                None,
                now,
                FAKE_HASH,
                FAKE_HASH,
            )  # fmt: skip
        )
    counts["reversals"] = len(rows)
    flush()
    return counts


def _reused(args: argparse.Namespace) -> tuple[Any, list[Any]] | None:
    """(tenant, towns) when this database already holds the BENCH tenant of this size
    (`--reuse-url`), else None; exits if it holds one of another size."""
    from jifen.members.models import Member
    from jifen.orgs.models import Organisation

    tenant = Organisation.objects.filter(code="BENCH", parent=None).first()
    if tenant is None:
        return None
    if Member.objects.filter(tenant=tenant).count() != args.members:
        sys.exit("a BENCH tenant of another size is in this database: use a fresh one")
    towns = list(Organisation.objects.filter(parent=tenant).order_by("code"))
    return tenant, towns


def _ledger_counts(tenant_id: int) -> dict[str, int]:
    from jifen.ledger.models import LedgerEntry

    entries = LedgerEntry.objects.filter(tenant_id=tenant_id)
    reversals = entries.filter(reverses__isnull=False).count()
    return {"entries": entries.count() - reversals, "reversals": reversals}


def _bench_items() -> None:
    """`bench_item(code, dimension)`: the bare query's item → dimension table."""
    from django.db import connection

    from jifen.engine import load_scheme

    scheme = load_scheme("s002")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_item (code varchar(64) PRIMARY KEY, dimension varchar(64))"
        )
        cursor.executemany(
            "INSERT INTO bench_item (code, dimension) VALUES (%s, %s)",
            [(item.code, item.dimension or "veto") for item in scheme.items],
        )


def _analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("ledger_ledgerentry", "members_member", "orgs_organisation"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")


def _bare(tenant_id: int, year: int) -> Callable[[], int]:
    from django.db import connection

    sql = (
        "SELECT e.member_id, i.dimension, SUM(e.points_hundredths * e.quantity) "
        "FROM ledger_ledgerentry e JOIN bench_item i ON i.code = e.item_code "
        "WHERE e.tenant_id = %s AND e.occurred_on >= %s AND e.occurred_on <= %s "
        "GROUP BY e.member_id, i.dimension"
    )
    params = [tenant_id, dt.date(year, 1, 1).isoformat(), dt.date(year, 12, 31).isoformat()]

    def run() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

    return run


def _full(tenant: Any, organisation: Any, period: str, workers: int) -> Callable[[], Any]:
    from jifen.scoring.scope import resolve_scope
    from jifen.scoring.services import summarise

    def run() -> Any:
        scope = resolve_scope(tenant=tenant, organisation=organisation, period=period)
        return summarise(actor=None, scope=scope, workers=workers)

    return run


def _read(tenant: Any, period: str) -> Callable[[], Any]:
    """Only the engine's input: the members and what the path reads (no engine, no writes):
    the sums (fast path, `jifen.scoring.sums`) or the aggregates (full path)."""
    from jifen.engine.fast import fast_path_supported, layout
    from jifen.scoring.aggregates import ledger_aggregates, scope_members
    from jifen.scoring.scope import resolve_scope
    from jifen.scoring.sums import read_sums

    def run() -> Any:
        scope = resolve_scope(tenant=tenant, organisation=None, period=period)
        if fast_path_supported(scope.scheme):
            return scope_members(scope), read_sums(scope, layout(scope.scheme))
        return scope_members(scope), ledger_aggregates(scope)

    return run


def _settle() -> None:
    """Untimed, after each summary: vacuum and analyse the result tables it filled, so
    that PostgreSQL's autovacuum does not start on them during the next timed query (it
    did: (b) took 2.3 s alone and 2.9–3.0 s right after a summary, measured)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE scoring_memberresult, scoring_resultsnapshot")


def _timed(action: Callable[[], Any], profiler: cProfile.Profile | None = None) -> float:
    gc.collect()
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    action()
    if profiler is not None:
        profiler.disable()
    return time.perf_counter() - started


def worker(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jifen.scoring.models import ResultSnapshot

    year = args.year
    result: dict[str, Any] = {"members": args.members, "per_member": args.entries_per_member}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    result["vendor"] = connection.vendor
    result["migrate_s"] = time.perf_counter() - started

    reused = _reused(args)
    if reused is not None:
        tenant, towns = reused
        result.update(members_s=0.0, entries_s=0.0, analyse_s=0.0, reused=True)
        result.update(_ledger_counts(tenant.pk))
        print(f"  [{connection.vendor}] reusing the BENCH tenant of this database", flush=True)
    else:
        started = time.perf_counter()
        tenant, members, towns = _build_tenant(args.members, args.seed)
        result["members_s"] = time.perf_counter() - started
        started = time.perf_counter()
        result.update(_fill_ledger(tenant.pk, members, args.entries_per_member, year, args.seed))
        result["entries_s"] = time.perf_counter() - started
        _bench_items()
        started = time.perf_counter()
        _analyse()
        result["analyse_s"] = time.perf_counter() - started
        print(
            f"  [{connection.vendor}] {len(members):,} members, {result['entries']:,} entries "
            f"and {result['reversals']:,} reversals in "
            f"{result['members_s'] + result['entries_s']:.0f} s",
            flush=True,
        )
        del members
    gc.collect()

    period = str(year)
    from jifen.scoring.parallel import default_workers

    workers = args.workers or default_workers()
    result["workers"] = workers
    bare, full = _bare(tenant.pk, year), _full(tenant, None, period, workers)
    result["bare_rows"] = bare()  # warm-up: the table into the cache
    result["rss_before_mib"] = current_rss_mib()
    result["loadavg_before"] = os.getloadavg()[0]
    profiler = cProfile.Profile() if args.profile else None
    bare_times, full_times = [], []
    for number in range(args.repeat):
        bare_times.append(_timed(bare))
        full_times.append(_timed(full, profiler))
        _settle()
        print(
            f"  [{connection.vendor}] run {number + 1}: full {full_times[-1]:.2f} s, "
            f"bare {bare_times[-1]:.2f} s",
            flush=True,
        )
    result["peak_rss_mib"] = peak_rss_mib()
    result["loadavg_after"] = os.getloadavg()[0]
    if profiler is not None:
        profiler.dump_stats(Path(args.profile) / f"evaluate_year-{connection.vendor}.prof")

    result["read_s"] = _timed(_read(tenant, period))
    town = _full(tenant, towns[0], period, workers)
    result["town_s"] = statistics.median(_timed(town) for _ in range(3))
    snapshot = ResultSnapshot.objects.filter(organisation=tenant).order_by("-id").first()
    assert snapshot is not None
    ranked = snapshot.results.filter(rank__isnull=False).count()
    result.update(
        full_s=statistics.median(full_times),
        bare_s=statistics.median(bare_times),
        full_runs=full_times,
        bare_runs=bare_times,
        ratio=statistics.median(full_times) / statistics.median(bare_times),
        snapshot_members=snapshot.member_count,
        snapshot_ranked=ranked,
        inputs_hash=snapshot.inputs_hash,
        town_members=ResultSnapshot.objects.filter(organisation=towns[0]).first().member_count,  # type: ignore[union-attr]
    )
    return result


# --- parent: scratch databases, one subprocess each, one summary ---------------------------


def measure(database: str, args: argparse.Namespace) -> dict[str, Any] | None:
    print(
        f"== {database}: {args.members:,} members × {args.entries_per_member} entries", flush=True
    )
    with (
        bench_database("evaluate", database, args.reuse_url) as (url, data_dir),
        tempfile.TemporaryDirectory() as tmp,
    ):
        out = Path(tmp) / "result.json"
        argv = [
            str(Path(__file__).resolve()), "--worker", "--result", str(out),
            "--members", str(args.members), "--entries-per-member", str(args.entries_per_member),
            "--repeat", str(args.repeat), "--seed", str(args.seed), "--year", str(args.year),
            "--workers", str(args.workers),
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


def _run_ratios(r: dict[str, Any]) -> str:
    pairs = zip(r["full_runs"], r["bare_runs"], strict=True)
    return " / ".join(f"{full / bare:.2f}" for full, bare in pairs)


ROWS: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
    ("members", "", lambda r: f"{r['members']:,}"),
    ("processes of the summary (--workers)", "", lambda r: str(r["workers"])),
    ("ledger entries (+ reversals)", "", lambda r: f"{r['entries']:,} (+{r['reversals']:,})"),
    ("(a) full year-end summary, median", "s", lambda r: f"{r['full_s']:.2f}"),
    ("(a) runs", "s", lambda r: " / ".join(f"{t:.2f}" for t in r["full_runs"])),
    ("reading members + sums, one process", "s", lambda r: f"{r['read_s']:.2f}"),
    ("(b) bare GROUP BY member, dimension, median", "s", lambda r: f"{r['bare_s']:.2f}"),
    ("(b) runs", "s", lambda r: " / ".join(f"{t:.2f}" for t in r["bare_runs"])),
    ("ratio (a) / (b)", "×", lambda r: f"{r['ratio']:.2f}"),
    ("ratio of each run (a_i / b_i)", "×", _run_ratios),
    ("(c) one town's subtree, median of 3", "s", lambda r: f"{r['town_s']:.2f}"),
    ("(c) members in the town", "", lambda r: f"{r['town_members']:,}"),
    (
        "members in the snapshot / ranked",
        "",
        lambda r: f"{r['snapshot_members']:,} / {r['snapshot_ranked']:,}",
    ),  # fmt: skip
    ("bare result rows", "", lambda r: f"{r['bare_rows']:,}"),
    ("RSS before timed runs", "MiB", lambda r: f"{r['rss_before_mib']:,.0f}"),
    ("peak RSS (ru_maxrss)", "MiB", lambda r: f"{r['peak_rss_mib']:,.0f}"),
    (
        "load average before / after",
        "",
        lambda r: f"{r['loadavg_before']:.2f} / {r['loadavg_after']:.2f}",
    ),  # fmt: skip
    (
        "build: members / entries / analyse",
        "s",
        lambda r: f"{r['members_s']:.0f} / {r['entries_s']:.0f} / {r['analyse_s']:.0f}",
    ),  # fmt: skip
]


def summary(results: Sequence[dict[str, Any]], info: dict[str, str]) -> str:
    lines = figures_table(ROWS, results, info)
    for r in results:
        ratio_ok, memory_ok = r["ratio"] <= TARGET_RATIO, r["peak_rss_mib"] < TARGET_PEAK_MIB
        lines.append(
            f"targets, {r['database']}: ratio {r['ratio']:.2f} vs ≤ {TARGET_RATIO} "
            f"({'met' if ratio_ok else 'MISSED'}); peak {r['peak_rss_mib']:,.0f} MiB vs "
            f"< {TARGET_PEAK_MIB} ({'met' if memory_ok else 'MISSED'})"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries-per-member", type=int, default=24)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20250101)
    last_year = dt.datetime.now(tz=dt.UTC).year - 1
    parser.add_argument("--year", type=int, default=last_year)
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="write cProfile stats of the timed full runs to DIR (the timings then include "
        "the profiler's overhead: do not quote them)",
    )
    parser.add_argument(
        "--reuse-url", metavar="DATABASE_URL",
        help="use this existing database (built on first use, reused afterwards) instead of "
        "a scratch one; --database then only names the column",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=int, default=0,
        help="processes of the summary, as `jifen summarise --workers` (default 0: its "
        "default, one per core, at most four)",
    )  # fmt: skip
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.members < TOWNS or args.entries_per_member < 1 or args.repeat < 1:
        parser.error(f"--members must be at least {TOWNS}; the others positive")

    if args.reuse_url and args.database == "both":
        parser.error("--reuse-url measures one database: name it with --database")
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
