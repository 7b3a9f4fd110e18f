"""The one xlsx writer of the reports: laid out as a person would lay a table out.

Each table of a report becomes a sheet: the title merged across the table, the header fields
on the line below (单位：… 填表人：…), the column groups merged over their columns (a column
outside any group spans both header lines), column widths, the header frozen and repeated on
every printed page, A4. Numbers stay numbers (points with two decimals); every text cell
goes through `jifen.core.cells.safe_cell`, so a name like "=HYPERLINK(…)" arrives as text.

The workbook is openpyxl's write-only kind: rows are serialised as they are appended, so
memory stays flat however many rows the iterator yields. It is written to a temporary file
that the response streams (`xlsx_response`).
"""

from __future__ import annotations

import re
import tempfile
from copy import copy
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from jifen.core.cells import safe_cell
from jifen.reports import xlsx_rows
from jifen.reports.base import Report, Table

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
POINTS_FORMAT = "0.00"


def write_report(report: Report, target: str | IO[bytes], *, fast_rows: bool = True) -> None:
    """Write `report` as an .xlsx workbook to a path or a binary file. `fast_rows` writes
    the data rows through `xlsx_rows` (the same XML, faster); False: openpyxl alone."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for table in report.tables:
        sheet = workbook.create_sheet(title=_sheet_name(table.title or report.title, used))
        _write_table(sheet, report, table, fast_rows)
    workbook.save(target)


def xlsx_response(report: Report) -> FileResponse:
    """The workbook streamed from a temporary file (removed when the response closes it)."""
    # Not a `with`: FileResponse closes (and so removes) the file once it is sent.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    write_report(report, handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{report.filename or report.slug}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_NAME_BAD.sub("_", safe_cell(title)).strip("'")[:28] or "Sheet"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:26]}_{n}"
    used.add(name)
    return name


def _cell(sheet: WriteOnlyWorksheet, value: Any, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=safe_cell(value))
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _write_table(sheet: WriteOnlyWorksheet, report: Report, table: Table, fast_rows: bool) -> None:
    width = max(len(table.columns), 1)
    last = get_column_letter(width)
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if width > 7 else "portrait"
    # The sheet's view, widths and page set-up are serialised with the first row: set first.
    header_top = 3
    header_bottom = header_top + (1 if table.groups else 0)
    sheet.freeze_panes = f"A{header_bottom + 1}"
    sheet.print_title_rows = f"{header_top}:{header_bottom}"

    title = table.title if table.title == report.title else f"{report.title} · {table.title}"
    sheet.append([_cell(sheet, title, font=Font(bold=True, size=14), alignment=_CENTRE)])
    sheet.merged_cells.add(CellRange(f"A1:{last}1"))
    fields = "    ".join(f"{label}：{value}" for label, value in report.fields)
    sheet.append([_cell(sheet, fields)])
    sheet.merged_cells.add(CellRange(f"A2:{last}2"))
    header = [_cell(sheet, c.label, **_HEAD) for c in table.columns]
    if table.groups:
        top: list[Any] = []
        index = 1
        for group in table.groups:
            for offset in range(group.span):
                label = group.label if group.label else table.columns[index - 1 + offset].label
                top.append(_cell(sheet, label if offset == 0 or not group.label else None, **_HEAD))
            first, end = get_column_letter(index), get_column_letter(index + group.span - 1)
            if group.label and group.span > 1:
                sheet.merged_cells.add(CellRange(f"{first}{header_top}:{end}{header_top}"))
            if not group.label:
                for col in range(index, index + group.span):
                    letter = get_column_letter(col)
                    sheet.merged_cells.add(
                        CellRange(f"{letter}{header_top}:{letter}{header_top + 1}")
                    )
            index += group.span
        for col in range(index, width + 1):  # columns after the last group
            letter = get_column_letter(col)
            top.append(_cell(sheet, table.columns[col - 1].label, **_HEAD))
            sheet.merged_cells.add(CellRange(f"{letter}{header_top}:{letter}{header_top + 1}"))
        sheet.append(top)
        for col in range(1, width + 1):
            if not _grouped(table, col):  # its label sits in the merged cell above
                header[col - 1] = _cell(sheet, None, **_HEAD)
    sheet.append(header)
    _append_rows(sheet, table, fast_rows)
    if table.note:
        sheet.append([_cell(sheet, table.note)])


def _grouped(table: Table, col: int) -> bool:
    """Whether column `col` (1-based) lies under a labelled group."""
    index = 1
    for group in table.groups:
        if index <= col < index + group.span:
            return bool(group.label)
        index += group.span
    return False


def _append_rows(sheet: WriteOnlyWorksheet, table: Table, fast_rows: bool) -> None:
    # One styled prototype per kind; each cell gets a copy of its style array, which is
    # far cheaper than setting number formats cell by cell on 100,000 rows.
    prototype = WriteOnlyCell(sheet, value=0)
    prototype.number_format = POINTS_FORMAT
    points_style = prototype._style
    kinds = [c.kind for c in table.columns]
    if fast_rows:
        xlsx_rows.install(sheet)
    append = sheet.append
    for row in table.rows():
        out: list[Any] = []
        for kind, value in zip(kinds, row, strict=True):
            if kind == "points" and value is not None:
                cell = WriteOnlyCell(sheet, value=Decimal(value))
                cell._style = copy(points_style)
                out.append(cell)
            elif isinstance(value, str | Promise):  # a lazy label becomes text too
                out.append(safe_cell(value))
            else:
                out.append(value)
        append(out)


_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_HEAD = {"font": Font(bold=True), "alignment": _CENTRE, "border": _BOX}
