"""Ledger input: entries and members, their validation, and step (a) — aggregation.

The engine evaluates in two steps so that a second caller can skip the first:

(a) `aggregate_entries` validates raw `Entry` rows against the scheme and folds them into
    `Aggregate`s, one per (member, scoring period, item, honor_key);
(b) `evaluate.evaluate_aggregates` runs the scheme's rules over aggregates.

A database caller produces the aggregates itself with one GROUP BY over the ledger
(see `Aggregate`) and calls (b) directly; `evaluate.evaluate` is (a) then (b), so the two
paths cannot differ. Validation messages name the entry's row: the 1-based line of the CSV
(header = row 1), or the ledger id for a database caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from .errors import EntryError, MemberError, Problem, row_label
from .periods import Plan, period_key, plan_request
from .points import ZERO, has_at_most_two_places
from .scheme import Item, Scheme

Status = Literal["", "exempt", "disqualified"]
STATUSES: tuple[Status, ...] = ("", "exempt", "disqualified")


@dataclass(frozen=True, slots=True)
class Member:
    """A member to evaluate; management dates are inclusive and open when None."""

    id: str
    name: str = ""
    category: str = ""
    status: Status = ""
    managed_from: date | None = None
    managed_to: date | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One effective ledger entry (approved, not reversed).

    `points` is per occurrence and None for a fixed item (its value is the item's);
    `row` names the entry in messages and breaks ties of date (input order).
    """

    member: str
    occurred_on: date
    item: str
    points: Decimal | None = None
    quantity: int = 1
    honor_key: str = ""
    note: str = ""
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One entry inside an aggregate, for items whose occurrence order matters."""

    occurred_on: date
    seq: int
    points: Decimal
    """Points of one occurrence (resolved: a fixed item's value when the entry left it empty)."""
    quantity: int


@dataclass(frozen=True, slots=True)
class Aggregate:
    """The entries of one member, scoring period, item and honor_key, folded together.

    A database builds it with one query, grouped by (member, period, item, honor_key):

    - `period`: `period_key(scheme.scoring_period, occurred_on)`, but the year (`"2026"`)
      for an `annual_only` item;
    - `total`: SUM(points × quantity), with a fixed item's points resolved to its value;
    - `count`: SUM(quantity), the number of occurrences;
    - `highest`: MAX(points), one occurrence's points (the level of an honor);
    - `first_on`, `first_seq`: the earliest entry by (occurred_on, seq), where `seq` is the
      input order (CSV row, ledger id): it decides which veto came first;
    - `occurrences`: only for items with `max_times`, every entry in (occurred_on, seq)
      order, because which occurrences count depends on their order; empty otherwise.

    Aggregates cover the request's year from 1 January to `Plan.read_to`: earlier periods
    carry honors already counted and year-scoped limits; they are not part of the result.
    """

    member: str
    period: str
    item: str
    honor_key: str
    total: Decimal
    count: int
    highest: Decimal
    first_on: date
    first_seq: int
    occurrences: tuple[Occurrence, ...] = field(default=())


def entry_points(item: Item, entry: Entry) -> Decimal:
    """Points of one occurrence of the entry."""
    if entry.points is None:
        return item.fixed_points
    return entry.points


def entry_problems(
    scheme: Scheme,
    entry: Entry,
    year: int,
    members: dict[str, Member] | None,
) -> list[str]:
    """Why an entry is bad input (empty when it is good)."""
    problems: list[str] = []
    member = None
    if not entry.member:
        problems.append("缺少党员编号 (member is empty)")
    elif members is not None:
        member = members.get(entry.member)
        if member is None:
            problems.append(f"党员 '{entry.member}' 不在党员名单中 (member not in the member list)")
    if entry.occurred_on.year != year:
        problems.append(
            f"日期 {entry.occurred_on.isoformat()} 不在 {year} 年内 "
            "(date outside the period's year)"
        )
    if entry.quantity < 1:
        problems.append(f"数量 {entry.quantity} 须为不小于 1 的整数 (quantity must be ≥ 1)")
    item = scheme.item(entry.item)
    if item is None:
        problems.append(f"未知的积分项目 '{entry.item}' (unknown item)")
        return problems
    problems.extend(_points_problems(item, entry.points))
    if item.honor:
        if not entry.honor_key:
            problems.append(f"荣誉项目 '{item.code}' 须填写 honor_key (honor without honor_key)")
        if entry.quantity != 1:
            problems.append(f"荣誉项目 '{item.code}' 的数量须为 1 (an honor's quantity must be 1)")
    # A member without a category (no member list) cannot be checked against the item's.
    category = member.category if member is not None else ""
    if category and item.categories and category not in item.categories:
        problems.append(
            f"项目 '{item.code}' 不适用于类别 '{category}' 的党员 "
            "(item does not apply to the member's category)"
        )
    return problems


def _points_problems(item: Item, points: Decimal | None) -> list[str]:
    code = item.code
    if points is None:
        if item.kind != "fixed":
            return [f"项目 '{code}' 须填写分值 (points required for a {item.kind} item)"]
        return []
    if not has_at_most_two_places(points):
        return [f"分值 {points} 最多两位小数 (more than two decimal places)"]
    if item.kind == "fixed":
        if points != item.fixed_points:
            return [
                f"固定分值项目 '{code}' 的分值应留空或为 {item.fixed_points} "
                "(a fixed item's points must be empty or its value)"
            ]
    elif item.kind == "range":
        assert item.min is not None  # checked when loading
        assert item.max is not None
        if not item.min <= points <= item.max:
            return [
                f"分值 {points} 超出项目 '{code}' 的范围 [{item.min}, {item.max}] "
                "(points outside the item's range)"
            ]
    elif item.kind == "discretionary":
        wrong_sign = points < ZERO if item.sign == "+" else points > ZERO
        if wrong_sign:
            sign = "正" if item.sign == "+" else "负"
            return [f"酌情项目 '{code}' 的分值须为{sign}数 (points of the wrong sign)"]
        if item.max is not None and abs(points) > item.max:
            return [f"分值 {points} 超过项目 '{code}' 的上限 {item.max} (points above max)"]
    elif item.kind == "assessed":
        assert item.max is not None
        if not ZERO <= points <= item.max:
            return [f"分值 {points} 须在 0 至 {item.max} 之间 (points outside the item's 0..max)"]
    return []


def check_members(scheme: Scheme, members: Sequence[Member]) -> list[Member]:
    """Members with categories given by code or name turned into codes; MemberError if bad."""
    problems: list[Problem] = []
    seen: set[str] = set()
    checked: list[Member] = []
    for index, member in enumerate(members):
        where = row_label(index + 2)
        if not member.id:
            problems.append(Problem(where, "缺少党员编号 (member is empty)"))
        elif member.id in seen:
            problems.append(Problem(where, f"党员 '{member.id}' 重复 (duplicate member)"))
        seen.add(member.id)
        if member.status not in STATUSES:
            problems.append(
                Problem(
                    where,
                    f"状态 '{member.status}' 无效，应为空、exempt 或 disqualified "
                    "(status must be empty, exempt or disqualified)",
                )
            )
        category = scheme.category_code(member.category) if member.category else ""
        if category is None:
            known = "、".join(f"{c.code} {c.name}" for c in scheme.categories)
            problems.append(
                Problem(
                    where,
                    f"未知的党员类别 '{member.category}'，本办法的类别为：{known} "
                    "(unknown category)",
                )
            )
            category = member.category
        if member.managed_from and member.managed_to and member.managed_from > member.managed_to:
            problems.append(
                Problem(where, "管理起始日期晚于结束日期 (managed_from after managed_to)")
            )
        checked.append(
            Member(
                member.id,
                member.name,
                category,
                member.status,
                member.managed_from,
                member.managed_to,
            )
        )
    if problems:
        raise MemberError(problems)
    return checked


def aggregate_entries(
    scheme: Scheme,
    members: Sequence[Member] | None,
    entries: Iterable[Entry],
    period: Plan | str,
) -> list[Aggregate]:
    """Step (a): validate every entry, then fold those the request reads into aggregates.

    Raises `EntryError` listing every bad entry; with `members`, an entry for anyone not in
    it is bad. Entries of items with `max_times` keep their occurrences.
    """
    plan = period if isinstance(period, Plan) else plan_request(scheme.scoring_period, period)
    known = None if members is None else {member.id: member for member in members}
    problems: list[Problem] = []
    kept: list[tuple[Entry, int]] = []
    for index, entry in enumerate(entries):
        seq = entry.row if entry.row is not None else index + 2
        for message in entry_problems(scheme, entry, plan.year, known):
            problems.append(Problem(row_label(seq), message))
        if entry.occurred_on <= plan.read_to:
            kept.append((entry, seq))
    if problems:
        raise EntryError(problems)

    groups: dict[tuple[str, str, str, str], list[tuple[Entry, int]]] = {}
    for entry, seq in kept:
        item = scheme.item(entry.item)
        assert item is not None  # validated above
        key = (
            str(plan.year)
            if item.annual_only
            else period_key(scheme.scoring_period, entry.occurred_on)
        )
        honor_key = entry.honor_key if item.honor else ""
        groups.setdefault((entry.member, key, item.code, honor_key), []).append((entry, seq))

    aggregates = []
    for (member, key, code, honor_key), rows in groups.items():
        item = scheme.item(code)
        assert item is not None
        rows.sort(key=lambda pair: (pair[0].occurred_on, pair[1]))
        values = [(entry, seq, entry_points(item, entry)) for entry, seq in rows]
        first, first_seq, _ = values[0]
        aggregates.append(
            Aggregate(
                member=member,
                period=key,
                item=code,
                honor_key=honor_key,
                total=sum((points * entry.quantity for entry, _, points in values), ZERO),
                count=sum(entry.quantity for entry, _, _ in values),
                highest=max(points for _, _, points in values),
                first_on=first.occurred_on,
                first_seq=first_seq,
                occurrences=tuple(
                    Occurrence(entry.occurred_on, seq, points, entry.quantity)
                    for entry, seq, points in values
                )
                if item.max_times is not None
                else (),
            )
        )
    return aggregates
