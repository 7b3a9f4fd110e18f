from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jifen.api.idempotency import RETENTION_DAYS, prune


class Command(BaseCommand):
    help = "接口幂等记录：prune 删除过期的记录 (prune old idempotency records; run daily)"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        old = actions.add_parser("prune", help=f"删除早于 --days 天（默认 {RETENTION_DAYS}）的记录")
        old.add_argument("--days", type=int, default=RETENTION_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        removed = prune(days=max(1, options["days"]))
        self.stdout.write(f"已删除幂等记录 {removed} 条 (records removed)")
