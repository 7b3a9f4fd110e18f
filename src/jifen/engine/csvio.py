"""Reading the command line's CSV files (domain.md, "`evaluate` on the command line").

ENTRIES.csv: `member,occurred_on,item,points,quantity,honor_key,note`;
MEMBERS.csv: `member,name,category,status[,managed_from,managed_to]`.
UTF-8 with or without a BOM. A file is read whole and every bad row is reported
(all-or-nothing), each by its line number (the header is row 1) and column. Only the
`member` column (and for entries `occurred_on` and `item`) must be present; an unknown or
repeated column is bad input. Rules that need the scheme (unknown item, points out of range)
are checked by the engine, which names the same row numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import BadInput, Problem, row_label
from .ledger import STATUSES, Entry, Member, Status
from .scheme import Scheme

ENTRY_COLUMNS = ("member", "occurred_on", "item", "points", "quantity", "honor_key", "note")
ENTRY_REQUIRED = ("member", "occurred_on", "item")
MEMBER_COLUMNS = ("member", "name", "category", "status", "managed_from", "managed_to")
MEMBER_REQUIRED = ("member",)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHOLE = re.compile(r"^\d+$")


class CsvError(BadInput):
    """A CSV file that cannot be read as the contract says."""


def _where(line: int, column: str) -> str:
    return f"{row_label(line)} 列 {column} (column {column})"


def _records(
    path: Path, columns: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: stripped value}) for each non-blank data row."""
    source = str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise CsvError([Problem(row_label(1), "文件为空 (empty file)")], source)
            names = [name.strip() for name in header]
            problems = []
            for name in names:
                if name not in columns:
                    allowed = ",".join(columns)
                    problems.append(
                        Problem(
                            row_label(1), f"未知的列 '{name}'，可用的列：{allowed} (unknown column)"
                        )
                    )
                elif names.count(name) > 1:
                    problems.append(Problem(row_label(1), f"列 '{name}' 重复 (duplicate column)"))
            for name in required:
                if name not in names:
                    problems.append(
                        Problem(row_label(1), f"缺少列 '{name}' (missing column '{name}')")
                    )
            if problems:
                raise CsvError(problems, source)
            rows = []
            for fields in reader:
                if not any(field.strip() for field in fields):
                    continue
                if len(fields) > len(names):
                    raise CsvError(
                        [
                            Problem(
                                row_label(reader.line_num),
                                "字段多于表头 (more fields than columns)",
                            )
                        ],
                        source,
                    )
                values = dict.fromkeys(columns, "")
                values.update(
                    (name, field.strip()) for name, field in zip(names, fields, strict=False)
                )
                rows.append((reader.line_num, values))
    except UnicodeDecodeError as error:
        raise CsvError(
            [Problem("", f"文件不是 UTF-8 编码 (not UTF-8): {error}")], source
        ) from error
    except csv.Error as error:
        raise CsvError([Problem("", f"CSV 格式错误 (malformed CSV): {error}")], source) from error
    except OSError as error:
        raise CsvError([Problem("", f"无法读取文件 (cannot read): {error}")], source) from error
    yield from rows


def _date(text: str, line: int, column: str, problems: list[Problem]) -> date | None:
    if not text:
        return None
    try:
        if _DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    problems.append(
        Problem(_where(line, column), f"'{text}' 不是 YYYY-MM-DD 格式的日期 (not a date)")
    )
    return None


def read_entries(path: str | Path) -> list[Entry]:
    path = Path(path)
    entries: list[Entry] = []
    problems: list[Problem] = []
    for line, row in _records(path, ENTRY_COLUMNS, ENTRY_REQUIRED):
        before = len(problems)
        if not row["member"]:
            problems.append(Problem(_where(line, "member"), "缺少党员编号 (member is empty)"))
        if not row["item"]:
            problems.append(Problem(_where(line, "item"), "缺少积分项目 (item is empty)"))
        occurred_on = _date(row["occurred_on"], line, "occurred_on", problems)
        if occurred_on is None and not row["occurred_on"]:
            problems.append(Problem(_where(line, "occurred_on"), "缺少日期 (date is empty)"))
        points = None
        if row["points"]:
            try:
                points = Decimal(row["points"])
            except InvalidOperation:
                points = None
            if points is None or not points.is_finite():
                problems.append(
                    Problem(
                        _where(line, "points"), f"分值 '{row['points']}' 不是数字 (not a number)"
                    )
                )
                points = None
        quantity = 1
        if row["quantity"]:
            if _WHOLE.match(row["quantity"]):
                quantity = int(row["quantity"])
            else:
                problems.append(
                    Problem(
                        _where(line, "quantity"),
                        f"数量 '{row['quantity']}' 须为正整数 "
                        "(quantity must be a whole number ≥ 1)",
                    )
                )
        if len(problems) == before and occurred_on is not None:
            entries.append(
                Entry(
                    member=row["member"],
                    occurred_on=occurred_on,
                    item=row["item"],
                    points=points,
                    quantity=quantity,
                    honor_key=row["honor_key"],
                    note=row["note"],
                    row=line,
                )
            )
    if problems:
        raise CsvError(problems, str(path))
    return entries


def read_members(path: str | Path, scheme: Scheme) -> list[Member]:
    """Members; a category may be given by its code or its Chinese name."""
    path = Path(path)
    members: list[Member] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for line, row in _records(path, MEMBER_COLUMNS, MEMBER_REQUIRED):
        before = len(problems)
        member_id = row["member"]
        if not member_id:
            problems.append(Problem(_where(line, "member"), "缺少党员编号 (member is empty)"))
        elif member_id in seen:
            problems.append(
                Problem(_where(line, "member"), f"党员 '{member_id}' 重复 (duplicate member)")
            )
        seen.add(member_id)
        status = row["status"]
        if status not in STATUSES:
            problems.append(
                Problem(
                    _where(line, "status"),
                    f"状态 '{status}' 无效，应为空、exempt 或 disqualified (unknown status)",
                )
            )
        category = scheme.category_code(row["category"]) if row["category"] else ""
        if category is None:
            known = "、".join(f"{c.code} {c.name}" for c in scheme.categories)
            problems.append(
                Problem(
                    _where(line, "category"),
                    f"未知的党员类别 '{row['category']}'，本办法的类别为：{known} "
                    "(unknown category)",
                )
            )
        managed_from = _date(row["managed_from"], line, "managed_from", problems)
        managed_to = _date(row["managed_to"], line, "managed_to", problems)
        if managed_from and managed_to and managed_from > managed_to:
            problems.append(
                Problem(
                    _where(line, "managed_to"),
                    "管理结束日期早于起始日期 (managed_to before managed_from)",
                )
            )
        if len(problems) == before and category is not None:
            members.append(
                Member(member_id, row["name"], category, _status(status), managed_from, managed_to)
            )
    if problems:
        raise CsvError(problems, str(path))
    return members


def _status(text: str) -> Status:
    for status in STATUSES:
        if status == text:
            return status
    raise AssertionError(text)  # only called after the status was checked
