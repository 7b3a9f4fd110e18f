"""`jifen demo`: load the demo tenant, or with `--members N` a large one for benchmarks.

Running it again leaves an existing demo alone and prints its logins. A missing key
(JIFEN_FIELD_KEY …) surfaces as ImproperlyConfigured from the services, which the `jifen`
entry point turns into a message and exit status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jifen.demo.builder import DemoConflict, LoadResult, load_demo
from jifen.demo.bulk import BIG_TENANT_CODE, MAX_MEMBERS, load_big
from jifen.demo.report import summary


def member_count(text: str) -> int:
    try:
        value = int(text.strip().replace(",", "").replace("_", ""))
    except ValueError:
        value = 0
        problem = f"'{text}' 不是整数 (not a whole number)"
    else:
        problem = f"{value} 不在 1–{MAX_MEMBERS:,} 之间 (must be 1 to {MAX_MEMBERS:,})"
    if not 1 <= value <= MAX_MEMBERS:
        raise argparse.ArgumentTypeError(f"党员人数应为正整数：{problem}")
    return value


def scale_factor(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 4:
        raise argparse.ArgumentTypeError(f"--scale 应在 (0, 4] 之间：{text!r}")
    return value


def as_of_date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of 应为日期 YYYY-MM-DD：{text!r}") from None
    if day > timezone.localdate():
        raise argparse.ArgumentTypeError(f"--as-of 不能晚于今天：{text}")
    return day


class Command(BaseCommand):
    help = (
        "载入演示数据：青山区委 (QS)，约 300 名党员、一年的积分台账和各角色的演示账号；"
        f"--members N 另建大型租户 {BIG_TENANT_CODE} 用于性能测试。重复运行不会重复载入。 "
        "(Load the demo tenant; --members N builds a large benchmark tenant.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members",
            type=member_count,
            metavar="N",
            help=f"建大型性能测试租户 {BIG_TENANT_CODE}，共 N 名党员 (benchmark tenant, N members)",
        )
        # Tests load a smaller demo: every branch scaled, at least six members each.
        parser.add_argument("--scale", type=scale_factor, default=1.0, help=argparse.SUPPRESS)
        # Load as if on an earlier day (tests pin the demo year with it).
        parser.add_argument("--as-of", type=as_of_date, default=None, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["members"] is None:
                result = load_demo(scale=options["scale"], today=options["as_of"], say=self._say)
            else:
                result = load_big(members=options["members"], today=options["as_of"], say=self._say)
        except DemoConflict as error:
            raise CommandError(str(error), returncode=1) from error
        self._report(result)

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _report(self, result: LoadResult) -> None:
        if result.created:
            seconds = f"{result.seconds:.1f}"
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示数据已载入，用时 {seconds} 秒 (demo loaded in {seconds} s)"
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"演示数据 {result.tenant.code} 已存在，未做任何改动。"
                    f" (The demo tenant {result.tenant.code} is already loaded; nothing changed.)"
                )
            )
        self.stdout.write(summary(result.tenant, result.logins))
