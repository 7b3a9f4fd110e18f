"""Decimal arithmetic for points: the one place that rounds.

Every point value is a `decimal.Decimal` with at most two decimal places. Sums of such values
stay exact, so the engine rounds only where schemes.md says a rule rounds (a mean of periods,
a weighted mean, a composite), always half up (四舍五入) to two places, through `round_half_up`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

CENT = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")

# Quotients are computed with far more digits than any ledger needs, so that the single
# rounding to cents that follows is the only one that can change a value.
_QUOTIENT_PRECISION = 60


def round_half_up(value: Decimal) -> Decimal:
    """Round to two places, half away from zero (四舍五入)."""
    return clean(value.quantize(CENT, rounding=ROUND_HALF_UP))


def quotient(numerator: Decimal, denominator: Decimal) -> Decimal:
    """The quotient with enough precision that only the later rounding matters."""
    with localcontext() as context:
        context.prec = _QUOTIENT_PRECISION
        return numerator / denominator


def has_at_most_two_places(value: Decimal) -> bool:
    """True for a finite value whose decimal places beyond the second are all zero."""
    if not value.is_finite():
        return False
    exponent = value.normalize().as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2


def clean(value: Decimal) -> Decimal:
    """Replace a negative zero (0 × −1) by zero, so it never prints as "-0.00"."""
    return ZERO if value == ZERO else value


def clamp(value: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal:
    if low is not None and value < low:
        return low
    if high is not None and value > high:
        return high
    return value


def fmt(value: Decimal) -> str:
    """Two places, as the contract prints decimals ("95.00")."""
    try:
        return str(clean(value).quantize(CENT))
    except InvalidOperation:  # astronomically large: print as it is rather than fail
        return str(value)
