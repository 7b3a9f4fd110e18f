"""A faster row serialiser for openpyxl's write-only sheets, for the cells reports hold.

Without lxml, openpyxl serialises each cell through et_xmlfile's pure-Python element
writer: about 80% of an export's time. A report's cells are plain numbers and text, whose
XML is simple, so a row of them is written here as one string, exactly as openpyxl would
write it (`<c r=… s=… t="n"><v>…</v></c>`, inline strings, `xml:space="preserve"` where
openpyxl sets it). Any other cell (booleans, dates, formulas, rich text, comments,
hyperlinks) goes through openpyxl's own cell writer, and with lxml installed (whose
writer has no `_file`) nothing here is used. The cells still pass through openpyxl's
`_values_to_row`, which types them and refuses illegal characters.
`tests/reports/test_xlsx_rows.py` checks that both writers give the same workbook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.cell._writer import write_cell
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.compat import safe_string
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

RowWriter = Callable[[Any, Iterable[Any], int], None]


def install(sheet: WriteOnlyWorksheet) -> bool:
    """Use the fast row writer for the rows appended to `sheet` from now on (after its
    first row, which creates the sheet's writer). False where it cannot apply."""
    writer = getattr(sheet, "_writer", None)
    if writer is None:
        return False
    original: RowWriter = writer.write_row

    def write_row(xf: Any, row: Iterable[Any], row_idx: int) -> None:
        out = getattr(xf, "_file", None)
        if out is None or sheet.row_dimensions.get(row_idx):
            original(xf, row, row_idx)
            return
        _write_row(out, xf, sheet, row, row_idx)

    writer.write_row = write_row
    return True


def _write_row(
    out: Callable[[str], Any], xf: Any, sheet: Any, row: Iterable[Any], index: int
) -> None:
    parts = [f'<row r="{index}">']
    for cell in row:
        if cell._comment is not None:  # as openpyxl's own write_row does
            sheet._comments.append(CommentRecord.from_cell(cell))
        value = cell._value
        styled = cell.has_style
        if value is None and not styled and cell._comment is None:
            continue
        kind = cell.data_type
        simple = (
            cell._comment is None
            and cell.hyperlink is None
            and (value is None or (kind == "n" and not isinstance(value, bool))
                 or (kind == "s" and type(value) is str))
        )  # fmt: skip
        if not simple:
            out("".join(parts))
            parts = []
            write_cell(xf, sheet, cell, styled)
            continue
        style = f' s="{cell.style_id}"' if styled else ""
        head = f'<c r="{cell.coordinate}"{style} t="{"inlineStr" if kind == "s" else kind}"'
        if value is None or value == "":
            parts.append(head + "/>")
        elif kind == "n":
            parts.append(f"{head}><v>{safe_string(value)}</v></c>")
        else:
            stripped = value.strip()
            space = ' xml:space="preserve"' if stripped and stripped != value else ""
            parts.append(f"{head}><is><t{space}>{escape(value)}</t></is></c>")
    parts.append("</row>")
    out("".join(parts))
