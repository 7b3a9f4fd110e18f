"""Management commands that hand their argv to the engine's own command line.

The `evaluate` contract (domain.md) is the engine's: its argparse, its exit status 2 and
its silence on stdout for bad input. Django's option parsing would change all three, so
these commands pass the raw arguments through.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand

from jifen.engine import cli


class EngineCommand(BaseCommand):
    subcommand = ""
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def run_from_argv(self, argv: list[str]) -> None:
        sys.exit(cli.main([self.subcommand, *argv[2:]], sys.stdout, sys.stderr))

    def handle(self, *args: Any, **options: Any) -> None:  # call_command path
        code = cli.main(
            [self.subcommand, *args], cast(TextIO, self.stdout), cast(TextIO, self.stderr)
        )
        if code:
            sys.exit(code)
