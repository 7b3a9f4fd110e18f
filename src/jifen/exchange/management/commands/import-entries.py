"""`jifen import-entries FILE --organisation CODE [--actor USERNAME]`: entries from .xlsx/.csv."""

from jifen.exchange.management.commands._import import ImportCommand
from jifen.exchange.models import ImportKind


class Command(ImportCommand):
    help = "从 .xlsx/.csv 导入积分记录（全部正确才写入） (import ledger entries)"
    kind = ImportKind.ENTRIES
