"""Errors of the engine: each names where the problem is and what it is.

`BadInput` carries a list of `Problem`s so that a caller can report every bad row of a file
at once (the project's import rule: all-or-nothing, every bad row reported). Messages are
Chinese first, with the English in brackets, because operators read them.
"""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input: `where` is a row number, a TOML path or ''."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class BadInput(EngineError):
    """Input that cannot be evaluated; `problems` lists every fault found."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        super().__init__(self.render())

    def render(self, source: str | None = None) -> str:
        prefix = source if source is not None else self.source
        lines = [str(problem) for problem in self.problems]
        return "\n".join(f"{prefix}: {line}" if prefix else line for line in lines)


class SchemeError(BadInput):
    """A scheme file that is not valid; problems are placed like `items[3].dimension`."""


class EntryError(BadInput):
    """Ledger entries that break the scheme's rules; problems are placed by row number."""


class MemberError(BadInput):
    """A member list that cannot be used (duplicate id, unknown category, bad dates)."""


class PeriodError(BadInput):
    """A period string that is not `2026`, `2026-H1`, `2026-Q3` or `2026-07`."""


def row_label(row: int) -> str:
    """How a row is named in messages: the 1-based line of the CSV (the header is row 1)."""
    return f"第{row}行 (row {row})"
