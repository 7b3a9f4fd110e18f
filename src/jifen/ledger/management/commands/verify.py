from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jifen.ledger.verify import (
    BadCheckpointFile,
    Pin,
    read_checkpoint_file,
    stored_pins,
    verify_tenant,
)
from jifen.orgs.models import Organisation


class Command(BaseCommand):
    help = "重新计算积分台账哈希链，指出第一条被改动的记录 (verify the ledger hash chain)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="租户(顶层组织)代码；默认检查全部租户")
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            type=Path,
            help="导出的检查点文件，可多次给出；核对台账仍包含该链头",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = Organisation.objects.filter(parent__isnull=True).order_by("code")
        if options["tenant"]:
            tenants = tenants.filter(code=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"未知的租户代码 {options['tenant']!r}", returncode=2)
        file_pins: dict[str, list[Pin]] = {}
        for path in options["checkpoint"]:
            try:
                code, pin = read_checkpoint_file(path)
            except BadCheckpointFile as error:
                raise CommandError(str(error), returncode=2) from error
            if not tenants.filter(code=code).exists():
                raise CommandError(f"{path}: 检查点属于未知的租户 {code!r}", returncode=2)
            file_pins.setdefault(code, []).append(pin)
        failed = False
        for tenant in tenants:
            pins = stored_pins(tenant.pk) + file_pins.get(tenant.code, [])
            problem = verify_tenant(tenant.pk, pins)
            if problem is None:
                self.stdout.write(f"✓ {tenant.code} {tenant.name}: 台账完整 (ledger verifies)")
            else:
                failed = True
                self.stderr.write(f"✗ {tenant.code} {tenant.name}: {problem}")
        if failed:
            raise CommandError("台账校验未通过 (ledger verification failed)", returncode=1)
