"""No entry may fall into an archived period; an archived period stays archived."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, transaction

from helpers.ledger import post
from jifen.ledger.models import LedgerEntry, Period, PeriodState
from jifen.ledger.services import (
    LedgerRefused,
    advance_period,
    insert_rows,
    open_period,
    reverse_entry,
)

pytestmark = pytest.mark.django_db


def archived_q1(personas):
    period = open_period(actor=personas.sam, organisation=personas.branch_a, label="2025-Q1",
                         starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31))  # fmt: skip
    for state in ("summarised", "publicised", "archived"):
        period = advance_period(actor=personas.sam, period=period, to=state)
    return period


def test_the_service_refuses_an_entry_in_an_archived_period_and_writes_nothing(personas) -> None:
    archived_q1(personas)
    with pytest.raises(LedgerRefused, match="已归档的期间 2025-Q1"):
        post(personas.alice, 3, month=3)
    assert not LedgerEntry.objects.exists()
    post(personas.alice, 1, month=4)  # the next quarter is open
    post(personas.member_b, 1, month=3)  # branch B did not archive its Q1


def test_the_database_refuses_it_too(personas) -> None:
    post(personas.alice, 1, month=3)
    row = LedgerEntry.objects.filter(member=personas.alice).values_list(
        "tenant_id", "seq", "uid", "member_id", "organisation_id", "item_code",
        "points_hundredths", "quantity", "occurred_on", "honor_key", "note", "evidence_sha256",
        "source", "reverses_id", "recorded_by_id", "approved_by_id", "recorded_at",
        "prev_hash", "entry_hash",
    )[0]  # fmt: skip
    archived_q1(personas)
    import uuid

    forged = (row[0], 2, uuid.uuid4(), *row[3:])
    with pytest.raises(DatabaseError, match="archived period"), transaction.atomic():
        insert_rows([forged])


def test_a_correction_of_an_archived_entry_goes_into_an_open_period(personas) -> None:
    post(personas.alice, 1, month=2)
    entry = LedgerEntry.objects.get(member=personas.alice)
    archived_q1(personas)
    with pytest.raises(LedgerRefused, match="请为冲正指定"):
        reverse_entry(actor=personas.sam, entry=entry, reason="更正")
    reversal = reverse_entry(actor=personas.sam, entry=entry, reason="更正",
                             occurred_on=dt.date(2025, 4, 2))  # fmt: skip
    assert reversal.occurred_on == dt.date(2025, 4, 2)


def test_an_archived_period_cannot_be_reopened_even_in_sql(personas) -> None:
    period = archived_q1(personas)
    with pytest.raises(LedgerRefused):
        advance_period(actor=personas.sam, period=period, to=PeriodState.OPEN)
    with pytest.raises(DatabaseError, match="stays archived"), transaction.atomic():
        Period.objects.filter(pk=period.pk).update(state=PeriodState.OPEN)
    with pytest.raises(DatabaseError, match="cannot be deleted"), transaction.atomic():
        Period.objects.filter(pk=period.pk).delete()
    assert Period.objects.get(pk=period.pk).state == PeriodState.ARCHIVED


def test_only_the_branch_scorekeeper_manages_its_periods(personas) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        open_period(actor=personas.bob, organisation=personas.branch_a, label="2025-Q2",
                    starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2025, 6, 30))  # fmt: skip
    assert not Period.objects.exists()
