"""The period flow: each step by the right person, in the right state, at the right time;
refusals say why and write nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from jifen.ledger.models import PeriodState
from jifen.ledger.services import open_period
from jifen.scoring.models import ResultSnapshot
from jifen.workflow.models import FilingReview, Notification, PeriodRecord
from jifen.workflow.services import (
    WorkflowForbidden,
    WorkflowRefused,
    accept_filing,
    archive_period,
    file_appeal,
    file_period,
    publicise_period,
    return_filing,
    send_reminders,
    summarise_period,
)
from jifen.workflow.states import FilingState, NotificationKind

from .conftest import AFTER_Q1, PUBLICITY_END, PUBLICITY_START, counts


def archived(personas, period) -> None:
    archive_period(actor=personas.sam, period=period, today=PUBLICITY_END + dt.timedelta(days=1))
    period.refresh_from_db()


def test_summarising_saves_a_snapshot_and_tells_every_member(personas, q1) -> None:
    record = summarise_period(actor=personas.sam, period=q1, today=AFTER_Q1)
    q1.refresh_from_db()
    assert q1.state == PeriodState.SUMMARISED
    assert record.snapshot is not None and record.snapshot.period == "2025-Q1"
    assert record.summarised_by == personas.sam
    told = Notification.objects.filter(kind=NotificationKind.RESULT_READY)
    assert list(told.values_list("recipient", flat=True)) == [personas.alice_user.pk]
    assert "得分 100.00" in told.get().message


def test_a_period_is_summarised_only_after_it_ends(personas, q1) -> None:
    before = counts()
    with pytest.raises(WorkflowRefused, match="2025-03-31 才结束"):
        summarise_period(actor=personas.sam, period=q1, today=dt.date(2025, 3, 30))
    assert counts() == before


def test_bob_cannot_summarise_branch_a(personas, q1) -> None:
    before = counts()
    with pytest.raises(WorkflowForbidden, match="无权限汇总"):
        summarise_period(actor=personas.bob, period=q1, today=AFTER_Q1)
    assert counts() == before


def test_summarising_twice_is_refused_and_keeps_one_snapshot(personas, q1) -> None:
    summarise_period(actor=personas.sam, period=q1, today=AFTER_Q1)
    with pytest.raises(WorkflowRefused, match="已汇总"):
        summarise_period(actor=personas.sam, period=q1, today=AFTER_Q1)
    assert ResultSnapshot.objects.count() == 1


def test_publicity_runs_five_days_by_default(personas, publicised_q1) -> None:
    record = PeriodRecord.objects.get(period=publicised_q1)
    assert (record.publicity_starts_on, record.publicity_ends_on) == (
        PUBLICITY_START, PUBLICITY_END,
    )  # fmt: skip
    assert Notification.objects.filter(
        recipient=personas.alice_user, kind=NotificationKind.APPEAL_WINDOW_OPEN
    ).exists()


def test_the_number_of_publicity_days_is_configurable(personas, q1, settings) -> None:
    settings.JIFEN_PUBLICITY_DAYS = 7
    summarise_period(actor=personas.sam, period=q1, today=AFTER_Q1)
    record = publicise_period(actor=personas.sam, period=q1, today=PUBLICITY_START)
    assert record.publicity_ends_on == dt.date(2025, 4, 9)
    with pytest.raises(WorkflowRefused, match="公示中"):
        publicise_period(actor=personas.sam, period=q1, days=3, today=PUBLICITY_START)


def test_an_open_period_cannot_be_publicised(personas, q1) -> None:
    before = counts()
    with pytest.raises(WorkflowRefused, match="进行中"):
        publicise_period(actor=personas.sam, period=q1, today=PUBLICITY_START)
    assert counts() == before


def test_archiving_waits_for_the_end_of_the_window(personas, publicised_q1) -> None:
    before = counts()
    with pytest.raises(WorkflowRefused, match="期满后才能归档"):
        archive_period(actor=personas.sam, period=publicised_q1, today=PUBLICITY_END)
    assert counts() == before
    archived(personas, publicised_q1)
    assert publicised_q1.state == PeriodState.ARCHIVED


def test_archiving_waits_for_open_appeals(personas, publicised_q1) -> None:
    file_appeal(
        actor=personas.alice_user, period=publicised_q1, reason="有误",
        idempotency_key=uuid.uuid4(), today=PUBLICITY_START,
    )  # fmt: skip
    before = counts()
    with pytest.raises(WorkflowRefused, match="1 件申辩未处理完"):
        archived(personas, publicised_q1)
    assert counts() == before
    assert publicised_q1.state == PeriodState.PUBLICISED


def test_bob_cannot_archive_branch_a(personas, publicised_q1) -> None:
    with pytest.raises(WorkflowForbidden):
        archive_period(actor=personas.bob, period=publicised_q1, today=dt.date(2025, 5, 1))


def test_only_an_archived_period_is_filed(personas, publicised_q1) -> None:
    with pytest.raises(WorkflowRefused, match="公示中"):
        file_period(actor=personas.sam, period=publicised_q1)


def test_the_committee_accepts_a_filing_and_nobody_else_may(personas, publicised_q1) -> None:
    archived(personas, publicised_q1)
    filing = file_period(actor=personas.sam, period=publicised_q1)
    for outsider in (personas.sam, personas.bob, personas.alice_user, personas.adam):
        with pytest.raises(WorkflowForbidden, match="审核备案权限"):
            accept_filing(actor=outsider, filing=filing)
    accept_filing(actor=personas.carol, filing=filing)
    before = counts()
    with pytest.raises(WorkflowRefused, match="已备案"):
        return_filing(actor=personas.carol, filing=filing, reason="晚了")
    with pytest.raises(WorkflowRefused, match="已上报"):
        file_period(actor=personas.sam, period=publicised_q1)
    assert counts() == before


def test_a_returned_filing_is_filed_again_and_history_is_kept(personas, publicised_q1) -> None:
    archived(personas, publicised_q1)
    first = file_period(actor=personas.sam, period=publicised_q1)
    with pytest.raises(WorkflowRefused, match="已上报"):
        file_period(actor=personas.sam, period=publicised_q1)
    with pytest.raises(WorkflowRefused, match="必须填写原因"):
        return_filing(actor=personas.carol, filing=first, reason="")
    return_filing(actor=personas.carol, filing=first, reason="缺少会议记录")
    assert Notification.objects.filter(
        recipient=personas.sam, message__contains="缺少会议记录"
    ).exists()
    second = file_period(actor=personas.sam, period=publicised_q1)
    accept_filing(actor=personas.carol, filing=second)
    assert list(FilingReview.objects.order_by("id").values_list("state", flat=True)) == [
        FilingState.RETURNED, FilingState.ACCEPTED,
    ]  # fmt: skip


def test_reminders_tell_of_a_period_due_a_closing_and_a_closed_window_once_each(
    personas, q1
) -> None:
    assert send_reminders(today=dt.date(2025, 3, 31)) == 0
    assert send_reminders(today=AFTER_Q1) == 1  # Sam: Q1 is due
    assert send_reminders(today=AFTER_Q1) == 0
    assert Notification.objects.get(kind=NotificationKind.PERIOD_DUE).recipient == personas.sam
    summarise_period(actor=personas.sam, period=q1, today=AFTER_Q1)
    publicise_period(actor=personas.sam, period=q1, today=PUBLICITY_START)
    assert send_reminders(today=PUBLICITY_END - dt.timedelta(days=1)) == 0
    assert send_reminders(today=PUBLICITY_END) == 1  # Alice: the window closes today
    assert send_reminders(today=PUBLICITY_END) == 0
    assert send_reminders(today=PUBLICITY_END + dt.timedelta(days=1)) == 1  # Alice: closed
    archived(personas, q1)  # the archive does not tell her a second time
    closed = Notification.objects.filter(kind=NotificationKind.APPEAL_WINDOW_CLOSED)
    assert list(closed.values_list("recipient", flat=True)) == [personas.alice_user.pk]


def test_a_period_label_the_engine_does_not_know_is_refused(personas) -> None:
    odd = open_period(
        actor=None, organisation=personas.branch_a, label="第一期",
        starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 1, 31),
    )  # fmt: skip
    with pytest.raises(WorkflowRefused):
        summarise_period(actor=personas.sam, period=odd, today=AFTER_Q1)
