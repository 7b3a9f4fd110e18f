"""The summary's compact rows (`selectors.CompactEvaluation`) and the same rows made from
`evaluate_scope`'s results, for comparing the two readings."""

from __future__ import annotations

from typing import Any

from jifen.scoring.selectors import CompactEvaluation, ScopeEvaluation, dimensions_text


def compact_rows(evaluation: CompactEvaluation) -> list[tuple[Any, ...]]:
    return [
        (row.pk, row.total, row.grade, row.veto, row.dimensions, row.bonus, row.deductions,
         rank, category_rank)
        for row, rank, category_rank in zip(
            evaluation.rows, evaluation.ranks, evaluation.category_ranks, strict=True
        )
    ]  # fmt: skip


def compact_rows_of(evaluation: ScopeEvaluation) -> list[tuple[Any, ...]]:
    dimensions = dimensions_text(evaluation.dimension_codes)
    rows = [
        (evaluation.members[r.member.id].pk, r.total, r.grade or "", r.veto or "",
         dimensions(r.dimensions), r.bonus, r.deductions, r.rank, r.category_rank)
        for r in evaluation.rows
    ]  # fmt: skip
    return sorted(rows, key=lambda row: row[0])
