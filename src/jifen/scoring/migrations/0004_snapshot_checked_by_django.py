"""The snapshot of a result row is checked by Django, not by a deferred database check
(see `MemberResult.snapshot`). SQLite rebuilds the table to change a foreign key, and
the rebuild drops its triggers: the append-only guards are installed again."""

import django.db.models.deletion
from django.db import migrations, models

from jifen.scoring.migrations import guard_results_again_on_sqlite


class Migration(migrations.Migration):
    dependencies = [("scoring", "0003_lighter_result_rows")]

    operations = [
        migrations.AlterField(
            model_name="memberresult",
            name="snapshot",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="scoring.resultsnapshot",
                verbose_name="快照",
            ),
        ),
        migrations.RunPython(guard_results_again_on_sqlite, migrations.RunPython.noop),
    ]
