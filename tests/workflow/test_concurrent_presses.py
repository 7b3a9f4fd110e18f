"""Presses at the same moment: 20 reviewers approving one declaration write one ledger
entry and get 19 clean refusals, nothing else (T2.1); one form sent 20 times is one
declaration (T2.3); five summaries of one period are one snapshot. Runs on SQLite (a file,
IMMEDIATE transactions) and on PostgreSQL."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from jifen.ledger.models import LedgerEntry, Period
from jifen.ledger.services import open_period
from jifen.ledger.verify import verify_tenant
from jifen.scoring.models import ResultSnapshot
from jifen.workflow.models import Declaration, Notification
from jifen.workflow.services import WorkflowRefused, approve_declaration, summarise_period
from jifen.workflow.states import DeclarationState

from .conftest import AFTER_Q1, Q1_END, Q1_START, declare

THREADS = 20


def press_at_once(action, count: int = THREADS) -> tuple[list[object], list[str], list[str]]:
    barrier = threading.Barrier(count)
    results: list[object] = []
    refusals: list[str] = []
    errors: list[str] = []

    def press() -> None:
        try:
            barrier.wait()
            results.append(action())
        except WorkflowRefused as refusal:
            refusals.append(refusal.messages[0])
        except Exception as error:  # noqa: BLE001  (collected and reported below)
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, refusals, errors


@pytest.mark.django_db(transaction=True)
def test_twenty_reviewers_approving_at_once_write_exactly_one_entry(personas) -> None:
    declaration = declare(personas)
    results, refusals, errors = press_at_once(
        lambda: approve_declaration(
            actor=personas.sam, declaration=Declaration.objects.get(pk=declaration.pk)
        )
    )
    assert errors == []
    assert len(results) == 1
    assert len(refusals) == THREADS - 1
    assert all("已通过" in text for text in refusals)
    assert LedgerEntry.objects.count() == 1
    approved = Declaration.objects.get(pk=declaration.pk)
    assert approved.state == DeclarationState.APPROVED
    assert approved.ledger_entry == LedgerEntry.objects.get()
    assert Notification.objects.filter(recipient=personas.alice_user).count() == 1
    assert verify_tenant(personas.district.pk) is None


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twenty_times_at_once_makes_one_declaration(personas) -> None:
    key = uuid.uuid4()

    def send() -> int:
        return declare(personas, idempotency_key=key).pk

    results, refusals, errors = press_at_once(send)
    assert errors == [] and refusals == []
    assert len(set(results)) == 1
    assert Declaration.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_summarising_pressed_five_times_at_once_saves_one_snapshot(personas) -> None:
    q1 = open_period(
        actor=None, organisation=personas.branch_a, label="2025-Q1",
        starts_on=Q1_START, ends_on=Q1_END,
    )  # fmt: skip
    results, refusals, errors = press_at_once(
        lambda: summarise_period(
            actor=personas.sam, period=Period.objects.get(pk=q1.pk), today=AFTER_Q1
        ),
        count=5,
    )
    assert errors == []
    assert (len(results), len(refusals)) == (1, 4)
    assert ResultSnapshot.objects.count() == 1
