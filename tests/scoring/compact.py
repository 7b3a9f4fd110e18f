"""The summary's compact rows (`selectors.CompactEvaluation`) and the same rows made from
`evaluate_scope`'s results, for comparing the two readings."""

from __future__ import annotations

from typing import Any

from jifen.scoring.selectors import CompactEvaluation, ScopeEvaluation, dimensions_text


def compact_rows(evaluation: CompactEvaluation) -> list[tuple[Any, ...]]:
    """(pk, total, grade, veto, dimensions, bonus, deductions, rank, category rank) per
    row, from tuples or from COPY text (PostgreSQL)."""
    rows = []
    for tail, rank, category_rank in zip(
        evaluation.tails, evaluation.ranks, evaluation.category_ranks, strict=True
    ):
        values = _from_copy_text(tail) if evaluation.copy_text else tail
        pk, _, total, grade, veto, _, dimensions, bonus, deductions = values
        rows.append((pk, total, grade, veto, dimensions, bonus, deductions, rank, category_rank))
    return rows


def _from_copy_text(line: Any) -> tuple[Any, ...]:
    assert isinstance(line, str) and line.endswith("\n") and "\\" not in line.replace("\\N", "")
    fields = line[:-1].split("\t")
    numbers = {0, 1, 2, 7, 8}
    return tuple(
        None if field == "\\N" else int(field) if at in numbers else field
        for at, field in enumerate(fields)
    )


def compact_rows_of(evaluation: ScopeEvaluation) -> list[tuple[Any, ...]]:
    dimensions = dimensions_text(evaluation.dimension_codes)
    rows = [
        (evaluation.members[r.member.id].pk, r.total, r.grade or "", r.veto or "",
         dimensions(r.dimensions), r.bonus, r.deductions, r.rank, r.category_rank)
        for r in evaluation.rows
    ]  # fmt: skip
    return sorted(rows, key=lambda row: row[0])
