"""Nothing changes a ledger row once written: not the ORM, not raw SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from helpers.ledger import post
from jifen.core.dbguards import trigger_names
from jifen.core.models import AuditEvent
from jifen.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(personas):
    post(personas.alice, 2)
    return LedgerEntry.objects.filter(member=personas.alice).first()


def test_the_orm_refuses_updates_and_deletes_with_a_clear_message(entry) -> None:
    with pytest.raises(PermissionError, match="append-only"):
        LedgerEntry.objects.filter(pk=entry.pk).update(points_hundredths=999)
    with pytest.raises(PermissionError, match="append-only"):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    entry.note = "改一下"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_ledgerentry SET points_hundredths = 999 WHERE id = %s",
        "DELETE FROM ledger_ledgerentry WHERE id = %s",
    ],
)
def test_raw_sql_update_and_delete_fail_in_the_database(entry, statement: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    fresh = LedgerEntry.objects.get(pk=entry.pk)
    assert fresh.points_hundredths == entry.points_hundredths


def test_the_audit_log_is_append_only_too(personas) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET summary = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])


def test_truncate_is_refused_on_postgresql(entry) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(reason="TRUNCATE exists only on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE ledger_ledgerentry CASCADE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege('public', 'ledger_ledgerentry', 'TRUNCATE')")
        assert cursor.fetchone() == (False,)
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_the_triggers_exist_after_migrate() -> None:
    names = trigger_names("ledger_ledgerentry")
    if connection.vendor == "postgresql":
        assert {"ledger_ledgerentry_append_only", "ledger_ledgerentry_no_truncate",
                "ledger_entry_insert_check"} <= names  # fmt: skip
    else:
        assert {"ledger_ledgerentry_no_update", "ledger_ledgerentry_no_delete",
                "ledger_entry_period_lock", "ledger_entry_reversal_shape"} <= names  # fmt: skip
    assert trigger_names("core_auditevent")
    assert trigger_names("ledger_checkpoint")
    assert trigger_names("schemes_schemeversion")  # a scheme change is a new version
