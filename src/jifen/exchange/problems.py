"""Bad rows, collected: every problem of every row, named as the person sees it in Excel."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from jifen.exchange.columns import Column, locate
from jifen.exchange.normalise import BadValue
from jifen.exchange.readers import Sheet

T = TypeVar("T")
CHUNK = 500  # ids per IN (...) query: well under SQLite's 999 parameters
_ENGLISH_TAIL = re.compile(r"\s*\([^()]*\)$")


@dataclass(frozen=True)
class RowError:
    row: int  # the row number Excel shows (the header is usually row 1)
    column: str  # the column's header, or "" for the whole row
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class Problems:
    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def add(self, row: int, column: str, reason: str) -> None:
        # The engine's messages carry an English gloss in brackets; the page is Chinese.
        self.errors.append(RowError(row, column, _ENGLISH_TAIL.sub("", reason)))

    def read(self, row: int, column: Column, parse: Callable[[Any], T], value: Any) -> T | None:
        """`parse(value)`, or None with the problem noted."""
        try:
            return parse(value)
        except BadValue as error:
            self.add(row, column.title, str(error))
            return None

    def __bool__(self) -> bool:
        return bool(self.errors)


class Cells:
    """A data row's cells by column key."""

    def __init__(self, index: dict[str, int], values: Sequence[Any]) -> None:
        self.index, self.values = index, values

    def __getitem__(self, key: str) -> Any:
        at = self.index.get(key)
        return self.values[at] if at is not None and at < len(self.values) else None


def columns_of(
    sheet: Sheet, columns: tuple[Column, ...], problems: Problems
) -> dict[str, int] | None:
    index, missing = locate(columns, sheet.headers)
    for title in missing:
        problems.add(1, title, f"缺少必填列“{title}”，请使用导入模板")
    if not sheet.rows and not missing:
        problems.add(1, "", "文件中没有数据行")
    return None if problems else index


def chunked(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
