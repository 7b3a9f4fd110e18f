"""Competition ranking (1, 2, 2, 4), the one rule every evaluation path ranks by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def competition_ranks(totals: Sequence[Any]) -> list[int]:
    """The rank of each total, in the input's order: one more than the number of higher
    totals, so ties share a rank and the next rank is skipped. Totals are any mutually
    comparable values (Decimals, or integer hundredths: the ranks are the same)."""
    order = sorted(range(len(totals)), key=totals.__getitem__, reverse=True)
    ranks = [0] * len(totals)
    previous: Any = None
    rank = 0
    for position, index in enumerate(order):
        total = totals[index]
        if position == 0 or total != previous:
            rank = position + 1
            previous = total
        ranks[index] = rank
    return ranks
