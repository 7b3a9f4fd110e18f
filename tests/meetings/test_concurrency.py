"""Presses at the same moment: a meeting's entries are posted once, a link answers once,
a registration form writes its entries once."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from jifen.ledger.models import LedgerEntry
from jifen.ledger.verify import verify_tenant
from jifen.meetings import attestations
from jifen.meetings.models import Attestation
from jifen.meetings.registration import register_entries
from jifen.meetings.services import create_meeting, post_attendance, save_attendance
from jifen.workflow.services import create_declaration

from .conftest import TODAY, add_members

THREADS = 4
pytestmark = pytest.mark.django_db(transaction=True)


def at_once(work: Callable[[], Any]) -> list[str]:
    """Run `work` in THREADS threads released together; the errors they raised."""
    barrier = threading.Barrier(THREADS)
    errors: list[str] = []

    def run() -> None:
        try:
            barrier.wait()
            work()
        except Exception as error:  # noqa: BLE001  (collected and returned)
            errors.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_posting_a_meeting_at_once_posts_once(personas) -> None:
    members = add_members(personas.branch_a, 5)
    meeting = create_meeting(
        actor=personas.sam, branch=personas.branch_a, kind="party_lecture",
        held_on=dt.date(2026, 5, 8), title="党课", idempotency_key=uuid.uuid4(), today=TODAY,
    )  # fmt: skip
    save_attendance(actor=personas.sam, meeting=meeting, statuses={m.pk: "absent" for m in members})
    errors = at_once(lambda: post_attendance(actor=personas.sam, meeting=meeting, today=TODAY))
    assert errors == []
    assert LedgerEntry.objects.count() == 5 and meeting.entries.count() == 5
    assert verify_tenant(personas.district.pk) is None


def test_a_registration_form_pressed_at_once_writes_its_entries_once(personas) -> None:
    members = add_members(personas.branch_a, 3)
    key = uuid.uuid4()
    errors = at_once(
        lambda: register_entries(
            actor=personas.sam,
            branch=personas.branch_a,
            member_ids=[m.pk for m in members],
            item_code="study_notes",
            occurred_on=dt.date(2026, 3, 10),
            points=None,
            reason="未交笔记",
            idempotency_key=key,
            today=TODAY,
        )  # fmt: skip
    )
    assert errors == []
    assert LedgerEntry.objects.count() == 3


def test_a_link_answered_at_once_counts_once(personas) -> None:
    declaration = create_declaration(
        actor=personas.alice_user, member=personas.alice, item_code="honor_company",
        occurred_on=dt.date(2026, 2, 10), description="修缮房屋", honor_key="k",
        idempotency_key=uuid.uuid4(), today=TODAY,
    )  # fmt: skip
    issued = attestations.issue_link(
        actor=personas.sam, declaration=declaration, idempotency_key=uuid.uuid4()
    )
    attestation = Attestation.objects.get()
    errors = at_once(lambda: attestations.answer(attestation=attestation, result="confirmed"))
    assert issued.token is not None
    assert len(errors) == THREADS - 1 and all("该证实链接已经使用过" in e for e in errors)
    assert Attestation.objects.filter(answered_at__isnull=False).count() == 1
