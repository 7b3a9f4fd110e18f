"""Reading an uploaded .xlsx or .csv into rows, refusing files that are not safe to open.

Checks before any parsing, each with a Chinese reason naming the limit:
- the size (setting `JIFEN_IMPORT_MAX_BYTES`, 20 MiB by default);
- the type: .xlsx or .csv only; .xlsm, .xls and anything holding `xl/vbaProject.bin`
  (macros) are refused;
- zip bombs: the declared uncompressed size and the number of members of the .xlsx are
  capped. Python's zipfile never inflates a member beyond its declared size, so a lying
  header cannot get past the cap;
- XML bombs: a spreadsheet never needs a DTD, so any part declaring one is refused; and
  openpyxl parses through defusedxml (installed), which refuses entity declarations too.

CSV is decoded as UTF-8 (with or without BOM), else GB18030 (a superset of GBK, what
Chinese Excel saves), by strict decodes; the delimiter is a comma, or a tab when the
header row has more tabs than commas.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from jifen.exchange.normalise import text

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED = 400 * 1024 * 1024  # a 100,000-row sheet inflates to ~30 MiB
MAX_MEMBERS = 500  # an Excel workbook has a few dozen parts
DTD_SCAN_BYTES = 4096  # a DOCTYPE must come before the root element
EXAMPLE_MARK = "示例"  # rows whose first cell starts with it are the template's example


class ImportRefused(ValidationError):
    """A file refused as a whole (type, size, safety); the message says why."""


@dataclass
class Sheet:
    """The header row and the data rows, each with its row number as Excel shows it."""

    headers: list[str]
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)


def max_bytes() -> int:
    return int(getattr(settings, "JIFEN_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def read_sheet(filename: str, data: bytes) -> Sheet:
    """The rows of an uploaded file, or ImportRefused."""
    limit = max_bytes()
    if len(data) > limit:
        raise ImportRefused(
            f"文件大小 {len(data) / 1048576:.1f} MB 超过上限 {limit / 1048576:g} MB，"
            "请拆分后分批导入"
        )
    if not data:
        raise ImportRefused("文件是空的")
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in ("xlsm", "xltm", "xlsb"):
        raise ImportRefused("不接受含宏的工作簿（.xlsm 等），请另存为 .xlsx 后再导入")
    if suffix == "xls":
        raise ImportRefused("不接受旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入")
    if suffix == "xlsx" or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if suffix in ("csv", "txt"):
        return _read_csv(data)
    raise ImportRefused("只接受 .xlsx 或 .csv 文件")


# --- xlsx -----------------------------------------------------------------------------------


def _inspect_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportRefused("文件不是有效的 .xlsx 工作簿（可能已损坏）") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ImportRefused(f"工作簿包含 {len(members)} 个部件，超过上限 {MAX_MEMBERS}，已拒绝")
        if any(m.filename.lower().endswith("vbaproject.bin") for m in members):
            raise ImportRefused("工作簿含有宏（vbaProject.bin），已拒绝；请另存为不含宏的 .xlsx")
        total = sum(m.file_size for m in members)
        if total > MAX_UNCOMPRESSED:
            raise ImportRefused(
                f"工作簿解压后为 {total / 1048576:.0f} MB，超过上限 "
                f"{MAX_UNCOMPRESSED / 1048576:g} MB（疑似压缩炸弹），已拒绝"
            )
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels")):
                with archive.open(member) as part:
                    head = part.read(DTD_SCAN_BYTES)
                if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                    raise ImportRefused(
                        f"工作簿的 {member.filename} 含有 XML 实体声明（DTD），已拒绝"
                    )


def _read_xlsx(data: bytes) -> Sheet:
    _inspect_zip(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportRefused:
        raise
    except Exception as error:  # defusedxml's refusals, broken parts: all one answer
        raise ImportRefused(f"无法读取该 .xlsx 工作簿：{type(error).__name__}") from error
    try:
        worksheet = workbook.worksheets[0]
        return _sheet(enumerate(worksheet.iter_rows(values_only=True), start=1))
    except Exception as error:
        raise ImportRefused(f"无法读取该 .xlsx 工作簿：{type(error).__name__}") from error
    finally:
        workbook.close()


# --- csv ------------------------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused("无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK 编码")


def _read_csv(data: bytes) -> Sheet:
    content = decode_csv(data)
    if "\x00" in content:
        raise ImportRefused("CSV 文件含有二进制内容，不是文本文件")
    first = content.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        return _sheet(enumerate(reader, start=1))
    except csv.Error as error:
        raise ImportRefused(f"CSV 文件格式有误：{error}") from error


# --- both -----------------------------------------------------------------------------------


def _sheet(numbered: Iterable[tuple[int, Iterable[Any]]]) -> Sheet:
    rows: Iterator[tuple[int, Iterable[Any]]] = iter(numbered)
    sheet: Sheet | None = None
    for number, cells in rows:
        values = tuple(cells)
        if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
            continue  # blank rows (and the blank rows before the header) are skipped
        if sheet is None:
            sheet = Sheet(headers=[text(v) for v in values])
            continue
        if text(values[0]).startswith(EXAMPLE_MARK):
            continue
        sheet.rows.append((number, values))
    if sheet is None:
        raise ImportRefused("文件中没有表头行和数据")
    return sheet
