from functools import partial

from django.db import migrations

from jifen.core.dbguards import install_append_only


class Migration(migrations.Migration):
    dependencies = [("schemes", "0001_initial")]

    operations = [
        migrations.RunPython(
            partial(install_append_only, tables=["schemes_schemeversion"]),
            migrations.RunPython.noop,
        )
    ]
