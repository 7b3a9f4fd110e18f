"""A snapshot's member rows as the table stores them, and how they are written.

Design overview
- One statement stream for a whole snapshot (100,000 rows for a district): COPY on
  PostgreSQL, `executemany` of one INSERT on SQLite, as `jifen.ledger.services.insert_rows`
  writes the ledger. The values are those the model would store: hundredths as integers,
  dimensions as the JSON text Django's JSONField writes (`{"study": "9.00", ...}`).
- Columns (`RESULT_COLUMNS`): the snapshot and the two ranks first, then the member's own
  fields. The ranks are known only once every part of an evaluation is done (they need
  everybody), the rest of a row as soon as its member is evaluated. So on PostgreSQL the
  part that evaluates a member also renders the rest of its row as COPY text
  (`copy_tail`), in its own worker process, and the parent only puts three numbers in
  front of each (`copy_lines`): the parent used to spend 0.37 s rendering a district's
  rows after the parts had finished (measured).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection

from jifen.scoring.models import MemberResult

RESULT_COLUMNS = (
    "snapshot_id", "rank", "category_rank", "member_id", "branch_id", "total_hundredths",
    "grade", "veto", "category", "dimensions", "bonus_hundredths", "deductions_hundredths",
)  # fmt: skip
COPY_CHUNK = 10_000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class CopyEscaped(dict[str, str]):
    """Text as a COPY text field (backslash, tab and line ends escaped), cached: a
    snapshot's grades, vetoes and categories repeat."""

    def __missing__(self, value: str) -> str:
        escaped = self[value] = value.translate(_COPY_ESCAPES)
        return escaped


def copy_escaped(text: str) -> str:
    return text.translate(_COPY_ESCAPES)


class CopyTail:
    """The COPY text of a row's columns after the ranks (`RESULT_COLUMNS[3:]`), from
    (member, branch, total, grade, veto, category, dimensions, bonus, deductions):
    integers or None, and texts. `dimensions_escaped`: the dimensions' text comes
    escaped already (`selectors.dimensions_text(copy=True)` escapes its template once)."""

    def __init__(self, *, dimensions_escaped: bool = False) -> None:
        self._text = CopyEscaped()
        self._dimensions = _as_is if dimensions_escaped else copy_escaped

    def __call__(
        self,
        member: int,
        branch: int,
        total: int | None,
        grade: str,
        veto: str,
        category: str,
        dimensions: str,
        bonus: int | None,
        deductions: int | None,
    ) -> str:
        text = self._text
        return (
            f"{member}\t{branch}\t{NULL if total is None else total}\t{text[grade]}\t"
            f"{text[veto]}\t{text[category]}\t{self._dimensions(dimensions)}\t"
            f"{NULL if bonus is None else bonus}\t{NULL if deductions is None else deductions}\n"
        )


def _as_is(text: str) -> str:
    return text


NULL = "\\N"


def copy_lines(snapshot: int, ranks: Iterable[tuple[int | None, int | None, str]]) -> Iterator[str]:
    """COPY text of whole rows from (rank, category rank, tail), `COPY_CHUNK` rows per
    string."""
    lines: list[str] = []
    for rank, category_rank, tail in ranks:
        lines.append(
            f"{snapshot}\t{NULL if rank is None else rank}\t"
            f"{NULL if category_rank is None else category_rank}\t{tail}"
        )
        if len(lines) == COPY_CHUNK:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


def write_rows(snapshot: int, rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert a snapshot's rows, each as the values of `RESULT_COLUMNS[1:]` (rank,
    category rank, member, branch, total, grade, veto, category, dimensions, bonus,
    deductions)."""
    if connection.vendor == "postgresql":
        tail = CopyTail()
        write_copy(copy_lines(snapshot, ((row[0], row[1], tail(*row[2:])) for row in rows)))
        return
    table, columns = MemberResult._meta.db_table, ", ".join(RESULT_COLUMNS)
    placeholders = ", ".join(["%s"] * len(RESULT_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
            [(snapshot, *row) for row in rows],
        )


def write_copy(chunks: Iterable[str]) -> None:
    """PostgreSQL: COPY text of whole rows (`copy_lines`) into the result table."""
    table, columns = MemberResult._meta.db_table, ", ".join(RESULT_COLUMNS)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor: COPY is its business
        with connection.wrap_database_errors:
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for chunk in chunks:
                    copy.write(chunk)
