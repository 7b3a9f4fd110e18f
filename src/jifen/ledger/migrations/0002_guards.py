from functools import partial

from django.db import migrations

from jifen.core.dbguards import install_append_only
from jifen.ledger import guards


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(
            partial(install_append_only, tables=["ledger_ledgerentry", "ledger_checkpoint"]),
            migrations.RunPython.noop,
        ),
        migrations.RunPython(guards.install, migrations.RunPython.noop),
    ]
