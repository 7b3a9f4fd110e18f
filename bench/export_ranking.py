"""The 100,000-member ranking exported to .xlsx, against just reading the same rows.

    .venv/bin/python bench/export_ranking.py [--members 100000] [--repeat 3]
                                             [--database sqlite|postgresql|both]
                                             [--reuse-url DATABASE_URL]

For each database a fresh scratch database is created (SQLite: a temp file; PostgreSQL:
`jifen_bench_<pid>`, dropped at the end; see `_common.py`), or, with `--reuse-url`, an
existing database is used and the tenant is built only if it is not there yet. A first
subprocess migrates and builds, untimed: the district, 30 towns, branches of 30 members
(`evaluate_year._build_tenant`, members in four categories) and one `ResultSnapshot` of the
whole tenant with a `MemberResult` per member (totals 60.00–100.00 at random, so ties are
common; competition ranks, s002's grades).

A second, fresh subprocess (so that its peak RSS is the export's, not the build's) builds
the ranking report of the tenant (`jifen.reports.results.ranking`: one query, RANK() over
the snapshot's rows, joined with member and branch names, read with `.iterator()`) and
times, interleaved, after one untimed warm-up of (b):

(a) export: the report written through `jifen.reports.xlsx.write_report` (openpyxl
    write-only workbook, title, header fields, widths, frozen header, every text cell
    through `safe_cell`, points as numbers with two decimals) to a temporary file, as the
    download does;
(b) baseline: the same rows iterated from the database (the same generator), nothing
    written.

Peak memory is ru_maxrss of the measuring subprocess (target: under 300 MiB).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _common import (
    bench_database,
    current_rss_mib,
    django_env,
    figures_table,
    machine,
    peak_rss_mib,
    run_worker,
)

TARGET_PEAK_MIB = 300
PERIOD = "BENCH-EXPORT"
GRADES = ((9800, "优秀"), (9500, "良好"), (9200, "合格"), (0, "不合格"))


# --- workers (inside the subprocesses, Django configured for the database) ----------------


def _tenant() -> Any:
    from jifen.orgs.models import Organisation

    return Organisation.objects.filter(code="BENCH", parent__isnull=True).first()


def build(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from evaluate_year import _build_tenant
    from jifen.members.models import Member
    from jifen.scoring.models import MemberResult, ResultSnapshot

    call_command("migrate", verbosity=0, interactive=False)
    tenant = _tenant()
    if (
        tenant is not None
        and ResultSnapshot.objects.filter(
            organisation=tenant, period=PERIOD, member_count=args.members
        ).exists()
    ):
        print(f"  [{connection.vendor}] reusing the tenant and its snapshot", flush=True)
        return {"build_s": 0.0, "reused": True}
    if tenant is not None:
        sys.exit("a BENCH tenant of another size is in this database: use a fresh one")
    started = time.perf_counter()
    rng = random.Random(args.seed)
    tenant, members, _ = _build_tenant(args.members, args.seed)
    categories = dict(Member.objects.filter(tenant=tenant).values_list("pk", "category"))
    totals = [rng.randint(6000, 10000) for _ in members]
    order = sorted(range(len(members)), key=lambda i: -totals[i])
    ranks = [0] * len(members)
    for position, index in enumerate(order):
        previous = order[position - 1] if position else None
        same = previous is not None and totals[previous] == totals[index]
        ranks[index] = ranks[previous] if same else position + 1  # type: ignore[index]
    with transaction.atomic():
        snapshot = ResultSnapshot.objects.create(
            tenant=tenant, organisation=tenant, scheme_code="s002", scheme_version=1,
            period=PERIOD, inputs_hash="0" * 64, member_count=len(members),
        )  # fmt: skip
        MemberResult.objects.bulk_create(
            (
                MemberResult(
                    snapshot=snapshot,
                    member_id=pk,
                    branch_id=branch,
                    total_hundredths=totals[i],
                    rank=ranks[i],
                    category=categories[pk],
                    grade=next(name for low, name in GRADES if totals[i] >= low),
                )  # fmt: skip
                for i, (pk, branch) in enumerate(members)
            ),
            batch_size=5_000,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("scoring_memberresult", "members_member", "orgs_organisation"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    return {"build_s": time.perf_counter() - started, "reused": False}


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def measure(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from jifen.reports.results import ranking
    from jifen.reports.scope import OrgScope
    from jifen.reports.xlsx import write_report

    tenant = _tenant()
    report = ranking(OrgScope(tenant, period=PERIOD))
    table = report.tables[0]

    def baseline() -> int:
        return sum(1 for _ in table.rows())

    def export() -> int:
        with tempfile.TemporaryFile(suffix=".xlsx") as handle:
            write_report(report, handle, fast_rows=not args.plain_rows)
            return handle.tell()

    rows = baseline()  # warm-up: the rows into the database's cache
    result: dict[str, Any] = {"rows": rows, "vendor": connection.vendor}
    result["rss_before_mib"] = current_rss_mib()
    export_times, baseline_times = [], []
    for number in range(args.repeat):
        seconds, counted = _timed(baseline)
        assert counted == rows
        baseline_times.append(seconds)
        seconds, size = _timed(export)
        export_times.append(seconds)
        print(
            f"  [{connection.vendor}] run {number + 1}: export {export_times[-1]:.2f} s, "
            f"baseline {baseline_times[-1]:.2f} s",
            flush=True,
        )
    export_s, baseline_s = statistics.median(export_times), statistics.median(baseline_times)
    result.update(
        export_s=export_s,
        baseline_s=baseline_s,
        export_runs=export_times,
        baseline_runs=baseline_times,
        ratio=export_s / baseline_s,
        export_rows_s=rows / export_s,
        baseline_rows_s=rows / baseline_s,
        xlsx_mib=size / 2**20,
        peak_rss_mib=peak_rss_mib(),
    )
    return result


# --- parent ---------------------------------------------------------------------------------


def run(database: str, args: argparse.Namespace) -> dict[str, Any] | None:
    print(f"== {database}: ranking of {args.members:,} members to .xlsx", flush=True)
    with (
        bench_database("export", database, args.reuse_url) as (url, data_dir),
        tempfile.TemporaryDirectory() as tmp,
    ):
        env = django_env(url, data_dir)  # one set of keys for both subprocesses
        common = ["--members", str(args.members), "--repeat", str(args.repeat),
                  "--seed", str(args.seed)]  # fmt: skip
        if args.plain_rows:
            common.append("--plain-rows")
        result: dict[str, Any] = {"database": database}
        for phase in ("build", "measure"):
            out = Path(tmp) / f"{phase}.json"
            argv = [str(Path(__file__).resolve()), "--worker", phase, "--result", str(out)]
            status = run_worker([*argv, *common], env)
            if status != 0 or not out.exists():
                print(
                    f"!! {database}: the {phase} subprocess failed (exit {status})", file=sys.stderr
                )
                return None
            result.update(json.loads(out.read_text()))
    return result


ROWS: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
    ("members ranked (rows)", "", lambda r: f"{r['rows']:,}"),
    ("(a) export to .xlsx, median", "s", lambda r: f"{r['export_s']:.2f}"),
    ("(a) runs", "s", lambda r: " / ".join(f"{t:.2f}" for t in r["export_runs"])),
    ("(a) rows per second", "rows/s", lambda r: f"{r['export_rows_s']:,.0f}"),
    ("(b) baseline: iterate the rows, median", "s", lambda r: f"{r['baseline_s']:.2f}"),
    ("(b) runs", "s", lambda r: " / ".join(f"{t:.2f}" for t in r["baseline_runs"])),
    ("(b) rows per second", "rows/s", lambda r: f"{r['baseline_rows_s']:,.0f}"),
    ("ratio (a) / (b)", "×", lambda r: f"{r['ratio']:.2f}"),
    ("workbook size", "MiB", lambda r: f"{r['xlsx_mib']:.1f}"),
    ("RSS before the timed runs", "MiB", lambda r: f"{r['rss_before_mib']:,.0f}"),
    ("peak RSS (ru_maxrss)", "MiB", lambda r: f"{r['peak_rss_mib']:,.0f}"),
    ("build (untimed), 0 = reused", "s", lambda r: f"{r['build_s']:.0f}"),
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--reuse-url", metavar="DATABASE_URL",
        help="use this existing database (built on first use, reused afterwards) instead of "
        "a scratch one; --database then only names the column",
    )  # fmt: skip
    parser.add_argument(
        "--plain-rows", action="store_true",
        help="write the data rows through openpyxl alone (without `xlsx_rows`), to compare",
    )  # fmt: skip
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--worker", choices=["build", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.members < 30 or args.repeat < 1:
        parser.error("--members must be at least 30 and --repeat positive")
    if args.worker:
        result = build(args) if args.worker == "build" else measure(args)
        Path(args.result).write_text(json.dumps(result))
        return 0
    if args.reuse_url and args.database == "both":
        parser.error("--reuse-url measures one database: name it with --database")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = [r for db in databases if (r := run(db, args)) is not None]
    info = machine()
    if results:
        print()
        lines = figures_table(ROWS, results, info)
        for r in results:
            met = "met" if r["peak_rss_mib"] < TARGET_PEAK_MIB else "MISSED"
            lines.append(
                f"target, {r['database']}: peak {r['peak_rss_mib']:,.0f} MiB vs "
                f"< {TARGET_PEAK_MIB} MiB ({met})"
            )
        print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "results": results}, indent=2))
    return 0 if len(results) == len(databases) else 1


if __name__ == "__main__":
    sys.exit(main())
