"""What changed between two scheme versions: a unified text diff and a structured one.

The structured diff compares items by code (added, removed, and for each kept item the
fields that changed: name, kind, points, range, caps, dimension…), dimensions by code,
the grade thresholds by name, and a few scheme-wide settings. Pure Python over engine
schemes; the page only renders it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jifen.engine import Scheme

# Item fields a reader cares about, with their Chinese names, in display order.
ITEM_FIELDS = {
    "name": "名称",
    "dimension": "板块",
    "kind": "类型",
    "points": "分值",
    "min": "最低分",
    "max": "最高分",
    "sign": "加减",
    "cap": "上限",
    "cap_per": "上限周期",
    "max_times": "次数上限",
    "max_times_per": "次数周期",
    "veto": "一票否决",
    "honor": "荣誉类",
    "declarable": "可申报",
    "annual_only": "仅年度",
    "categories": "适用类别",
}
DIMENSION_FIELDS = {"name": "名称", "start": "起始分", "floor": "下限", "cap": "上限"}
SCHEME_FIELDS = {
    "name": "办法名称",
    "scoring_period": "积分周期",
    "base": "基础分",
    "bonus_cap": "加分上限",
    "deduction_limit": "扣分上限",
    "highest_honor_only": "荣誉就高",
}


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Row:
    """One item, dimension or grade that was added, removed or changed."""

    code: str
    name: str
    status: str  # added | removed | changed
    changes: tuple[Change, ...] = ()


@dataclass
class SchemeDiff:
    settings: list[Change] = field(default_factory=list)
    items: list[Row] = field(default_factory=list)
    dimensions: list[Row] = field(default_factory=list)
    grades: list[Row] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.settings or self.items or self.dimensions or self.grades)


def shown(value: Any) -> str:
    if value is None or value == ():
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, tuple | list):
        return "、".join(str(v) for v in value)
    return str(value)


def _changes(old: Any, new: Any, fields: dict[str, str]) -> tuple[Change, ...]:
    return tuple(
        Change(label, shown(getattr(old, name)), shown(getattr(new, name)))
        for name, label in fields.items()
        if getattr(old, name) != getattr(new, name)
    )


def _compare(old: dict[str, Any], new: dict[str, Any], fields: dict[str, str]) -> list[Row]:
    rows = []
    for code, item in new.items():
        if code not in old:
            rows.append(Row(code, item.name, "added"))
        else:
            changes = _changes(old[code], item, fields)
            if changes:
                rows.append(Row(code, item.name, "changed", changes))
    rows += [Row(code, item.name, "removed") for code, item in old.items() if code not in new]
    return rows


def _grade_rows(old: Scheme, new: Scheme) -> list[Row]:
    before = {g.name: g for g in old.grades}
    after = {g.name: g for g in new.grades}
    rows = []
    for name, grade in after.items():
        if name not in before:
            rows.append(Row(name, name, "added", (Change("分数线", "—", shown(grade.min)),)))
        elif before[name].min != grade.min:
            rows.append(
                Row(
                    name,
                    name,
                    "changed",
                    (Change("分数线", shown(before[name].min), shown(grade.min)),),
                )
            )
    rows += [Row(name, name, "removed") for name in before if name not in after]
    return rows


def structured_diff(old: Scheme, new: Scheme) -> SchemeDiff:
    return SchemeDiff(
        settings=list(_changes(old, new, SCHEME_FIELDS)),
        items=_compare(old.items_by_code, new.items_by_code, ITEM_FIELDS),
        dimensions=_compare(old.dimensions_by_code, new.dimensions_by_code, DIMENSION_FIELDS),
        grades=_grade_rows(old, new),
    )


@dataclass(frozen=True)
class Line:
    kind: str  # add | remove | hunk | context | header
    text: str


def text_diff(old: str, new: str, old_name: str, new_name: str) -> list[Line]:
    """A unified diff, each line tagged for highlighting."""
    lines = []
    for raw in difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, n=3, lineterm=""
    ):
        if raw.startswith(("---", "+++")):
            kind = "header"
        elif raw.startswith("@@"):
            kind = "hunk"
        elif raw.startswith("+"):
            kind = "add"
        elif raw.startswith("-"):
            kind = "remove"
        else:
            kind = "context"
        lines.append(Line(kind, raw))
    return lines
