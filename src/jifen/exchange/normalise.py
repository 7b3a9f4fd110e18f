"""Cell values read as a person means them.

Spreadsheets typed in Chinese offices carry full-width digits (２０２５), ideographic
spaces (U+3000), dates typed as text in half a dozen ways or stored as Excel serial
numbers, and points written as "+3" or "2分". Everything is NFKC-normalised first, which
folds full-width forms to ASCII; the parsers below then accept the spellings people use
and raise `BadValue` with a Chinese reason for anything else.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap bug included)
MAX_SERIAL = 2958465  # 9999-12-31
_DATE_PARTS = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_POINTS = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# Minus signs NFKC leaves alone but people paste from word processors.
_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2010": "-"})


class BadValue(ValueError):
    """A cell that cannot be read; the message says why, in Chinese."""


def text(value: Any) -> str:
    """A cell as clean text: NFKC, no leading/trailing spaces, inner runs of spaces as one."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an ID-less number cell: 3.0 is "3"
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    value = str(value)
    if not value.isascii():  # NFKC changes nothing in ASCII: skip it for the common case
        value = unicodedata.normalize("NFKC", value)
    return " ".join(value.split())  # split() knows every Unicode space, U+3000 included


def compact(value: Any) -> str:
    """Text without any space: codes, ID numbers, phone numbers."""
    return text(value).replace(" ", "")


def id_text(value: Any) -> str:
    """An ID number's cell as text. Excel keeps only 15 significant digits of a number, so
    an 18-digit ID number typed into a number cell has already lost its last digits:
    say so rather than report a wrong check digit."""
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        or re.fullmatch(r"\d(\.\d+)?E\+\d+", compact(value), flags=re.IGNORECASE)
    ):
        raise BadValue(
            "身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后重新填写"
        )
    return compact(value)


def parse_date(value: Any) -> dt.date:
    """A date cell, an Excel serial number, or text like 2025-03-01, 2025/3/1, 2025.3.1,
    2025年3月1日 or 20250301."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(value)
    raw = compact(value)
    if not raw:
        raise BadValue("日期为空")
    stripped = _TIME_TAIL.sub("", text(value)).replace(" ", "")
    match = _DATE_PARTS.match(stripped)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return _date(year, month, day, raw)
    if re.fullmatch(r"\d{8}", stripped):
        return _date(int(stripped[:4]), int(stripped[4:6]), int(stripped[6:]), raw)
    if re.fullmatch(r"\d{5}(\.\d+)?", stripped):  # a serial number saved as text
        return _serial(float(stripped))
    raise BadValue(f"无法识别的日期“{raw}”，请写成 2025-03-01 这样的格式")


def _date(year: int, month: int, day: int, raw: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadValue(f"日期“{raw}”不存在") from None


def _serial(number: float) -> dt.date:
    if not 1 <= number <= MAX_SERIAL:
        raise BadValue(f"无法识别的日期（数值 {number:g} 不是 Excel 日期）")
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def parse_points(value: Any) -> Decimal | None:
    """Points: 5, "５", "+3", "-2.5", "2分", "−1"; empty is None (the item's fixed value)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue("分值应为数字")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr is the shortest decimal that round-trips: 2.5 stays 2.5, 0.1 stays 0.1.
        return _two_places(Decimal(repr(value)), repr(value))
    raw = compact(value).translate(_MINUSES)
    if not raw:
        return None
    number = raw.removesuffix("分")
    if not _POINTS.match(number):
        raise BadValue(f"分值“{raw}”不是数字")
    try:
        return _two_places(Decimal(number), raw)
    except InvalidOperation:
        raise BadValue(f"分值“{raw}”不是数字") from None


def _two_places(number: Decimal, raw: str) -> Decimal:
    if number != number.quantize(Decimal("0.01")):
        raise BadValue(f"分值“{raw}”最多两位小数")
    return number


def parse_count(value: Any) -> int:
    """A positive whole number (次数); empty is 1."""
    if value is None or (isinstance(value, str) and not compact(value)):
        return 1
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = compact(value).removesuffix("次")
    if not re.fullmatch(r"\d{1,6}", raw) or int(raw) < 1:
        raise BadValue(f"次数“{raw}”应为不小于 1 的整数")
    return int(raw)


def header(value: Any) -> str:
    """A header cell as a key: no spaces, no required-marks like * or （必填）."""
    key = compact(value)
    for mark in ("*", "(必填)", "(选填)"):
        key = key.replace(mark, "")
    return key
