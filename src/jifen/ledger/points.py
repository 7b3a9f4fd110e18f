"""Points are Decimals with at most two places; the ledger stores integer hundredths."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

HUNDRED = Decimal(100)


class BadPoints(ValueError):
    pass


def to_hundredths(value: Decimal | int | str) -> int:
    try:
        points = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation as error:
        raise BadPoints(f"分值 {value!r} 不是数字") from error
    if not points.is_finite():
        raise BadPoints(f"分值 {value!r} 不是有限的数")
    scaled = points * HUNDRED
    if scaled != scaled.to_integral_value():
        raise BadPoints(f"分值 {value} 超过两位小数")
    return int(scaled)


def from_hundredths(hundredths: int) -> Decimal:
    return Decimal(hundredths).scaleb(-2).quantize(Decimal("0.01"))
