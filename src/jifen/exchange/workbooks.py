"""Workbooks Jifen writes for imports: the template of each import and the error sheet.

The template has the header row, an example row (its first cell starts with 示例, so the
importer skips it), column widths, a frozen header, drop-down lists of the valid values
(branches, items of the scheme, genders, statuses, categories) kept on a hidden 选项
sheet because Excel caps an inline list at 255 characters, and a 说明 sheet with the
rules. Every text cell goes through `safe_cell`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from jifen.core.cells import safe_cell
from jifen.engine.scheme import Scheme
from jifen.exchange.columns import COLUMNS, Column
from jifen.exchange.models import ImportKind, ImportRun
from jifen.members.models import MemberStatus
from jifen.orgs.models import Organisation

TEXT_COLUMNS = {"id_number", "phone", "branch", "group", "item"}
DATA_ROWS = 5000  # how far down the drop-downs reach
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="FDE7E7")


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template(kind: str, *, branches: Sequence[Organisation], scheme: Scheme | None) -> bytes:
    """The import template of `kind` ("roster" or "entries") for these branches."""
    columns = COLUMNS[kind]
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "花名册" if kind == "roster" else "积分记录"
    for at, column in enumerate(columns, start=1):
        title = column.title + ("*" if column.required else "")
        cell = sheet.cell(row=1, column=at, value=safe_cell(title))
        cell.font, cell.fill = BOLD, HEAD_FILL
        sheet.cell(row=2, column=at, value=safe_cell(_example(column, branches, scheme)))
        sheet.column_dimensions[get_column_letter(at)].width = column.width
        if column.key in TEXT_COLUMNS:  # typed digits stay text: Excel keeps 15 of 18
            sheet.column_dimensions[get_column_letter(at)].number_format = "@"
    sheet.freeze_panes = "A2"
    choices = _choices(kind, branches, scheme)
    options = workbook.create_sheet("选项")
    for at, (key, values) in enumerate(choices.items(), start=1):
        letter = get_column_letter(at)
        options.cell(row=1, column=at, value=safe_cell(key))
        for row, value in enumerate(values, start=2):
            options.cell(row=row, column=at, value=safe_cell(value))
        column_at = next(i for i, c in enumerate(columns, start=1) if c.key == key)
        target = get_column_letter(column_at)
        validation = DataValidation(
            type="list",
            formula1=f"=选项!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=key != "item",  # an item's name may be typed instead
            errorTitle="无效的值",
            error="请从下拉列表中选择",
        )
        validation.add(f"{target}2:{target}{DATA_ROWS}")
        sheet.add_data_validation(validation)
    options.sheet_state = "hidden"
    _rules(workbook.create_sheet("说明"), kind, columns)
    return _save(workbook)


def _example(column: Column, branches: Sequence[Organisation], scheme: Scheme | None) -> str:
    if column.key == "branch" and branches:
        return branches[0].code
    if column.key == "item" and scheme is not None and scheme.items:
        return scheme.items[0].code
    return column.example


def _choices(
    kind: str, branches: Sequence[Organisation], scheme: Scheme | None
) -> dict[str, list[str]]:
    if kind == "roster":
        choices = {
            "gender": ["男", "女"],
            "branch": [b.code for b in branches],
            "status": [label for _, label in MemberStatus.choices],
        }
        if scheme is not None and scheme.categories:
            choices["category"] = [c.name for c in scheme.categories]
    else:
        choices = {"item": [i.code for i in scheme.items] if scheme is not None else []}
    return {key: values for key, values in choices.items() if values}


def _rules(sheet: Worksheet, kind: str, columns: Sequence[Column]) -> None:
    lines: list[Any] = [
        ("导入说明", ""),
        ("", ""),
        ("列", "规则"),
        *((c.title + ("（必填）" if c.required else ""), c.rule) for c in columns),
        ("", ""),
        ("整个文件", "全部行都正确才导入；只要有一行有误，一行也不写入，"
                     "并列出每个错误的行号、列和原因。"),
        ("示例行", "第一列以“示例”开头的行不会导入，可以删除或保留。"),
        ("文件格式", ".xlsx，或 UTF-8 / GBK 编码的 .csv（第一行为表头）；不接受含宏的工作簿。"),
        ("日期", "可写 2025-03-01、2025/3/1、2025.3.1、2025年3月1日 或 20250301，"
                 "也可用 Excel 日期。"),
        ("数字", "全角数字和多余空格会自动识别。"),
    ]  # fmt: skip
    if kind == "entries":
        lines.append(("积分项目", "见“选项”表（隐藏）中的项目代码，也可填写项目的完整名称。"))
    for row, (left, right) in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=safe_cell(left)).font = BOLD
        sheet.cell(row=row, column=2, value=safe_cell(right))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 90


def error_sheet(run: ImportRun) -> bytes:
    """The errors of a refused run: row, column, reason (the file itself is not kept)."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "错误"
    for at, (title, width) in enumerate((("行号", 8), ("列", 14), ("原因", 80)), start=1):
        cell = sheet.cell(row=1, column=at, value=title)
        cell.font, cell.fill = BOLD, HEAD_FILL
        sheet.column_dimensions[get_column_letter(at)].width = width
    sheet.freeze_panes = "A2"
    for error in run.errors:
        sheet.append([error["row"] or None, safe_cell(error["column"]), safe_cell(error["reason"])])
    if run.error_count > len(run.errors):
        sheet.append([None, "", f"另有 {run.error_count - len(run.errors)} 处错误未列出"])
    about = workbook.create_sheet("文件")
    for row, (label, value) in enumerate(
        (("文件名", run.filename), ("SHA-256", run.sha256), ("数据行数", run.rows_total),
         ("错误数", run.error_count)), start=1,
    ):  # fmt: skip
        about.cell(row=row, column=1, value=label).font = BOLD
        about.cell(row=row, column=2, value=safe_cell(value))
    return _save(workbook)


def template_for(*, actor: Any, kind: str, organisation: Organisation) -> bytes:
    """The template with the drop-downs of what `actor` may import into `organisation`."""
    from jifen.engine import load_scheme
    from jifen.engine.errors import EngineError
    from jifen.exchange.scope import reachable
    from jifen.exchange.services import PERMISSION
    from jifen.orgs.models import MEMBER_HOLDING_KINDS
    from jifen.orgs.services import effective_scheme_code

    branches = list(
        reachable(actor, PERMISSION[ImportKind(kind)], organisation)
        .filter(kind__in=MEMBER_HOLDING_KINDS)
        .order_by("code")
    )
    code = effective_scheme_code(organisation) or next(
        (c for c in map(effective_scheme_code, branches[:1]) if c), ""
    )
    scheme = None
    if code:
        try:
            scheme = load_scheme(code)
        except EngineError:
            scheme = None
    return template(kind, branches=branches, scheme=scheme)
