"""The downloadable templates: header, example, frozen header, drop-downs, rules; and the
error sheet of a refused import."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from exchange.files import ENTRY_HEADER, csv_bytes
from jifen.exchange.readers import read_sheet
from jifen.exchange.services import import_file
from jifen.exchange.workbooks import error_sheet, template_for

pytestmark = pytest.mark.django_db


def validations(sheet) -> dict[str, str]:
    """Range of cells → the list formula of its drop-down."""
    return {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}


def test_the_entries_template_has_the_items_of_the_scheme_as_a_drop_down(personas) -> None:
    data = template_for(actor=personas.sam, kind="entries", organisation=personas.branch_a)
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["身份证号*", "姓名", "积分项目*"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 22
    assert sheet.column_dimensions["A"].number_format == "@"  # ID numbers stay text
    assert str(sheet["A2"].value).startswith("示例")
    assert validations(sheet) == {"C2:C5000": "=选项!$A$2:$A$34"}
    options = book["选项"]
    assert options.sheet_state == "hidden"
    codes = [row[0] for row in options.iter_rows(min_row=2, values_only=True)]
    assert "study_absent" in codes and "honor_company" in codes and len(codes) == 33
    assert "说明" in book.sheetnames and book["说明"]["A1"].value == "导入说明"
    # The template imports as it is: the example row is skipped, so nothing is left.
    assert read_sheet("t.xlsx", data).rows == []


def test_the_roster_template_offers_only_the_importers_branches(personas) -> None:
    book = load_workbook(io.BytesIO(
        template_for(actor=personas.bob, kind="roster", organisation=personas.branch_b)
    ))  # fmt: skip
    sheet = book.worksheets[0]
    ranges = validations(sheet)
    assert set(ranges) == {"B2:B5000", "E2:E5000", "G2:G5000"}  # gender, branch, status
    options = {
        col[0].value: [c.value for c in col[1:] if c.value] for col in book["选项"].iter_cols()
    }
    assert options["branch"] == ["D-1-B"]
    assert options["gender"] == ["男", "女"]
    assert options["status"] == ["正式党员", "预备党员", "入党积极分子"]


def test_the_error_sheet_lists_each_error_and_escapes_formulas(personas) -> None:
    rows = [ENTRY_HEADER, ["11010519491231002X", "", "=HYPERLINK(1)", "2025-03-01"]]
    run = import_file(actor=personas.sam, organisation=personas.branch_a, kind="entries",
                      filename="a.csv", data=csv_bytes(rows))  # fmt: skip
    assert run.state == "refused"
    sheet = load_workbook(io.BytesIO(error_sheet(run))).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("行号", "列", "原因")
    assert values[1][:2] == (2, "积分项目")
    assert "HYPERLINK" in values[1][2] and sheet.cell(2, 3).data_type == "s"
