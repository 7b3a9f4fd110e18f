"""Corrections are reversing entries, linked one-to-one, at most one per entry."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from helpers.ledger import post
from jifen.ledger.models import LedgerEntry, Source
from jifen.ledger.services import LedgerRefused, balance, reverse_entry
from jifen.ledger.verify import verify_tenant


@pytest.mark.django_db
def test_a_reversal_mirrors_the_entry_and_restores_the_balance(personas) -> None:
    post(personas.alice, 1, points="2.50", quantity=2)
    entry = LedgerEntry.objects.get(member=personas.alice)
    assert balance(personas.alice) == Decimal("5.00")
    reversal = reverse_entry(actor=personas.sam, entry=entry, reason="重复登记")
    assert reversal.reverses_id == entry.pk
    assert reversal.points == Decimal("-2.50") and reversal.quantity == 2
    assert reversal.source == Source.CORRECTION and reversal.note == "重复登记"
    assert reversal.recorded_by == personas.sam
    assert balance(personas.alice) == Decimal("0.00")
    assert verify_tenant(personas.district.pk) is None


@pytest.mark.django_db
def test_an_entry_is_reversed_once_and_a_reversal_never(personas) -> None:
    post(personas.alice, 1)
    entry = LedgerEntry.objects.get(member=personas.alice)
    reversal = reverse_entry(actor=None, entry=entry, reason="错误")
    with pytest.raises(LedgerRefused, match="已经冲正过"):
        reverse_entry(actor=None, entry=entry, reason="再来一次")
    with pytest.raises(LedgerRefused, match="本身是冲正记录"):
        reverse_entry(actor=None, entry=reversal, reason="反冲正")
    with pytest.raises(LedgerRefused, match="原因"):
        reverse_entry(actor=None, entry=entry, reason="  ")
    assert LedgerEntry.objects.filter(member=personas.alice).count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_reversal_that_does_not_mirror(personas) -> None:
    post(personas.alice, 1)
    entry = LedgerEntry.objects.get(member=personas.alice)
    row = list(
        LedgerEntry.objects.filter(pk=entry.pk).values_list(
            "tenant_id", "member_id", "organisation_id", "item_code", "occurred_on"
        )[0]
    )
    with pytest.raises(DatabaseError, match="mirror"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_ledgerentry (tenant_id, seq, uid, member_id, organisation_id,"
                " item_code, points_hundredths, quantity, occurred_on, honor_key, note,"
                " evidence_sha256, source, reverses_id, recorded_at, prev_hash, entry_hash)"
                " VALUES (%s, 99, %s, %s, %s, %s, -5000, 1, %s, '', '', '', 'correction', %s,"
                " %s, '', '')",
                [row[0], "f" * 32, row[1], row[2], row[3], row[4], entry.pk, entry.recorded_at],
            )


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_reversals_make_exactly_one(personas) -> None:
    post(personas.alice, 1, points="3")
    entry = LedgerEntry.objects.get(member=personas.alice)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def reverse() -> None:
        try:
            barrier.wait()
            reverse_entry(actor=None, entry=entry, reason="并发冲正")
            outcomes.append("ok")
        except LedgerRefused:
            outcomes.append("refused")
        except Exception as error:  # noqa: BLE001  (the test reports any other failure)
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=reverse) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 9, outcomes
    assert LedgerEntry.objects.filter(reverses=entry).count() == 1
    assert balance(personas.alice) == Decimal("0.00")
    assert verify_tenant(personas.district.pk) is None


@pytest.mark.django_db
def test_a_reversal_names_who_decided_it(personas) -> None:
    post(personas.alice, 1)
    entry = LedgerEntry.objects.get(member=personas.alice)
    reversal = reverse_entry(actor=None, entry=entry, reason="二审成立", approved_by=personas.carol)
    assert reversal.approved_by == personas.carol and reversal.recorded_by is None
    assert verify_tenant(personas.district.pk) is None
