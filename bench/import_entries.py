"""Entries import: a 100,000-row .xlsx (and a GBK .csv) through `import_file`, against
two baselines measured in the same run.

    .venv/bin/python bench/import_entries.py [--rows 100000] [--database sqlite|postgresql|both]

For each database a scratch database is prepared once (migrate; a tenant of 10 branches
on scheme s002 with 1,000 members that have ID numbers, created through the services) and
the files are written (untimed). Then every phase runs in a fresh subprocess of its own,
so that its peak RSS (ru_maxrss) is its own and not the setup's:

- parse: `read_sheet` of the file only (open, safety checks, every cell read): the floor
  of any import of that file;
- post: `post_entries` of the same rows as drafts built in memory (no file, no
  validation): the floor of writing them;
- import: `import_file` of the file: read, validate every row (set-based look-ups), post
  all rows in one transaction, save the run and its audit row.

`idle` is the peak RSS of a subprocess that only starts Django: what every phase pays
before it does anything. The ratio import / (parse + post) is the cost of validation and
of holding the rows, on top of the unavoidable work.

PostgreSQL: the scratch database is JIFEN_BENCH_PG_NAME (default jifen_bench_import_<pid>),
created and dropped through JIFEN_BENCH_PG_ADMIN_URL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _common import PG_ADMIN_URL, django_env, figures_table, machine, peak_rss_mib, run_worker

BRANCHES = 10
MEMBERS = 1000
FIXED = ["study_absent", "study_notes", "service_activity", "duty_orglife_dues", "promise_breach"]
DISCRETIONARY = ["study_other", "service_other", "duty_other"]
HEADER = ["身份证号", "姓名", "积分项目", "发生日期", "分值", "次数", "荣誉名称", "事由"]
TODAY = dt.date(2026, 1, 15)


# --- worker phases (inside a subprocess, Django configured for the scratch database) --------


def _id_number(serial: int) -> str:
    from jifen.members.idcard import check_digit

    first17 = f"1101{serial // 1000 % 100:02d}1980{1 + serial % 12:02d}{1 + serial % 28:02d}"
    first17 += f"{serial % 1000:03d}"
    return first17 + check_digit(first17)


def _rows(n: int, seed: int) -> list[list[Any]]:
    """N rows for a year of 2025: fixed items with empty points, discretionary ones with a
    negative value, dates in a few spellings, a note on some rows."""
    rng = random.Random(seed)
    ids = [_id_number(i) for i in range(MEMBERS)]
    spellings = ("{d:%Y-%m-%d}", "{d.year}/{d.month}/{d.day}", "{d.year}年{d.month}月{d.day}日")
    rows: list[list[Any]] = []
    for i in range(n):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365))
        discretionary = rng.random() < 0.2
        item = rng.choice(DISCRETIONARY if discretionary else FIXED)
        rows.append([
            ids[rng.randrange(MEMBERS)], "", item,
            rng.choice(spellings).format(d=day),
            f"-{rng.choice(('0.5', '1', '2'))}" if discretionary else "",
            "" if rng.random() < 0.95 else 2, "",
            "缺席主题党日" if i % 7 == 0 else "",
        ])  # fmt: skip
    return rows


def phase_setup(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    import csv

    from django.core.management import call_command
    from openpyxl import Workbook

    from jifen.members.services import create_member
    from jifen.orgs.models import OrgKind
    from jifen.orgs.services import create_organisation

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    root = create_organisation(actor=None, name="导入基准区委", code="IMP", kind=OrgKind.DISTRICT,
                               scheme_code="s002")  # fmt: skip
    branches = [
        create_organisation(
            actor=None,
            name=f"导入基准第{i + 1}支部",
            code=f"IMP-{i + 1:02d}",
            kind=OrgKind.BRANCH,
            parent=root,
        )  # fmt: skip
        for i in range(BRANCHES)
    ]
    for i in range(MEMBERS):
        create_member(actor=None, branch=branches[i % BRANCHES], name=f"党员{i:04d}",
                      gender="MF"[i % 2], id_number=_id_number(i))  # fmt: skip
    setup_s = time.perf_counter() - started
    started = time.perf_counter()
    rows = _rows(args.rows, args.seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("积分记录")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(folder / "entries.xlsx")
    _add_dimension(folder / "entries.xlsx", f"A1:H{len(rows) + 1}")
    with open(folder / "entries.csv", "w", encoding="gbk", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return {
        "setup_s": setup_s,
        "files_s": time.perf_counter() - started,
        "xlsx_mib": (folder / "entries.xlsx").stat().st_size / 2**20,
        "csv_mib": (folder / "entries.csv").stat().st_size / 2**20,
    }


def _add_dimension(path: Path, ref: str) -> None:
    """Excel writes <dimension ref="A1:H100001"/> at the top of every sheet; openpyxl's
    write-only mode does not, and openpyxl's read-only reader then parses the whole sheet
    once more just to find its size. The benchmark measures files as Excel saves them."""
    import zipfile

    source = zipfile.ZipFile(path)
    parts = {info: source.read(info) for info in source.infolist()}
    source.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, body in parts.items():
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(
                    b"</sheetPr>", f'</sheetPr><dimension ref="{ref}"/>'.encode(), 1
                )
            target.writestr(info.filename, body)


def phase_parse(args: argparse.Namespace, folder: Path, name: str) -> dict[str, Any]:
    from jifen.exchange.readers import read_sheet

    data = (folder / name).read_bytes()
    started = time.perf_counter()
    sheet = read_sheet(name, data)
    return {"s": time.perf_counter() - started, "rows": len(sheet.rows)}


def phase_post(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """The baseline writer: the same rows as drafts, straight into `post_entries`."""
    from decimal import Decimal

    from jifen.exchange.normalise import parse_date
    from jifen.ledger.models import Source
    from jifen.ledger.services import EntryDraft, post_entries
    from jifen.members.models import Member
    from jifen.members.services import id_number_lookup_key
    from jifen.orgs.models import Organisation

    tenant = Organisation.objects.get(code="IMP")
    by_key = {
        k: (pk, b)
        for pk, k, b in Member.objects.filter(tenant=tenant).values_list(
            "pk", "id_number_index", "branch_id"
        )
    }
    member_of = {_id_number(i): by_key[id_number_lookup_key(_id_number(i))] for i in range(MEMBERS)}
    fixed = {"study_absent": -1, "study_notes": -1, "service_activity": -1,
             "duty_orglife_dues": -2, "promise_breach": -1}  # fmt: skip
    drafts = []
    for row in _rows(args.rows, args.seed):
        member_id, branch_id = member_of[row[0]]
        drafts.append(EntryDraft(
            member_id=member_id, organisation_id=branch_id, item_code=row[2],
            points=Decimal(row[4]) if row[4] else Decimal(fixed[row[2]]),
            occurred_on=parse_date(row[3]), quantity=int(row[5] or 1), note=row[7],
            source=Source.IMPORT,
        ))  # fmt: skip
    started = time.perf_counter()
    batch = post_entries(actor=None, tenant_id=tenant.pk, drafts=drafts)
    return {"s": time.perf_counter() - started, "rows": batch.count}


def phase_import(args: argparse.Namespace, folder: Path, name: str) -> dict[str, Any]:
    from jifen.exchange.services import import_file
    from jifen.ledger.verify import verify_tenant
    from jifen.orgs.models import Organisation

    tenant = Organisation.objects.get(code="IMP")
    data = (folder / name).read_bytes()
    started = time.perf_counter()
    run = import_file(actor=None, organisation=tenant, kind="entries", filename=name,
                      data=data, today=TODAY)  # fmt: skip
    elapsed = time.perf_counter() - started
    if run.state != "succeeded":
        raise SystemExit(f"import refused: {run.errors[:5]}")
    ok = verify_tenant(tenant.pk) is None if args.verify else None
    return {"s": elapsed, "rows": run.rows_written, "verified": ok}


def worker(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    folder = Path(args.folder)
    phase, _, name = args.phase.partition(":")
    if phase == "idle":
        result: dict[str, Any] = {}
    elif phase == "setup":
        result = phase_setup(args, folder)
    elif phase == "parse":
        result = phase_parse(args, folder, name)
    elif phase == "post":
        result = phase_post(args, folder)
    else:
        result = phase_import(args, folder, name)
    result["peak_rss_mib"] = peak_rss_mib()
    result["loadavg"] = os.getloadavg()[0]  # the machine's other work shows up in the times
    return result


# --- parent ---------------------------------------------------------------------------------


@contextmanager
def scratch(database: str) -> Iterator[tuple[str, Path]]:
    with tempfile.TemporaryDirectory(prefix="jifen-bench-import-") as folder:
        if database == "sqlite":
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}", Path(folder)
            return
        import psycopg

        admin_url = os.environ.get("JIFEN_BENCH_PG_ADMIN_URL", PG_ADMIN_URL)
        name = os.environ.get("JIFEN_BENCH_PG_NAME", f"jifen_bench_import_{os.getpid()}")
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
        try:
            yield f"{admin_url.rsplit('/', 1)[0]}/{name}", Path(folder)
        finally:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


PHASES = ("idle", "setup", "parse:entries.xlsx", "parse:entries.csv", "post",
          "import:entries.xlsx", "import:entries.csv")  # fmt: skip


def measure(database: str, args: argparse.Namespace) -> dict[str, Any] | None:
    print(f"== {database}: {args.rows:,} rows", flush=True)
    result: dict[str, Any] = {"database": database, "rows": args.rows}
    with scratch(database) as (url, folder):
        env = django_env(url, folder)
        # The keys django_env generates differ per call: one set for every phase.
        for phase in PHASES:
            out = folder / "phase.json"
            argv = [str(Path(__file__).resolve()), "--worker", "--phase", phase,
                    "--folder", str(folder), "--result", str(out), "--rows", str(args.rows),
                    "--seed", str(args.seed)] + (["--verify"] if args.verify else [])  # fmt: skip
            status = run_worker(argv, env)
            if status != 0 or not out.exists():
                print(f"!! {database}: phase {phase} failed (exit {status})", file=sys.stderr)
                return None
            result[phase] = json.loads(out.read_text())
            out.unlink()
            print(f"  [{database}] {phase}: {result[phase]}", flush=True)
    return result


def _rate(r: dict[str, Any], phase: str) -> str:
    return f"{r['rows'] / r[phase]['s']:,.0f}"


ROWS = [
    ("rows", "", lambda r: f"{r['rows']:,}"),
    ("file size .xlsx / .csv (GBK)", "MiB",
     lambda r: f"{r['setup']['xlsx_mib']:.1f} / {r['setup']['csv_mib']:.1f}"),
    ("import .xlsx: time", "s", lambda r: f"{r['import:entries.xlsx']['s']:.1f}"),
    ("import .xlsx: rate", "rows/s", lambda r: _rate(r, "import:entries.xlsx")),
    ("import .csv: time", "s", lambda r: f"{r['import:entries.csv']['s']:.1f}"),
    ("import .csv: rate", "rows/s", lambda r: _rate(r, "import:entries.csv")),
    ("baseline parse .xlsx only", "s", lambda r: f"{r['parse:entries.xlsx']['s']:.1f}"),
    ("baseline parse .csv only", "s", lambda r: f"{r['parse:entries.csv']['s']:.1f}"),
    ("baseline post_entries only", "s", lambda r: f"{r['post']['s']:.1f}"),
    ("ratio import / (parse + post), .xlsx", "×", lambda r: f"{_ratio(r, 'xlsx'):.2f}"),
    ("ratio import / (parse + post), .csv", "×", lambda r: f"{_ratio(r, 'csv'):.2f}"),
    ("peak RSS: idle Django", "MiB", lambda r: f"{r['idle']['peak_rss_mib']:.0f}"),
    ("peak RSS: import .xlsx", "MiB", lambda r: f"{r['import:entries.xlsx']['peak_rss_mib']:.0f}"),
    ("peak RSS: import .csv", "MiB", lambda r: f"{r['import:entries.csv']['peak_rss_mib']:.0f}"),
    ("peak RSS: parse .xlsx / .csv only", "MiB",
     lambda r: f"{r['parse:entries.xlsx']['peak_rss_mib']:.0f} / "
               f"{r['parse:entries.csv']['peak_rss_mib']:.0f}"),
    ("peak RSS: post_entries only", "MiB", lambda r: f"{r['post']['peak_rss_mib']:.0f}"),
    ("ledger verifies after the imports", "", lambda r: _verified(r["import:entries.csv"])),
    ("load average (1 min) after import .xlsx / .csv", "",
     lambda r: f"{r['import:entries.xlsx']['loadavg']:.1f} / "
               f"{r['import:entries.csv']['loadavg']:.1f}"),
    ("setup (migrate, 1,000 members) / files", "s",
     lambda r: f"{r['setup']['setup_s']:.1f} / {r['setup']['files_s']:.1f}"),
]  # fmt: skip


def _verified(phase: dict[str, Any]) -> str:
    return {True: "yes", False: "NO", None: "not checked"}[phase["verified"]]


def _ratio(r: dict[str, Any], kind: str) -> float:
    name = f"entries.{kind}"
    return r[f"import:{name}"]["s"] / (r[f"parse:{name}"]["s"] + r["post"]["s"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--verify", action="store_true", help="verify the chain after imports")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        Path(args.result).write_text(json.dumps(worker(args)))
        return 0
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = [r for d in databases if (r := measure(d, args)) is not None]
    if not results:
        return 1
    print("\n".join(figures_table(ROWS, results, machine())))
    return 0 if len(results) == len(databases) else 1


if __name__ == "__main__":
    sys.exit(main())
