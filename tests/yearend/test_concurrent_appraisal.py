"""One appraisal form pressed eight times at once (or sent from eight tabs) writes each
member's appraisal once: the year's row lock makes the later presses see the first's rows.
Runs on SQLite (IMMEDIATE transactions) and on PostgreSQL (SELECT … FOR UPDATE)."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from jifen.ledger.models import LedgerEntry
from jifen.ledger.verify import verify_tenant
from jifen.workflow.models import YearAppraisal
from jifen.workflow.years import AppraisalInput, record_appraisal

from .conftest import NEXT_YEAR

PRESSES = 8


@pytest.mark.django_db(transaction=True)
def test_presses_at_once_record_the_appraisal_once(personas, village) -> None:
    inputs = [AppraisalInput(member_id=p.pk, points=Decimal(90)) for p in village.people]
    barrier = threading.Barrier(PRESSES)
    changed: list[int] = []
    errors: list[str] = []

    def press() -> None:
        try:
            barrier.wait()
            _, n = record_appraisal(
                actor=personas.sam, branch=village, year=2025, results=inputs,
                occurred_on=NEXT_YEAR.replace(year=2025, month=12, day=20),
                form_key=uuid.uuid4(), today=NEXT_YEAR,
            )  # fmt: skip
            changed.append(n)
        except Exception as error:  # noqa: BLE001  (collected and reported below)
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(PRESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(changed) == [0] * (PRESSES - 1) + [3]
    assert LedgerEntry.objects.filter(item_code="annual_appraisal").count() == 3
    assert YearAppraisal.objects.count() == 3
    assert verify_tenant(personas.district.pk) is None
