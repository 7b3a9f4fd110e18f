"""Lighter result rows (see `MemberResult`): no separate snapshot index, no branch index,
member and branch checked by Django rather than by database constraints.

SQLite rebuilds the table to change a foreign key, and the rebuild drops its triggers:
the append-only guards are installed again (PostgreSQL alters in place and keeps them)."""

import django.db.models.deletion
from django.db import migrations, models

from jifen.scoring.migrations import guard_results_again_on_sqlite


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("orgs", "0002_tenant_code_unique"),
        ("scoring", "0002_append_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="memberresult",
            name="branch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.organisation",
                verbose_name="所在支部(汇总时)",
            ),
        ),
        migrations.AlterField(
            model_name="memberresult",
            name="member",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="members.member",
                verbose_name="党员",
            ),
        ),
        migrations.AlterField(
            model_name="memberresult",
            name="snapshot",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="scoring.resultsnapshot",
                verbose_name="快照",
            ),
        ),
        migrations.RunPython(guard_results_again_on_sqlite, migrations.RunPython.noop),
    ]
