"""`jifen summarise`: evaluate a tenant or a subtree over the database and save the snapshot.

    jifen summarise --tenant CODE [--organisation CODE] --period P [--scheme CODE]
                    [--workers N]

A scope of 20,000 members or more is evaluated in `--workers` processes (default: one per
core, at most four); the results and the inputs hash are the same with any number.

Bad input (an unknown tenant, organisation or scheme, a bad period, ledger entries the
scheme refuses) prints a Chinese message on stderr and exits with status 2; nothing is
written.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jifen.engine.errors import EngineError
from jifen.scoring.parallel import default_workers
from jifen.scoring.scope import ScopeError, find_organisations, resolve_scope
from jifen.scoring.selectors import snapshot_results
from jifen.scoring.services import summarise


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"进程数应为正整数，实际为 {text!r}")
    return value


class Command(BaseCommand):
    help = "汇总积分结果并保存快照 (evaluate over the database and save a result snapshot)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="租户（顶级党组织）代码")
        parser.add_argument("--organisation", help="只汇总该党组织及其下级组织")
        parser.add_argument("--period", required=True, help="期间：2026、2026-H1、2026-Q3、2026-07")
        parser.add_argument("--scheme", help="积分办法代码（子树使用多个办法时必填）")
        parser.add_argument(
            "--workers",
            type=_positive,
            default=default_workers(),
            help="大范围汇总使用的进程数（默认每个处理器核心一个，最多4个）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            tenant, organisation = find_organisations(options["tenant"], options["organisation"])
            scope = resolve_scope(
                tenant=tenant,
                organisation=organisation,
                period=options["period"],
                scheme_code=options["scheme"],
            )
            done = summarise(actor=None, scope=scope, workers=options["workers"])
        except (ScopeError, EngineError) as error:
            self.stderr.write(f"汇总失败：{error}")
            sys.exit(2)
        snapshot = done.snapshot
        # Read back from the snapshot, as anyone reads a published result.
        results = list(snapshot_results(snapshot).values_list("grade", "rank"))
        ranked = sum(1 for _, rank in results if rank is not None)
        counts: dict[str, int] = {}
        for grade, _ in results:  # in rank order: grades appear best first
            counts[grade] = counts.get(grade, 0) + 1
        grades = "，".join(f"{grade or '无等次'} {count}" for grade, count in counts.items())
        self.stdout.write(
            f"{organisation.name}（{organisation.code}）{scope.scheme.name}（{scope.scheme.code} "
            f"第{scope.scheme.version}版）{scope.period}\n"
            f"党员 {len(results)} 名，参与排名 {ranked} 名\n"
            f"等次：{grades or '—'}\n"
            f"快照 #{snapshot.pk}  输入摘要 {snapshot.inputs_hash}"
        )
