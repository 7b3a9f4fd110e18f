"""Database triggers that keep append-only tables append-only.

The application never updates or deletes ledger, checkpoint, audit, result-snapshot or
scheme-version rows; these triggers make the database refuse it too, so a raw SQL statement
or a bug that bypasses the models fails loudly. SQLite gets BEFORE UPDATE/DELETE triggers;
PostgreSQL gets a row trigger, a TRUNCATE statement trigger, and UPDATE/DELETE/TRUNCATE
revoked from PUBLIC. Deployments should also connect as a role that does not own the tables
(see docs/operations.md).

`suspended()` lifts the triggers of the given tables for the length of a block: only the
test suite uses it (to flush its database and to play an attacker with owner rights).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

# Every table with triggers that refuse changes; the test suite lifts them to flush.
GUARDED_TABLES = (
    "core_auditevent",
    "ledger_ledgerentry",
    "ledger_checkpoint",
    "ledger_period",
    "scoring_resultsnapshot",
    "scoring_memberresult",
    "schemes_schemeversion",
)

PG_REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION jifen_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'jifen: % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END $$;
"""


def append_only_statements(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'jifen: {table} is append-only: {op} refused'); END;"
            for op in ("UPDATE", "DELETE")
        ]
    if vendor == "postgresql":
        return [
            PG_REFUSE_FUNCTION,
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION jifen_refuse_change();",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION jifen_refuse_change();",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC;",
        ]
    raise NotImplementedError(f"append-only guards for {vendor}")


def install_append_only(apps: Any, schema_editor: Any, tables: Sequence[str]) -> None:
    for table in tables:
        for statement in append_only_statements(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)


@contextmanager
def suspended(
    tables: Sequence[str], connection: BaseDatabaseWrapper = default_connection
) -> Iterator[None]:
    """Lift every trigger on `tables` for the block (tests only)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks pending in this transaction block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT t FROM unnest(%s::text[]) AS t WHERE to_regclass(t) IS NOT NULL",
                [list(tables)],
            )
            tables = [row[0] for row in cursor.fetchall()]  # only those migrated so far
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            try:
                yield
            finally:
                with connection.cursor() as again:
                    again.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    for table in tables:
                        again.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        placeholders = ",".join("%s" for _ in tables)
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            f"AND tbl_name IN ({placeholders})",
            list(tables),
        )
        saved = cursor.fetchall()
        for name, _sql in saved:
            cursor.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in saved:
                cursor.execute(sql)


def trigger_names(table: str, connection: BaseDatabaseWrapper = default_connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        return {row[0] for row in cursor.fetchall()}
