"""What a report is: a small description that one HTML template and one xlsx writer render.

A `Report` has a title, header fields (单位, 党委, 负责人, 填表人, 日期 …) and one or more
`Table`s. A table names its columns (label, width in characters, kind), optional column
groups (merged headers over consecutive columns) and an iterator of row tuples. Rows come
from set-based queries read with `.iterator()`, so a 100,000-row ranking is never held in
memory: the page reads the first `PAGE_ROWS` rows, the xlsx writer streams them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any, Literal

Kind = Literal["text", "int", "points"]
Row = tuple[Any, ...]

# The most rows a page (or its print view) shows of one table; the export has them all.
PAGE_ROWS = 500


@dataclass(frozen=True)
class Column:
    label: str
    width: int = 10
    kind: Kind = "text"


@dataclass(frozen=True)
class Group:
    """A merged header over `span` consecutive columns; an empty label leaves them single."""

    label: str
    span: int


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: Callable[[], Iterable[Row]]
    """Called once per rendering: a fresh iterator over the rows (set-based, streamed)."""
    groups: list[Group] = field(default_factory=list)
    note: str = ""

    def page_rows(self, limit: int = PAGE_ROWS) -> tuple[list[Row], bool]:
        """The first `limit` rows, and whether more were left off."""
        iterator: Iterator[Row] = iter(self.rows())
        head = list(islice(iterator, limit + 1))
        return head[:limit], len(head) > limit

    def header_rows(self) -> list[list[tuple[str, int, int]]]:
        """The header as rows of (label, colspan, rowspan) cells, for the HTML table."""
        if not self.groups:
            return [[(c.label, 1, 1) for c in self.columns]]
        top: list[tuple[str, int, int]] = []
        bottom: list[tuple[str, int, int]] = []
        index = 0
        for group in self.groups:
            members = self.columns[index : index + group.span]
            if group.label:
                top.append((group.label, group.span, 1))
                bottom.extend((c.label, 1, 1) for c in members)
            else:
                top.extend((c.label, 1, 2) for c in members)
            index += group.span
        top.extend((c.label, 1, 2) for c in self.columns[index:])
        return [top, bottom]


@dataclass
class Report:
    slug: str
    title: str
    fields: list[tuple[str, str]]
    """Header fields shown above every table: (label, value)."""
    tables: list[Table]
    filename: str = ""


def points(hundredths: int | None) -> Decimal | None:
    """Integer hundredths as points (two decimals), None kept."""
    return None if hundredths is None else Decimal(hundredths).scaleb(-2)
