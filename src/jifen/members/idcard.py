"""Mainland resident ID-card numbers (身份证号, GB 11643): validation and masking."""

from __future__ import annotations

import datetime as dt

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
FULL_WIDTH = str.maketrans("０１２３４５６７８９ＸｘＸ", "0123456789XXX")


class InvalidIdNumber(ValueError):
    pass


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise(raw: str) -> str:
    """Full-width digits and a lower-case x are read as a person means them."""
    return raw.translate(FULL_WIDTH).strip().replace(" ", "").upper()


def validate(raw: str) -> str:
    """The normalised number, or InvalidIdNumber saying what is wrong (in Chinese)."""
    number = normalise(raw)
    if len(number) != 18:
        raise InvalidIdNumber(f"身份证号应为 18 位，实际为 {len(number)} 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber("身份证号前 17 位须为数字，末位为数字或 X")
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as error:
        raise InvalidIdNumber(f"身份证号中的出生日期 {number[6:14]} 不是有效日期") from error
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(f"身份证号校验位错误：末位应为 {expected}，实际为 {number[17]}")
    return number


def birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def mask(number: str) -> str:
    """`3201**********1234`: the region's first four and the last four digits only."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "****"


def mask_phone(phone: str) -> str:
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) >= 7 else "****"
