from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from jifen.ledger.services import open_period
from jifen.workflow.models import Notification

pytestmark = pytest.mark.django_db


def test_an_ended_open_period_reminds_its_scorekeeper_once(personas, capsys) -> None:
    open_period(actor=None, organisation=personas.branch_a, label="2025-Q1",
                starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31))  # fmt: skip
    call_command("remind", "--today", "2025-04-02")
    assert "已发送提醒" in capsys.readouterr().out
    first = Notification.objects.filter(recipient=personas.sam).count()
    assert first >= 1
    call_command("remind", "--today", "2025-04-03")
    assert Notification.objects.filter(recipient=personas.sam).count() == first


def test_a_bad_date_is_named() -> None:
    with pytest.raises(CommandError, match="不是日期") as failure:
        call_command("remind", "--today", "2025-13-01")
    assert failure.value.returncode == 2


def test_members_are_told_on_the_last_day_of_the_window_and_after_it(personas) -> None:
    from jifen.workflow.periods import publicise_period, summarise_period
    from jifen.workflow.states import NotificationKind

    period = open_period(actor=None, organisation=personas.branch_a, label="2025-Q1",
                         starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31))  # fmt: skip
    summarise_period(actor=personas.sam, period=period, today=dt.date(2025, 4, 1))
    publicise_period(actor=personas.sam, period=period, days=5, today=dt.date(2025, 4, 2))

    def told(kind: str) -> int:
        return Notification.objects.filter(recipient=personas.alice_user, kind=kind).count()

    call_command("remind", "--today", "2025-04-05")  # the window runs to 6 April
    assert told(NotificationKind.APPEAL_WINDOW_CLOSING) == 0
    call_command("remind", "--today", "2025-04-06")
    call_command("remind", "--today", "2025-04-06")  # twice the same day: told once
    closing = Notification.objects.get(
        recipient=personas.alice_user, kind=NotificationKind.APPEAL_WINDOW_CLOSING
    )
    assert "今天结束" in closing.message and told(NotificationKind.APPEAL_WINDOW_CLOSED) == 0
    call_command("remind", "--today", "2025-04-07")
    assert told(NotificationKind.APPEAL_WINDOW_CLOSED) == 1
