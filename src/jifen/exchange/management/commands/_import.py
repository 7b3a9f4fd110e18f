"""The shared body of `jifen import-roster` and `jifen import-entries`.

    jifen import-entries FILE --organisation CODE [--tenant CODE] [--actor USERNAME]

Without --actor the operator imports (no permission check; the audit row names nobody);
with it, the import runs with that user's permissions. Bad input prints every error
(row, column, reason) on stderr and exits with status 2; nothing is written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandParser

from jifen.exchange.models import ImportKind, ImportState
from jifen.exchange.services import import_file
from jifen.orgs.models import Organisation


class ImportCommand(BaseCommand):
    kind: ImportKind

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=".xlsx 或 .csv 文件")
        parser.add_argument("--organisation", required=True, help="导入到的党组织代码")
        parser.add_argument("--tenant", help="租户代码（多个租户有同一组织代码时必填）")
        parser.add_argument("--actor", help="以该用户的身份和权限导入")

    def fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            self.fail(f"找不到文件：{path}")
        orgs = Organisation.objects.filter(code=options["organisation"])
        if options["tenant"]:
            orgs = orgs.filter(tenant__code=options["tenant"])
        found = list(orgs[:2])
        if len(found) != 1:
            self.fail(
                f"找不到党组织 {options['organisation']}"
                if not found
                else f"多个租户有党组织 {options['organisation']}，请用 --tenant 指明"
            )
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                self.fail(f"找不到用户 {options['actor']}")
        try:
            run = import_file(
                actor=actor, organisation=found[0], kind=self.kind,
                filename=path.name, data=path.read_bytes(),
            )  # fmt: skip
        except PermissionDenied as error:
            self.fail(f"导入失败：{error}")
        except ValidationError as error:
            self.fail("导入失败：" + "；".join(error.messages))
        if run.state != ImportState.SUCCEEDED:
            lines = [f"导入失败：{run.error_count} 处错误，未写入任何数据（导入记录 #{run.pk}）"]
            lines += [
                f"第 {e['row']} 行 {e['column'] or '整行'}：{e['reason']}" for e in run.errors
            ]
            self.fail("\n".join(lines))
        done = f"导入成功：{run.rows_written} 行"
        if self.kind == ImportKind.ROSTER:
            done += f"（新增 {run.created_count} 名，更新 {run.updated_count} 名）"
        self.stdout.write(f"{done}，导入记录 #{run.pk}")
