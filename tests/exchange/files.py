"""Import files made in the tests (no binary fixtures): .xlsx, .csv in any encoding, and
valid ID numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from jifen.members.idcard import check_digit

ENTRY_HEADER = ["身份证号", "姓名", "积分项目", "发生日期", "分值", "次数", "荣誉名称", "事由"]
ROSTER_HEADER = ["姓名", "性别", "身份证号", "手机号", "所在支部", "党员状态", "入党日期"]


def id_number(serial: int, birth: str = "19800101") -> str:
    first17 = f"110105{birth}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def xlsx(rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    """`encoding` "utf-8-sig" writes the BOM Excel writes; "gbk" what Chinese Excel saves."""
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)
