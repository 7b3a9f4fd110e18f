"""The whole quarter in services, as schemes.md §3 tells it: declare with a photo, approve,
summarise, publicise, appeal inside the window, uphold with a correction, archive after the
window, file, return, file again, accept — and the ledger still verifies."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from helpers.ledger import draft
from jifen.ledger.models import LedgerEntry, PeriodState, Source
from jifen.ledger.services import post_entry
from jifen.ledger.verify import verify_tenant
from jifen.scoring.models import MemberResult
from jifen.workflow.models import PeriodRecord
from jifen.workflow.selectors import appeal_window_open, unread_for
from jifen.workflow.services import (
    WorkflowRefused,
    accept_filing,
    approve_declaration,
    archive_period,
    file_appeal,
    file_period,
    investigate_appeal,
    publicise_period,
    return_filing,
    summarise_period,
    uphold_appeal,
)
from jifen.workflow.states import AppealState, FilingState, NotificationKind

from .conftest import declare, png_upload


def test_a_quarter_from_declaration_to_filing(personas, q1) -> None:
    alice, sam, carol = personas.alice_user, personas.sam, personas.carol

    # 申报 with a photo → 审核 → 记录
    declaration = declare(personas, evidence=[png_upload()])
    assert unread_for(sam).filter(kind=NotificationKind.DECLARATION_TO_REVIEW).exists()
    approve_declaration(actor=sam, declaration=declaration)
    # Sam also registered a deduction directly, which Alice will dispute.
    deduction = post_entry(
        actor=sam, draft=draft(personas.alice, item="study_absent", points="-1", month=3, day=5)
    )

    # 汇总 → 反馈
    summarised = summarise_period(actor=sam, period=q1, today=dt.date(2025, 4, 2))
    q1.refresh_from_db()
    assert q1.state == PeriodState.SUMMARISED
    result = MemberResult.objects.get(snapshot=summarised.snapshot, member=personas.alice)
    assert result.total == Decimal("100.00")  # 100 − 1 + the honor's 1
    assert unread_for(alice).filter(kind=NotificationKind.RESULT_READY).count() == 1

    # 公示: five days from 3 April
    record = publicise_period(actor=sam, period=q1, today=dt.date(2025, 4, 3))
    assert (record.publicity_starts_on, record.publicity_ends_on) == (
        dt.date(2025, 4, 3), dt.date(2025, 4, 7),
    )  # fmt: skip
    q1.refresh_from_db()
    assert appeal_window_open(q1, today=dt.date(2025, 4, 7))
    assert not appeal_window_open(q1, today=dt.date(2025, 4, 8))

    # 申辩 inside the window → 核查处理: upheld, the deduction reversed in an open period
    appeal = file_appeal(
        actor=alice, period=q1, entry=deduction, reason="当天请假已获批准",
        idempotency_key=uuid.uuid4(), today=dt.date(2025, 4, 5),
    )  # fmt: skip
    appeal = investigate_appeal(actor=sam, appeal=appeal)
    with pytest.raises(WorkflowRefused, match="公示期到 2025-04-07 结束"):
        archive_period(actor=sam, period=q1, today=dt.date(2025, 4, 6))
    appeal = uphold_appeal(
        actor=sam, appeal=appeal, reason="请假手续齐全", reverse=True, today=dt.date(2025, 4, 6)
    )
    assert appeal.state == AppealState.UPHELD
    reversal = appeal.reversal
    assert reversal is not None and reversal.reverses_id == deduction.pk
    assert reversal.source == Source.CORRECTION
    assert reversal.occurred_on == dt.date(2025, 4, 6)  # Q2: the published Q1 stays as shown

    # The window ends: no more appeals; 存档
    with pytest.raises(WorkflowRefused, match="公示期 2025-04-03 至 2025-04-07"):
        file_appeal(
            actor=alice, period=q1, reason="再议", idempotency_key=uuid.uuid4(),
            today=dt.date(2025, 4, 8),
        )  # fmt: skip
    archive_period(actor=sam, period=q1, today=dt.date(2025, 4, 8))
    q1.refresh_from_db()
    assert q1.state == PeriodState.ARCHIVED
    assert unread_for(alice).filter(kind=NotificationKind.APPEAL_WINDOW_CLOSED).count() == 1

    # 上报备案: Carol returns it once, Sam files again, Carol accepts
    filing = file_period(actor=sam, period=q1)
    q1.refresh_from_db()
    assert q1.state == PeriodState.FILED
    assert filing.committee == personas.committee
    assert unread_for(carol).filter(kind=NotificationKind.FILING).count() == 1
    return_filing(actor=carol, filing=filing, reason="请附会议记录")
    again = file_period(actor=sam, period=q1)
    accepted = accept_filing(actor=carol, filing=again)
    assert accepted.state == FilingState.ACCEPTED
    assert accepted.decided_by == carol

    assert LedgerEntry.objects.count() == 3  # the honor, the deduction, its reversal
    assert PeriodRecord.objects.get(period=q1).archived_at is not None
    assert verify_tenant(personas.district.pk) is None
