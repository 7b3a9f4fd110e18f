"""The `jifen` console command: Django's management commands plus the project's own.

Operational faults (a missing key, a database that can't be reached) end with a clear
message and exit status 2 instead of a traceback, because operators read these.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jifen.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(["jifen", *(sys.argv[1:] if argv is None else argv)])
    except ImproperlyConfigured as error:
        print(f"配置错误 (configuration error): {error}", file=sys.stderr)
        return 2
    except OperationalError as error:
        print(f"数据库无法使用 (database unavailable): {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
