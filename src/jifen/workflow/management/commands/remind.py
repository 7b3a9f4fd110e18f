from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jifen.workflow.services import send_reminders


class Command(BaseCommand):
    help = "发送到期提醒：期间已结束待汇总、公示期已满 (send due reminders; run daily)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="按该日期计算 (YYYY-MM-DD)，默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(
                    f"--today 不是日期：{options['today']!r}", returncode=2
                ) from error
        sent = send_reminders(today=today)
        self.stdout.write(f"已发送提醒 {sent} 条 (reminders sent)")
