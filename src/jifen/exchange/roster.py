"""Roster import (花名册): validate every row, then create or update the members.

A member is identified by the ID number (its blind index). A row whose ID number is new
creates a member in the named branch; one already in that branch updates the non-empty
cells that differ. Everything else is a conflict reported on the row: the same ID number
twice in the file, a member registered in another branch (a transfer is its own act) or
outside the importer's organisations (not disclosed further), or a different name. The
writes go through `create_member`/`change_member` (encryption, blind index, audit) in one
transaction: any refusal there undoes the whole file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from jifen.core import crypto
from jifen.exchange.columns import ROSTER
from jifen.exchange.normalise import compact, id_text, parse_date, text
from jifen.exchange.problems import Cells, Problems, chunked, columns_of
from jifen.exchange.readers import Sheet
from jifen.exchange.scope import reachable
from jifen.members import idcard
from jifen.members.models import ID_CONTEXT, PHONE_CONTEXT, Gender, Member, MemberStatus
from jifen.members.services import PHONE_PATTERN, change_member, create_member
from jifen.orgs.models import GROUP_KINDS, MEMBER_HOLDING_KINDS, Organisation
from jifen.orgs.permissions import Perm
from jifen.orgs.services import effective_scheme_code

COL = {c.key: c for c in ROSTER}
GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "M": Gender.MALE, "F": Gender.FEMALE}
STATUSES = {
    **{label: value for value, label in MemberStatus.choices},
    **{value: value for value in MemberStatus.values},
    "正式": MemberStatus.FULL,
    "预备": MemberStatus.PROBATIONARY,
    "积极分子": MemberStatus.ACTIVIST,
}


@dataclass
class RosterRow:
    number: int
    fields: dict[str, Any] = field(default_factory=dict)  # create_member's arguments
    key: str = ""
    existing: Member | None = None
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class RosterPlan:
    creates: list[RosterRow] = field(default_factory=list)
    updates: list[RosterRow] = field(default_factory=list)


class _Orgs:
    """The organisations the import may place members in, by code and by name (indexed
    once: a committee's file names its branches thousands of times)."""

    def __init__(self, orgs: list[Organisation]) -> None:
        self.branches = [o for o in orgs if o.kind in MEMBER_HOLDING_KINDS]
        self.ids = {o.pk for o in self.branches}
        self._branches = self._index(self.branches)
        self._groups: dict[int, dict[str, list[Organisation]]] = defaultdict(dict)
        for parent_id, groups in _by_parent(o for o in orgs if o.kind in GROUP_KINDS).items():
            self._groups[parent_id] = self._index(groups)

    @staticmethod
    def _index(orgs: Iterable[Organisation]) -> dict[str, list[Organisation]]:
        """Code → [the organisation], and name → every organisation of that name; a code
        wins over a name (codes are unique in a tenant, names need not be)."""
        index: dict[str, list[Organisation]] = defaultdict(list)
        listed = list(orgs)
        for org in listed:
            index[compact(org.name)].append(org)
        for org in listed:
            index[compact(org.code)] = [org]
        return index

    def branch(self, value: str) -> list[Organisation]:
        return self._branches.get(value, [])

    def group(self, branch: Organisation, value: str) -> list[Organisation]:
        return self._groups[branch.pk].get(value, [])


def _by_parent(orgs: Iterable[Organisation]) -> dict[int, list[Organisation]]:
    grouped: dict[int, list[Organisation]] = defaultdict(list)
    for org in orgs:
        if org.parent_id is not None:
            grouped[org.parent_id].append(org)
    return grouped


def validate_roster(
    *, actor: Any, organisation: Organisation, sheet: Sheet, problems: Problems
) -> RosterPlan:
    index = columns_of(sheet, ROSTER, problems)
    if index is None:
        return RosterPlan()
    orgs = _Orgs(list(reachable(actor, Perm.CHANGE_MEMBER, organisation)))
    schemes = _schemes_of(orgs.branches)
    rows = [
        _parse(number, Cells(index, values), orgs, schemes, problems)
        for number, values in sheet.rows
    ]
    seen: dict[str, int] = {}
    for row in rows:
        if row.key in seen:
            problems.add(
                row.number, COL["id_number"].title, f"与第 {seen[row.key]} 行的身份证号重复"
            )
            row.key = ""
        elif row.key:
            seen[row.key] = row.number
    existing = _existing(organisation.tenant_id, set(seen))
    plan = RosterPlan()
    for row in rows:
        if not row.key or "branch" not in row.fields:
            continue
        member = existing.get(row.key)
        if member is None:
            plan.creates.append(row)
        elif _compare(row, member, orgs, problems):
            plan.updates.append(row)
    return plan


def _schemes_of(branches: list[Organisation]) -> dict[int, Any]:
    """Branch id → its scheme (for the categories), each scheme file read once."""
    from jifen.engine import load_scheme
    from jifen.engine.errors import EngineError

    schemes: dict[str, Any] = {}
    out: dict[int, Any] = {}
    for branch in branches:
        code = effective_scheme_code(branch)
        if code and code not in schemes:
            try:
                schemes[code] = load_scheme(code)
            except EngineError:
                schemes[code] = None
        out[branch.pk] = schemes.get(code) if code else None
    return out


def _parse(
    number: int, cells: Cells, orgs: _Orgs, schemes: dict[int, Any], problems: Problems
) -> RosterRow:
    row = RosterRow(number)
    add = problems.add
    name = text(cells["name"])
    if not name:
        add(number, COL["name"].title, "姓名为空")
    elif len(name) > 50:
        add(number, COL["name"].title, "姓名最多 50 字")
    row.fields["name"] = name
    said = compact(cells["gender"]).removesuffix("性")
    gender = GENDERS.get(said.upper() if said.isascii() else said)
    if gender is None:
        add(number, COL["gender"].title, f"性别应为“男”或“女”，实际为“{text(cells['gender'])}”")
    row.fields["gender"] = gender
    raw_id = problems.read(number, COL["id_number"], id_text, cells["id_number"])
    try:
        if raw_id is not None:
            row.fields["id_number"] = idcard.validate(raw_id)
            row.key = crypto.blind_index(row.fields["id_number"], context=ID_CONTEXT)
    except idcard.InvalidIdNumber as error:
        add(number, COL["id_number"].title, "身份证号为空" if not raw_id else str(error))
    phone = compact(cells["phone"]).replace("-", "")
    if phone and not PHONE_PATTERN.match(phone):
        add(number, COL["phone"].title, "手机号应为以 1 开头的 11 位数字")
    row.fields["phone"] = phone
    branch = _one(
        number,
        COL["branch"].title,
        orgs.branch(compact(cells["branch"])),
        cells["branch"],
        problems,
    )
    if branch is not None:
        row.fields["branch"] = branch
        group_value = compact(cells["group"])
        if group_value:
            group = _one(
                number,
                COL["group"].title,
                orgs.group(branch, group_value),
                cells["group"],
                problems,
            )
            if group is not None:
                row.fields["group"] = group
    status_value = compact(cells["status"])
    status = STATUSES.get(status_value) if status_value else MemberStatus.FULL
    if status is None:
        add(
            number,
            COL["status"].title,
            f"党员状态应为正式党员、预备党员或入党积极分子，实际为“{status_value}”",
        )
    row.fields["status"] = status
    for key in ("join_date", "birth_date"):
        if not _blank(cells[key]):
            row.fields[key] = problems.read(number, COL[key], parse_date, cells[key])
    category = text(cells["category"])
    if category and branch is not None:
        scheme = schemes.get(branch.pk)
        code = scheme.category_code(category) if scheme is not None else category
        if code is None or len(code) > 32:
            add(number, COL["category"].title, f"积分办法中没有党员类别“{category}”")
        row.fields["category"] = code or ""
    return row


def _blank(value: Any) -> bool:
    return value is None or not compact(value)


def _one(
    number: int, title: str, found: list[Organisation], raw: Any, problems: Problems
) -> Organisation | None:
    value = text(raw)
    if not value:
        if title == COL["branch"].title:
            problems.add(number, title, "所在支部为空")
        return None
    if len(found) == 1:
        return found[0]
    if not found:
        problems.add(number, title, f"“{value}”不是您管理范围内的组织，请填写代码或全称")
    else:
        problems.add(number, title, f"名称“{value}”对应多个组织，请改填组织代码")
    return None


def _existing(tenant_id: int, keys: set[str]) -> dict[str, Member]:
    members: dict[str, Member] = {}
    for chunk in chunked(sorted(keys)):
        for member in Member.objects.filter(
            tenant_id=tenant_id, id_number_index__in=chunk
        ).select_related("branch"):
            members[member.id_number_index] = member
    return members


def _compare(row: RosterRow, member: Member, orgs: _Orgs, problems: Problems) -> bool:
    """Whether the row updates `member` (its changes noted), or a conflict reported."""
    title = COL["id_number"].title
    if member.branch_id not in orgs.ids:
        problems.add(row.number, title, "该身份证号的党员已在系统中登记，但不在您管理的组织内")
        return False
    if member.branch_id != row.fields["branch"].pk:
        problems.add(row.number, COL["branch"].title,
                     f"该党员已在 {member.branch.name}，转接组织关系请使用转接功能")  # fmt: skip
        return False
    if member.name.replace(" ", "") != row.fields["name"].replace(" ", ""):
        problems.add(row.number, COL["name"].title, "该身份证号已登记为另一姓名的党员，请核对")
        return False
    row.existing = member
    for key in ("gender", "status", "join_date", "category"):
        value = row.fields.get(key)
        if value not in (None, "") and value != getattr(member, key):
            row.changes[key] = value
    phone = row.fields.get("phone")
    if phone and (
        not member.phone_cipher
        or crypto.decrypt(member.phone_cipher, context=PHONE_CONTEXT) != phone
    ):
        row.changes["phone"] = phone
    return True


def write_roster(*, actor: Any, plan: RosterPlan) -> tuple[int, int]:
    """Create and update as planned (inside the caller's transaction): (created, updated)."""
    updated = 0
    for row in [*plan.creates, *plan.updates]:
        try:
            if row.existing is None:
                create_member(actor=actor, **{k: v for k, v in row.fields.items() if v is not None})
            elif row.changes:
                change_member(actor=actor, member=row.existing, **row.changes)
                updated += 1
        except ValidationError as error:
            raise ValidationError(f"第 {row.number} 行：{'；'.join(error.messages)}") from error
    return len(plan.creates), updated
