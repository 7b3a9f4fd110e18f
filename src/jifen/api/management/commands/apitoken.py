from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jifen.api.tokens import create_token, revoke_tokens


class Command(BaseCommand):
    help = "接口令牌：create 生成（只显示一次），revoke 撤销 (API tokens)"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="为用户生成令牌，令牌只显示这一次")
        create.add_argument("username")
        create.add_argument("--name", default="", help="令牌名称，如“手机应用”")
        revoke = actions.add_parser("revoke", help="撤销用户的令牌（指定 --name 时只撤销该名称的）")
        revoke.add_argument("username")
        revoke.add_argument("--name", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                _, token = create_token(
                    actor=None, username=options["username"], name=options["name"]
                )
                self.stdout.write(token)
                self.stderr.write("请妥善保存：令牌只显示这一次，系统只保存其摘要")
            else:
                count = revoke_tokens(
                    actor=None, username=options["username"], name=options["name"]
                )
                self.stdout.write(f"已撤销 {count} 个令牌 (tokens revoked)")
        except ValidationError as error:
            raise CommandError("；".join(error.messages), returncode=2) from error
