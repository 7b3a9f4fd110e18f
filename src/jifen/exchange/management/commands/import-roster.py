"""`jifen import-roster FILE --organisation CODE [--actor USERNAME]`: the roster (花名册)."""

from jifen.exchange.management.commands._import import ImportCommand
from jifen.exchange.models import ImportKind


class Command(ImportCommand):
    help = "从 .xlsx/.csv 导入党员花名册（全部正确才写入） (import the member roster)"
    kind = ImportKind.ROSTER
