"""Which item a meeting's attendance produces: `attendance.toml`, per scheme code.

The mapping is data, not code: an installation edits the file (or points
`JIFEN_ATTENDANCE_CONFIG` at its own) and it is validated when loaded — every scheme must
be known, every item must exist in it and be a fixed-point item, kinds and statuses must be
known — so that a mistake stops at start-up rather than in a branch's ledger.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path

from jifen.engine import load_scheme
from jifen.engine.errors import EngineError
from jifen.engine.scheme import Item, Scheme

DEFAULT_PATH = Path(__file__).with_name("attendance.toml")
ANY_KIND = "*"
KINDS = frozenset(
    {
        "branch_assembly", "branch_committee", "group_meeting", "party_lecture",
        "theme_day", "org_life", "democratic_appraisal",
    }
)  # fmt: skip
STATUSES = frozenset({"present", "leave", "absent"})

# scheme code → kind (or "*") → status → item code
Mapping = dict[str, dict[str, dict[str, str]]]


class BadAttendanceConfig(ValueError):
    """The attendance configuration is not valid; the message names the place."""


def parse(text: str, where: str = "attendance.toml") -> Mapping:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BadAttendanceConfig(f"{where}: {error}") from error
    mapping: Mapping = {}
    for scheme_code, kinds in raw.items():
        try:
            scheme = load_scheme(scheme_code)
        except EngineError as error:
            raise BadAttendanceConfig(f"{where}: 未知的积分办法 {scheme_code!r}") from error
        if not isinstance(kinds, dict):
            raise BadAttendanceConfig(f"{where}: [{scheme_code}] 应为会议类型的表")
        mapping[scheme_code] = {}
        for kind, statuses in kinds.items():
            place = f"{where}: [{scheme_code}.{kind}]"
            if kind != ANY_KIND and kind not in KINDS:
                raise BadAttendanceConfig(f"{place} 未知的会议类型")
            if not isinstance(statuses, dict):
                raise BadAttendanceConfig(f"{place} 应为 出勤情况 = 项目代码")
            for status, item_code in statuses.items():
                if status not in STATUSES:
                    raise BadAttendanceConfig(f"{place} 未知的出勤情况 {status!r}")
                item = scheme.item(item_code) if isinstance(item_code, str) else None
                if item is None:
                    raise BadAttendanceConfig(f"{place} {status}: 积分办法中没有项目 {item_code!r}")
                if item.kind != "fixed" or item.veto is not None:
                    raise BadAttendanceConfig(
                        f"{place} {status}: 项目 {item_code} 不是固定分值项目"
                    )
            mapping[scheme_code][kind] = dict(statuses)
    return mapping


@cache
def load(path: str | None = None) -> Mapping:
    file = Path(path or os.environ.get("JIFEN_ATTENDANCE_CONFIG") or DEFAULT_PATH)
    return parse(file.read_text(encoding="utf-8"), where=file.name)


def item_for(scheme: Scheme | str, kind: str, status: str) -> Item | None:
    """The fixed item that `status` at a meeting of `kind` produces, or None. Given the
    scheme in force (a branch's refinement may change the item's points, or drop it), the
    item as that version defines it; given a code, as the preset does."""
    if isinstance(scheme, str):
        scheme = load_scheme(scheme)
    kinds = load().get(scheme.code, {})
    code = kinds.get(kind, kinds.get(ANY_KIND, {})).get(status)
    return scheme.item(code) if code else None


def rules_for(scheme: Scheme | str, kind: str) -> dict[str, Item]:
    """status → item, for a meeting of `kind` under the scheme (for the pages)."""
    return {
        status: item
        for status in ("present", "leave", "absent")
        if (item := item_for(scheme, kind, status)) is not None
    }
