"""The printable publicity notice (公示): public once a period is publicised, 404 before;
names, scores, grades, ranks and the window in Chinese date style; never an ID or a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from helpers.ledger import draft
from jifen.ledger.models import Period
from jifen.ledger.services import open_period, post_entry
from jifen.web.views_yearend import chinese_date, period_words
from jifen.workflow.services import archive_period, publicise_period, summarise_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def q1(personas: Any) -> Period:
    period = open_period(
        actor=None, organisation=personas.branch_a, label="2025-Q1",
        starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31),
    )  # fmt: skip
    post_entry(actor=None, draft=draft(personas.alice, item="honor_company", points="1",
                                       month=2, honor_key="2025-先进"))  # fmt: skip
    return period


def notice(period: Period) -> Any:
    return Client().get(reverse("publicity_notice", args=[period.pk]))


def test_the_notice_names_scores_grades_ranks_and_the_window(personas, q1) -> None:
    summarise_period(actor=personas.sam, period=q1, today=dt.date(2025, 4, 2))
    publicise_period(actor=personas.sam, period=q1, days=5, today=dt.date(2025, 4, 3))
    response = notice(q1)
    assert response.status_code == 200
    page = response.content.decode()
    assert "关于甲支部2025年第一季度党员积分情况的公示" in page
    assert "王爱丽" in page and "101.00" in page and "优秀" in page
    assert "<td>1</td><td>王爱丽</td>" in page  # rank, name
    assert "公示时间：2025年4月3日至2025年4月7日" in page
    assert "异议" in page and "申辩" in page
    assert '<span id="issued">2025年4月3日</span>' in page
    assert "web/print.css" in page
    alice = personas.alice
    assert alice.id_number_masked and alice.phone_masked
    for secret in ("11010519491231002X", "13900001111", alice.id_number_masked, alice.phone_masked):
        assert secret not in page


def test_the_notice_is_not_found_before_publicity(personas, q1) -> None:
    assert notice(q1).status_code == 404
    summarise_period(actor=personas.sam, period=q1, today=dt.date(2025, 4, 2))
    assert notice(q1).status_code == 404
    assert Client().get(reverse("publicity_notice", args=[q1.pk + 999])).status_code == 404


def test_an_archived_period_keeps_its_notice_and_says_the_window_ended(personas, q1) -> None:
    summarise_period(actor=personas.sam, period=q1, today=dt.date(2025, 4, 2))
    publicise_period(actor=personas.sam, period=q1, days=5, today=dt.date(2025, 4, 3))
    archive_period(actor=personas.sam, period=q1, today=dt.date(2025, 4, 8))
    page = notice(q1).content.decode()
    assert "公示期已结束" in page and "王爱丽" in page


def test_the_board_links_to_the_notice(personas, q1) -> None:
    summarise_period(actor=personas.sam, period=q1, today=dt.date(2025, 4, 2))
    publicise_period(actor=personas.sam, period=q1, today=dt.date(2025, 4, 3))
    board = Client().get(reverse("publicity_board", args=[q1.pk])).content.decode()
    assert reverse("publicity_notice", args=[q1.pk]) in board


def period(label: str, start: dt.date, end: dt.date) -> Period:
    return Period(label=label, starts_on=start, ends_on=end)


def test_periods_and_dates_are_named_as_a_notice_names_them() -> None:
    assert chinese_date(dt.date(2025, 7, 1)) == "2025年7月1日"
    assert period_words(period("2025-Q3", dt.date(2025, 7, 1), dt.date(2025, 9, 30))) == (
        "2025年第三季度"
    )
    assert period_words(period("2025-07", dt.date(2025, 7, 1), dt.date(2025, 7, 31))) == (
        "2025年7月"
    )
    assert period_words(period("2025-H2", dt.date(2025, 7, 1), dt.date(2025, 12, 31))) == (
        "2025年下半年"
    )
    assert period_words(period("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31))) == "2025年度"
    odd = period("特别", dt.date(2025, 1, 5), dt.date(2025, 2, 3))
    assert period_words(odd) == "特别"


def test_the_print_stylesheet_lays_out_a4_pages() -> None:
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(str(finders.find("web/print.css"))).read_text(encoding="utf-8")
    assert "size: A4" in css and "display: table-header-group" in css
