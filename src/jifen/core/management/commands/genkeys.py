from typing import Any

from django.core.management.base import BaseCommand

from jifen.core.keys import ALL_KEYS, generate_key


class Command(BaseCommand):
    help = "打印一组新的密钥 (print a fresh set of secret keys, in .env format)"
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"JIFEN_SECRET_KEY={generate_key()}{generate_key()}")
        for name in ALL_KEYS:
            self.stdout.write(f"{name}={generate_key()}")
