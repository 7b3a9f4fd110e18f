"""Competition ranking (1, 2, 2, 4), the one rule every evaluation path ranks by."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any


def competition_ranks(totals: Sequence[Any]) -> list[int]:
    """The rank of each total, in the input's order: one more than the number of higher
    totals, so ties share a rank and the next rank is skipped. Totals are any mutually
    comparable, hashable values (Decimals, or integer hundredths: the ranks are the same).

    Counted by distinct total rather than sorted member by member: a district's 100,000
    totals take a few hundred values."""
    rank_of = ranks_by_total(Counter(totals))
    return [rank_of[total] for total in totals]


def ranks_by_total(counts: Mapping[Any, int]) -> dict[Any, int]:
    """The competition rank of each distinct total, from how many have it."""
    rank_of: dict[Any, int] = {}
    higher = 0
    for total in sorted(counts, reverse=True):
        rank_of[total] = higher + 1
        higher += counts[total]
    return rank_of
