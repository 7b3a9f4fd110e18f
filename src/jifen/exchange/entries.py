"""Entries import: validate every row first, set-based, then post them in one batch.

A member is named by the ID number (身份证号, found through the blind index: the model
has no member number); the item by its code or its name in the member's branch scheme.
Points are checked by the engine's own rules (`entry_problems`), so an imported entry is
one the evaluation accepts. Members, schemes and locked periods are looked up once per
chunk or per branch, never per row; the whole file goes into the ledger through
`post_entries` in one transaction, each entry with a uid derived from the file and row,
so that a racing second import of the same file collides instead of doubling.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jifen.core import crypto
from jifen.engine import Entry
from jifen.engine.ledger import entry_problems
from jifen.engine.scheme import Item, Scheme
from jifen.exchange.columns import ENTRIES
from jifen.exchange.normalise import (
    BadValue,
    compact,
    id_text,
    parse_count,
    parse_date,
    parse_points,
    text,
)
from jifen.exchange.problems import Cells, Problems, chunked, columns_of
from jifen.exchange.readers import Sheet
from jifen.exchange.scope import reachable
from jifen.ledger.models import LOCKED_STATES, Period, Source
from jifen.ledger.services import EntryDraft
from jifen.members import idcard
from jifen.members.models import ID_CONTEXT, Member
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm
from jifen.workflow.items import scheme_of
from jifen.workflow.machine import WorkflowRefused

UID_NAMESPACE = uuid.UUID("6f1d4c0e-4a52-4f7e-9a55-3f0b6f0d1a11")
COL = {c.key: c for c in ENTRIES}


@dataclass(frozen=True)
class _Person:
    pk: int
    name: str
    branch_id: int
    category: str


@dataclass
class _Row:
    number: int
    key: str
    name: str
    item: str
    occurred_on: dt.date | None
    points: Decimal | None
    quantity: int | None
    honor_key: str
    note: str
    points_read: bool  # False when the points cell could not be read (already reported)


def validate_entries(
    *,
    actor: Any,
    organisation: Organisation,
    sheet: Sheet,
    sha256: str,
    today: dt.date,
    problems: Problems,
) -> list[EntryDraft]:
    """The drafts to post; when `problems` is not empty afterwards, nothing may be written."""
    index = columns_of(sheet, ENTRIES, problems)
    if index is None:
        return []
    memo = _Memo()
    rows = [_parse(number, Cells(index, values), memo, problems) for number, values in sheet.rows]
    people = _members(actor, organisation, {r.key for r in rows if r.key})
    schemes = _schemes({p.branch_id for p in people.values()})
    locks = _locks({p.branch_id for p in people.values()})
    drafts: list[EntryDraft] = []
    for row in rows:
        draft = _check(row, people, schemes, locks, today, sha256, memo, problems)
        if draft is not None:
            drafts.append(draft)
    return drafts


class _Memo:
    """Per-file memos: a year of entries names a few hundred members, 365 dates and a few
    dozen items in 100,000 rows, so each distinct ID number is validated and hashed once
    (the blind index is an HMAC), each distinct date cell parsed once, each item looked
    up and each combination of item and values checked by the engine once."""

    def __init__(self) -> None:
        self.keys: dict[str, str | idcard.InvalidIdNumber] = {}
        self.dates: dict[Any, dt.date | BadValue] = {}
        self.checked: dict[tuple[Any, ...], list[str]] = {}
        self.items: dict[tuple[int, str], Item | None] = {}

    def key(self, raw: str) -> str:
        found = self.keys.get(raw)
        if found is None:
            try:
                found = crypto.blind_index(idcard.validate(raw), context=ID_CONTEXT)
            except idcard.InvalidIdNumber as error:
                found = error
            self.keys[raw] = found
        if isinstance(found, Exception):
            raise found
        return found

    def rules(
        self, scheme: Scheme, item: Item, points: Decimal | None, quantity: int, honored: bool
    ) -> list[str]:
        """The engine's objections to an entry of `item` with these values. They depend
        on nothing else of the row (the date's year is the year checked against), and a
        file repeats a few dozen combinations: each is asked once."""
        key = (id(scheme), item.code, points, quantity, honored)
        found = self.checked.get(key)
        if found is None:
            entry = Entry(
                member="-", occurred_on=dt.date(2000, 1, 1), item=item.code, points=points,
                quantity=quantity, honor_key="h" if honored else "",
            )  # fmt: skip
            found = self.checked[key] = entry_problems(scheme, entry, 2000, None)
        return found

    def item(self, scheme: Scheme, value: str) -> Item | None:
        """An item of `scheme` by code, or by its full name when only one item has it."""
        key = (id(scheme), value)
        if key not in self.items:
            found = scheme.item(value)
            if found is None:
                named = [i for i in scheme.items if text(i.name) == value]
                found = named[0] if len(named) == 1 else None
            self.items[key] = found
        return self.items[key]

    def date(self, value: Any) -> dt.date:
        found = self.dates.get(value)
        if found is None:
            try:
                found = parse_date(value)
            except BadValue as error:
                found = error
            self.dates[value] = found
        if isinstance(found, Exception):
            raise found
        return found


def _parse(number: int, cells: Cells, memo: _Memo, problems: Problems) -> _Row:
    key = ""
    raw_id = problems.read(number, COL["id_number"], id_text, cells["id_number"])
    if raw_id == "":
        problems.add(number, COL["id_number"].title, "身份证号为空")
    elif raw_id is not None:
        try:
            key = memo.key(raw_id)
        except idcard.InvalidIdNumber as error:
            problems.add(number, COL["id_number"].title, str(error))
    item = text(cells["item"])
    if not item:
        problems.add(number, COL["item"].title, "积分项目为空")
    note = text(cells["note"])
    if len(note) > 500:
        problems.add(number, COL["note"].title, f"事由最多 500 字，实际 {len(note)} 字")
    honor_key = text(cells["honor_key"])
    if len(honor_key) > 64:
        problems.add(number, COL["honor_key"].title, "荣誉名称最多 64 字")
    points_cell = cells["points"]
    points = problems.read(number, COL["points"], parse_points, points_cell)
    return _Row(
        number=number,
        key=key,
        name=compact(cells["name"]),
        item=item,
        occurred_on=problems.read(number, COL["occurred_on"], memo.date, cells["occurred_on"]),
        points=points,
        quantity=problems.read(number, COL["quantity"], parse_count, cells["quantity"]),
        honor_key=honor_key,
        note=note,
        points_read=points is not None or _empty(points_cell),
    )


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not compact(value))


def _column_of(reason: str) -> str:
    """Which column an engine message is about."""
    for word, key in (("数量", "quantity"), ("荣誉", "honor_key"), ("日期", "occurred_on")):
        if word in reason:
            return COL[key].title
    return COL["points"].title


def _members(actor: Any, organisation: Organisation, keys: set[str]) -> dict[str, _Person]:
    """Blind-index key → member, for members within reach: one query per chunk of keys."""
    allowed = reachable(actor, Perm.RECORD_ENTRY, organisation).values("pk")
    people: dict[str, _Person] = {}
    for chunk in chunked(sorted(keys)):
        for pk, key, name, branch_id, category in Member.objects.filter(
            tenant_id=organisation.tenant_id, id_number_index__in=chunk, branch__in=allowed
        ).values_list("pk", "id_number_index", "name", "branch_id", "category"):
            people[key] = _Person(pk, name, branch_id, category)
    return people


def _schemes(branch_ids: set[int]) -> dict[int, Scheme | None]:
    schemes: dict[int, Scheme | None] = {}
    for branch in Organisation.objects.filter(pk__in=branch_ids):
        try:
            schemes[branch.pk] = scheme_of(branch)
        except WorkflowRefused:
            schemes[branch.pk] = None  # reported on each of its rows
    return schemes


def _locks(branch_ids: set[int]) -> dict[int, list[tuple[dt.date, dt.date, str]]]:
    locks: dict[int, list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
    for org_id, start, end, label in Period.objects.filter(
        organisation_id__in=branch_ids, state__in=LOCKED_STATES
    ).values_list("organisation_id", "starts_on", "ends_on", "label"):
        locks[org_id].append((start, end, label))
    return locks


def _check(
    row: _Row,
    people: dict[str, _Person],
    schemes: dict[int, Scheme | None],
    locks: dict[int, list[tuple[dt.date, dt.date, str]]],
    today: dt.date,
    sha256: str,
    memo: _Memo,
    problems: Problems,
) -> EntryDraft | None:
    number = row.number
    person = people.get(row.key) if row.key else None
    if row.key and person is None:
        problems.add(
            number, COL["id_number"].title, "未找到该身份证号的党员，或该党员不在您管理的组织内"
        )
    if person is not None and row.name and row.name != person.name.replace(" ", ""):
        problems.add(number, COL["name"].title, f"姓名“{row.name}”与该身份证号的党员不一致")
    on = row.occurred_on
    if on is not None and on > today:
        problems.add(number, COL["occurred_on"].title, f"发生日期 {on} 晚于今天")
        on = None
    if person is not None and on is not None:
        for start, end, label in locks.get(person.branch_id, ()):
            if start <= on <= end:
                problems.add(
                    number, COL["occurred_on"].title, f"{on} 属于已归档的期间 {label}，不能再记入"
                )
                on = None
                break
    if person is None or not row.item:
        return None
    scheme = schemes.get(person.branch_id)
    if scheme is None:
        problems.add(number, "", "该党员所在支部未设置可用的积分办法")
        return None
    item = memo.item(scheme, row.item)
    if item is None:
        problems.add(number, COL["item"].title, f"积分办法“{scheme.name}”中没有项目“{row.item}”")
        return None
    if item.categories and person.category and person.category not in item.categories:
        problems.add(number, COL["item"].title, f"项目“{item.name}”不适用于该党员的类别")
        return None
    if on is None or row.quantity is None or not row.points_read:
        return None  # already reported; checking the rest would only repeat it
    found = memo.rules(scheme, item, row.points, row.quantity, bool(row.honor_key))
    for reason in found:
        problems.add(number, _column_of(reason), reason.replace("honor_key", "荣誉名称"))
    if found:
        return None
    return EntryDraft(
        member_id=person.pk,
        organisation_id=person.branch_id,
        item_code=item.code,
        points=row.points if row.points is not None else item.fixed_points,
        occurred_on=on,
        quantity=row.quantity,
        honor_key=row.honor_key,
        note=row.note,
        source=Source.IMPORT,
        uid=uuid.uuid5(UID_NAMESPACE, f"{sha256}:{number}"),
    )
