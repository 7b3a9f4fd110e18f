"""Cells are read as a person means them: full-width digits, stray spaces, Excel dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jifen.exchange.normalise import (
    BadValue,
    compact,
    header,
    parse_count,
    parse_date,
    parse_points,
    text,
)

FULL = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "raw",
    [
        "2025-03-01", "2025/3/1", "2025.3.1", "2025年3月1日", "20250301", " 2025-3-1 ",
        "２０２５年３月１日", "\u30002025/03/01\u3000", "2025-03-01 00:00:00", 45717, 45717.0,
        "45717", dt.datetime(2025, 3, 1, 0, 0), dt.date(2025, 3, 1), "2025 年 3 月 1 日",
    ],
)  # fmt: skip
def test_every_spelling_of_the_first_of_march_2025_is_that_day(raw) -> None:
    assert parse_date(raw) == dt.date(2025, 3, 1)


@pytest.mark.parametrize("raw", ["2025-02-30", "2025-13-01", "三月一日", "", "0", 3_000_000])
def test_dates_that_are_not_dates_are_refused_in_chinese(raw) -> None:
    with pytest.raises(BadValue) as caught:
        parse_date(raw)
    assert "日期" in str(caught.value)


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2099, 12, 31)))
def test_any_date_written_any_way_reads_back(day: dt.date) -> None:
    serial = (day - dt.date(1899, 12, 30)).days
    spellings = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日".translate(FULL),
        day.strftime("%Y%m%d"),
        serial,
        float(serial),
    ]
    assert {parse_date(s) for s in spellings} == {day}


@pytest.mark.parametrize(
    ("raw", "points"),
    [("５", "5"), ("+3", "3"), ("-2.5", "-2.5"), ("2分", "2"), ("−1", "-1"), ("－１", "-1"),
     (" 1.25 ", "1.25"), (2.5, "2.5"), (3, "3"), (-0.1, "-0.1"), ("＋０．５", "0.5")],
)  # fmt: skip
def test_points_as_people_type_them(raw, points) -> None:
    assert parse_points(raw) == Decimal(points)


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000"])
def test_empty_points_mean_the_items_own_value(raw) -> None:
    assert parse_points(raw) is None


@pytest.mark.parametrize("raw", ["1.234", "两分", "1e3", "--1", True, 0.125])
def test_bad_points_are_refused(raw) -> None:
    with pytest.raises(BadValue):
        parse_points(raw)


@given(st.decimals(min_value=-1000, max_value=1000, places=2))
def test_any_two_place_number_reads_back_in_full_width_and_with_a_unit(value: Decimal) -> None:
    raw = f"{value:+f}分".translate(FULL)
    assert parse_points(raw) == value


def test_text_folds_full_width_forms_and_stray_spaces() -> None:
    assert text("\u3000王  爱丽 ") == "王 爱丽"
    assert compact(" Ｄ－１ ") == "D-1"
    assert header(" 身份证号* ") == header("身份证号（必填）") == "身份证号"
    assert parse_count("３") == 3 and parse_count(None) == 1 and parse_count(2.0) == 2
    with pytest.raises(BadValue):
        parse_count("0")
