"""The fast row serialiser writes the same workbook as openpyxl alone: every cell's value,
type, style and number format, for plain numbers, text that needs escaping or keeps its
spaces, text that would start a formula, empty cells, and cells it leaves to openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from jifen.reports.base import Column, Group, Report, Table
from jifen.reports.xlsx import write_report

pytestmark = pytest.mark.django_db

AWKWARD = [
    "王爱丽", '=HYPERLINK("x")', "+1", "-1", "@SUM", "<b>&amp;</b>", " 前后有空格 ", "   ",
    "tab\tinside", "line\nbreak", "", "'quoted", "ü — €",
]  # fmt: skip


def sample() -> Report:
    def rows() -> Any:
        for i, text in enumerate(AWKWARD):
            yield (
                i,
                text,
                Decimal("95.5") - i,
                None,
                bool(i % 2),
                dt.date(2025, 1, 2),
            )
        yield (None, None, None, None, None, None)
        yield (10**15, "end", Decimal("-0.01"), 3.25, False, None)

    columns = [Column("n", 5, "int"), Column("text", 20), Column("points", 8, "points"),
               Column("float", 8, "points"), Column("flag", 5), Column("day", 10)]  # fmt: skip
    table = Table("样表", columns, rows, [Group("", 1), Group("组", 2), Group("", 3)], "说明")
    return Report("sample", "样表", [("单位", "<测试>")], [table])


def cells(data: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [
        (c.coordinate, c.value, c.data_type, c.number_format, c.font.b, c.style_id)
        for row in sheet.iter_rows()
        for c in row
    ]


def written(fast: bool) -> bytes:
    buffer = io.BytesIO()
    write_report(sample(), buffer, fast_rows=fast)
    return buffer.getvalue()


def test_the_fast_rows_give_the_same_cells_as_openpyxl_alone() -> None:
    fast, plain = written(True), written(False)
    assert cells(fast) == cells(plain)
    values = [row[1] for row in cells(fast)]
    assert '\'=HYPERLINK("x")' in values and " 前后有空格 " in values and "<b>&amp;</b>" in values


def test_the_fast_rows_give_the_same_sheet_xml() -> None:
    def sheet_xml(data: bytes) -> str:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read("xl/worksheets/sheet1.xml").decode()

    fast, plain = sheet_xml(written(True)), sheet_xml(written(False))
    normalise = lambda xml: xml.replace(" />", "/>")  # noqa: E731  et writes "<c …/>" with a space
    assert normalise(fast) == normalise(plain)


def test_the_data_rows_do_take_the_fast_path(monkeypatch) -> None:
    from jifen.reports import xlsx_rows

    seen: list[int] = []
    real = xlsx_rows._write_row
    monkeypatch.setattr(
        xlsx_rows,
        "_write_row",
        lambda out, xf, sheet, row, i: (seen.append(i), real(out, xf, sheet, row, i)),
    )
    written(True)
    assert seen == list(range(5, 5 + len(AWKWARD) + 2 + 1))  # the data rows and the note
