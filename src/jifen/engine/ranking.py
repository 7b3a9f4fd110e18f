"""Competition ranking (1, 2, 2, 4), the one rule every evaluation path ranks by."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any


def ranks_by_total(counts: Mapping[Any, int]) -> dict[Any, int]:
    """The competition rank of each distinct total, from how many have it: one more than
    the number of higher totals, so ties share a rank and the next rank is skipped.
    Totals are any mutually comparable, hashable values (Decimals, or integer hundredths:
    the ranks are the same). Counted by distinct total rather than sorted member by
    member: a district's 100,000 totals take a few hundred values."""
    rank_of: dict[Any, int] = {}
    higher = 0
    for total in sorted(counts, reverse=True):
        rank_of[total] = higher + 1
        higher += counts[total]
    return rank_of


def member_ranks(
    keys: Sequence[tuple[Any, str]],
) -> tuple[list[int | None], list[int | None]]:
    """(rank, category rank) of each member from its (total, category), aligned with
    `keys`; a total of None is not ranked (no total, or a status). The one ranking rule of
    every path: competition ranks overall and within the category, counted by distinct
    (total, category)."""
    counts = Counter(key for key in keys if key[0] is not None)
    overall: Counter[Any] = Counter()
    by_category: dict[str, Counter[Any]] = {}
    for (total, category), count in counts.items():
        overall[total] += count
        by_category.setdefault(category, Counter())[total] = count
    rank_of = ranks_by_total(overall)
    category_rank_of = {
        (total, category): rank
        for category, within in by_category.items()
        for total, rank in ranks_by_total(within).items()
    }
    ranks = [None if key[0] is None else rank_of[key[0]] for key in keys]
    return ranks, [category_rank_of.get(key) for key in keys]
