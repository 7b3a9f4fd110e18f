from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jifen.ledger.verify import checkpoint_document, make_checkpoint
from jifen.orgs.models import Organisation


class Command(BaseCommand):
    help = "导出积分台账当前链头，交上级党组织留存 (export the chain head as a checkpoint)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="租户(顶层组织)代码")
        parser.add_argument("--label", required=True, help="期间，例如 2026-Q3")
        parser.add_argument("--output", type=Path, help="写入的文件；默认打印到标准输出")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Organisation.objects.filter(parent__isnull=True, code=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"未知的租户代码 {options['tenant']!r}", returncode=2)
        label = options["label"].strip()
        if not label or len(label) > 32:
            raise CommandError("--label 不能为空，且不超过 32 个字符", returncode=2)
        output: Path | None = options["output"]
        if output is not None and not output.parent.is_dir():
            raise CommandError(f"目录不存在：{output.parent}", returncode=2)
        try:
            checkpoint = make_checkpoint(actor=None, tenant=tenant, label=label)
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from error
        text = json.dumps(checkpoint_document(checkpoint, tenant), ensure_ascii=False, indent=2)
        if output is None:
            self.stdout.write(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"检查点已写入 {output} (第 {checkpoint.seq} 条)")
