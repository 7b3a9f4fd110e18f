"""Shared by the migrations that change `scoring_memberresult`'s foreign keys."""

from typing import Any

from jifen.core.dbguards import install_append_only


def guard_results_again_on_sqlite(apps: Any, schema_editor: Any) -> None:
    """SQLite rebuilds a table to change a foreign key, and the rebuild drops its
    triggers: install the append-only guards again (PostgreSQL alters in place)."""
    if schema_editor.connection.vendor == "sqlite":
        install_append_only(apps, schema_editor, tables=["scoring_memberresult"])
