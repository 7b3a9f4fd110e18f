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
