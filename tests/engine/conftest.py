"""Fixtures for the engine's tests: CSV files in a temporary folder and a CLI runner.

The engine is plain Python, so these tests need no database and no Django settings.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from jifen.engine import Entry, Member, MemberResult, evaluate, load_scheme
from jifen.engine.cli import main

Row = tuple[str, ...]
"""(member, "YYYY-MM-DD", item[, points[, quantity[, honor_key]]]); "" leaves a field empty."""


@dataclass
class CliRun:
    status: int
    out: str
    err: str


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """write_csv(name, header, *rows, bom=False) -> path of a UTF-8 CSV file."""

    def write(name: str, header: str, *rows: str, bom: bool = False) -> Path:
        path = tmp_path / name
        text = "\n".join([header, *rows]) + "\n"
        path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_cli() -> Callable[..., CliRun]:
    """run_cli(*argv) -> CliRun, through `jifen.engine.cli.main` with captured streams."""

    def run(*argv: str | Path) -> CliRun:
        out, err = io.StringIO(), io.StringIO()
        status = main([str(arg) for arg in argv], out, err)
        return CliRun(status, out.getvalue(), err.getvalue())

    return run


def entries_from(rows: Sequence[Row]) -> list[Entry]:
    entries = []
    for number, row in enumerate(rows, start=2):
        member, day, item, *rest = row
        points, quantity, honor_key = (list(rest) + ["", "", ""])[:3]
        entries.append(
            Entry(
                member=member,
                occurred_on=date.fromisoformat(day),
                item=item,
                points=Decimal(points) if points else None,
                quantity=int(quantity) if quantity else 1,
                honor_key=honor_key,
                row=number,
            )
        )
    return entries


@pytest.fixture
def score() -> Callable[..., dict[str, MemberResult]]:
    """score(scheme, rows, period, members=None) -> {member id: result}."""

    def run(
        scheme: str, rows: Sequence[Row], period: str, members: Sequence[Member] | None = None
    ) -> dict[str, MemberResult]:
        evaluation = evaluate(load_scheme(scheme), members, entries_from(rows), period)
        return {result.member.id: result for result in evaluation.results}

    return run


def member(
    member_id: str,
    category: str = "",
    status: str = "",
    managed_from: str = "",
    managed_to: str = "",
) -> Member:
    return Member(
        member_id,
        f"党员{member_id}",
        category,
        status,  # type: ignore[arg-type]
        date.fromisoformat(managed_from) if managed_from else None,
        date.fromisoformat(managed_to) if managed_to else None,
    )


@pytest.fixture
def people() -> Callable[..., Member]:
    """people(id, category="", status="", managed_from="", managed_to="") -> Member."""
    return member


@pytest.fixture
def as_entries() -> Callable[[Sequence[Row]], list[Entry]]:
    """as_entries(rows) -> entries, numbered as CSV rows (the first is row 2)."""
    return entries_from
