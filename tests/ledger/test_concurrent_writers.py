"""8 threads writing at once lose nothing and never see "database is locked" (SQLite
file database in WAL with IMMEDIATE transactions; the same holds on PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from helpers.ledger import post
from jifen.ledger.models import LedgerEntry
from jifen.ledger.verify import verify_tenant

THREADS, BATCHES, PER_BATCH = 8, 25, 2


@pytest.mark.django_db(transaction=True)
def test_eight_threads_writing_at_once_lose_nothing(personas) -> None:
    if connection.vendor == "sqlite":
        assert connection.settings_dict["NAME"] != ":memory:"
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    barrier = threading.Barrier(THREADS)
    errors: list[str] = []

    def write(index: int) -> None:
        member = personas.alice if index % 2 else personas.member_b
        try:
            barrier.wait()
            for _ in range(BATCHES):
                post(member, PER_BATCH)
        except Exception as error:  # noqa: BLE001  (collected and reported below)
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(LedgerEntry.objects.filter(tenant=personas.district).values_list("seq", flat=True))
    assert sorted(seqs) == list(range(1, THREADS * BATCHES * PER_BATCH + 1))
    assert verify_tenant(personas.district.pk) is None
