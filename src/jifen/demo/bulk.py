"""The large benchmark tenant (`jifen demo --members N`) and the bulk member path it needs.

Tenant BIG: committees of about 3,400 members, town-sized branches of about 30, all on
the s002 preset, 24 ledger entries per member in the demo year. Organisations, role
grants and periods go through their services one by one (a few thousand rows); members
go through `bulk_create_members`, which does what `create_member` does — permission,
validation, encryption of ID numbers and phones, the blind index, one audit row — for a
batch at a time; entries go through `post_entries` in batches of 10,000, month by month,
so the ledger fills in date order as a real one does. Each batch commits on its own: an
interrupted load lacks the final `demo.load` event, and the next run says so.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from jifen.core import crypto
from jifen.core.audit import Action, record
from jifen.demo.activity import S002_DEDUCTIONS, DemoYear, demo_year
from jifen.demo.builder import (
    LoadResult,
    LoginRow,
    Say,
    check_usernames,
    create_login,
    find_demo_tenant,
    login_rows,
)
from jifen.demo.names import PersonFactory, join_date
from jifen.demo.roster import LoginPlan
from jifen.engine.periods import spans_of_year
from jifen.ledger.services import EntryDraft, open_period, post_entries
from jifen.members import idcard
from jifen.members.models import ID_CONTEXT, PHONE_CONTEXT, Gender, Member, MemberStatus
from jifen.members.services import PHONE_PATTERN, require
from jifen.orgs.models import MEMBER_HOLDING_KINDS, Organisation, OrgKind, Role, Sector
from jifen.orgs.permissions import Perm
from jifen.orgs.services import create_organisation, grant_role

BIG_TENANT_CODE = "BIG"
BIG_SEED = 20261231
MAX_MEMBERS = 2_000_000
BRANCH_SIZE = 30
COMMITTEE_SIZE = 3_400
ENTRIES_PER_MEMBER = 24
ENTRY_BATCH = 10_000
MEMBER_BATCH = 5_000

TOWNS = (
    "纸坊", "金口", "郑店", "五里界", "山坡", "安山", "湖泗", "舒安", "法泗", "乌龙泉",
    "前川", "祁家湾", "横店", "天河", "滠口", "武湖", "罗汉寺", "王家河", "长轩岭", "李家集",
    "邾城", "阳逻", "仓埠", "汪集", "李集", "三店", "潘塘", "旧街", "双柳", "涨渡湖",
    "奓山", "永安", "侏儒山", "消泗", "索河", "玉贤", "张湾", "大集", "新农", "常福",
)  # fmt: skip
FIRMS = (
    "江城", "楚天", "长江", "汉江", "东湖", "光谷", "黄鹤", "晴川", "龟山", "知音",
    "荆楚", "江汉", "古琴台", "月湖", "南湖", "汤逊湖", "九峰", "白沙", "青菱", "鹦鹉洲",
)  # fmt: skip
TRADES = (
    "建材", "物流", "机械", "电子", "食品", "医药", "纺织", "印务", "建设", "科技",
    "环保", "能源", "置业", "商贸", "汽配", "钢构", "包装", "农业", "水务", "信息",
)  # fmt: skip

BIG_LOGINS = (
    LoginPlan("big-district", Role.COMMITTEE, "district", "大型演示区委组织部"),
    LoginPlan("big-keeper", Role.SCOREKEEPER, "first-branch", "积分员"),
)


# --- the bulk member path -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberRow:
    branch: Organisation
    name: str
    gender: str
    id_number: str = ""
    phone: str = ""
    status: str = MemberStatus.FULL
    join_date: dt.date | None = None
    birth_date: dt.date | None = None
    category: str = ""


@transaction.atomic
def bulk_create_members(*, actor: Any, rows: Sequence[MemberRow]) -> list[Member]:
    """`create_member` for many rows at once, all or nothing: the same checks, the same
    encryption, one audit row for the batch. Members are not append-only; bulk_create is
    only a faster insert of what create_member would write."""
    if not rows:
        return []
    branches = {row.branch.pk: row.branch for row in rows}
    tenants = {branch.tenant_id for branch in branches.values()}
    if len(tenants) != 1:
        raise ValidationError("一批党员须属于同一租户")
    for branch in branches.values():
        require(actor, Perm.CHANGE_MEMBER, branch)
        if branch.kind not in MEMBER_HOLDING_KINDS:
            raise ValidationError({"branch": f"{branch.name} 不是党支部或党总支"})
    (tenant_id,) = tenants
    members: list[Member] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        members.append(_member(number, tenant_id, row))
        index = members[-1].id_number_index
        if index and index in seen:
            raise ValidationError(f"第 {number} 行：身份证号与本批其他党员重复")
        seen.add(index)
    indexes = [index for index in seen if index]
    for start in range(0, len(indexes), 900):
        if Member.objects.filter(
            tenant_id=tenant_id, id_number_index__in=indexes[start : start + 900]
        ).exists():
            raise ValidationError("本批中有身份证号与已有党员重复")
    created = Member.objects.bulk_create(members, batch_size=1000)
    record(
        Action.MEMBER_CREATE,
        actor=actor,
        tenant_id=tenant_id,
        summary=f"批量创建 {len(created)} 名党员",
        changes={"count": len(created), "branches": len(branches)},
    )
    return created


def _member(number: int, tenant_id: int, row: MemberRow) -> Member:
    if row.gender not in Gender.values:
        raise ValidationError(f"第 {number} 行：性别应为 {'/'.join(Gender.values)}")
    if row.status not in MemberStatus.values:
        raise ValidationError(f"第 {number} 行：未知的党员状态 {row.status!r}")
    member = Member(
        tenant_id=tenant_id,
        branch=row.branch,
        name=row.name.strip(),
        gender=row.gender,
        birth_date=row.birth_date,
        status=row.status,
        join_date=row.join_date,
        category=row.category,
    )
    if row.id_number:
        try:
            id_number = idcard.validate(row.id_number)
        except idcard.InvalidIdNumber as error:
            raise ValidationError(f"第 {number} 行：{error}") from error
        member.id_number_cipher = crypto.encrypt(id_number, context=ID_CONTEXT)
        member.id_number_index = crypto.blind_index(id_number, context=ID_CONTEXT)
        member.id_number_masked = idcard.mask(id_number)
        member.birth_date = member.birth_date or idcard.birth_date(id_number)
    if row.phone:
        phone = idcard.normalise(row.phone).replace("-", "")
        if not PHONE_PATTERN.match(phone):
            raise ValidationError(f"第 {number} 行：手机号应为以 1 开头的 11 位数字")
        member.phone_cipher = crypto.encrypt(phone, context=PHONE_CONTEXT)
        member.phone_masked = idcard.mask_phone(phone)
    return member


# --- the BIG tenant -----------------------------------------------------------------------


def layout(members: int) -> list[list[int]]:
    """Branch sizes grouped by committee: branches of ~30, committees of ~3,400."""
    branch_count = max(1, round(members / BRANCH_SIZE))
    base, extra = divmod(members, branch_count)
    sizes = [base + (1 if i < extra else 0) for i in range(branch_count)]
    committee_count = max(1, round(members / COMMITTEE_SIZE))
    per = math.ceil(branch_count / committee_count)
    return [sizes[i : i + per] for i in range(0, branch_count, per)]


def load_big(*, members: int, today: dt.date | None = None, say: Say = print) -> LoadResult:
    year = demo_year(today or timezone.localdate())
    existing = find_demo_tenant(BIG_TENANT_CODE)
    if existing is not None:
        have = Member.objects.filter(tenant=existing).count()
        if have != members:
            say(
                f"已有的 {BIG_TENANT_CODE} 租户有 {have:,} 名党员（本次要求 {members:,}）；"
                f"其他规模请在新的数据库中生成。 (The existing {BIG_TENANT_CODE} tenant has "
                f"{have:,} members, not {members:,}; use a fresh database for another size.)"
            )
        return LoadResult(existing, False, _login_rows(existing))
    check_usernames([plan.username for plan in BIG_LOGINS])
    started = time.monotonic()
    rng = random.Random(BIG_SEED)
    say(f"大型演示租户 {BIG_TENANT_CODE}：{members:,} 名党员，演示年度 {year.first} – {year.last}")
    with transaction.atomic():
        tenant, branches = _organisations(layout(members))
        say(f"  组织 {len(branches):,} 个支部已创建 ({time.monotonic() - started:.1f} s)")
        member_ids = _members(rng, branches, year, say, started)
        orgs = {"district": tenant, "first-branch": branches[0][0]}
        for plan in BIG_LOGINS:
            grant_role(
                actor=None,
                user=create_login(plan),
                role=plan.role,
                organisation=orgs[plan.organisation],
            )
        for branch, _size in branches:
            for span in spans_of_year("quarter", year.year):
                open_period(
                    actor=None,
                    organisation=branch,
                    label=span.key,
                    starts_on=span.start,
                    ends_on=span.end,
                )
        say(f"  积分期间已开启 periods opened ({time.monotonic() - started:.1f} s)")
    with large_page_cache():
        count = _entries(rng, tenant, member_ids, year, say, started)
    record(
        Action.DEMO_LOAD,
        actor=None,
        target=tenant,
        tenant_id=tenant.pk,
        summary=f"大型演示数据 {tenant.name} ({tenant.code})",
        changes={"kind": "big", "members": members, "entries": count, "year": year.year},
    )
    return LoadResult(tenant, True, _login_rows(tenant), time.monotonic() - started)


@contextmanager
def large_page_cache(kib: int = 524_288) -> Iterator[None]:
    """SQLite keeps 2 MB of pages per connection by default; the ledger's indexes on member
    and date take scattered pages, so a month of entries needs far more to be written once.
    The cache grows only as pages are used and is set back afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _login_rows(tenant: Organisation) -> list[LoginRow]:
    first = Organisation.objects.filter(tenant=tenant, kind=OrgKind.BRANCH).order_by("code").first()
    return login_rows(list(BIG_LOGINS), {"district": tenant, "first-branch": first or tenant})


def _organisations(
    committees: list[list[int]],
) -> tuple[Organisation, list[tuple[Organisation, int]]]:
    tenant = create_organisation(
        actor=None, name="大型演示区委", code=BIG_TENANT_CODE, kind=OrgKind.DISTRICT, leader_name=""
    )
    branches: list[tuple[Organisation, int]] = []
    number = 0
    for c, sizes in enumerate(committees, start=1):
        town = TOWNS[(c - 1) % len(TOWNS)] + ("" if c <= len(TOWNS) else str(c))
        committee = create_organisation(
            actor=None,
            name=f"{town}街道党工委",
            code=f"{BIG_TENANT_CODE}-{c:02d}",
            kind=OrgKind.WORKING_COMMITTEE,
            parent=tenant,
        )
        for b, size in enumerate(sizes, start=1):
            firm = FIRMS[number % len(FIRMS)] + TRADES[(number // len(FIRMS)) % len(TRADES)]
            number += 1
            branch = create_organisation(
                actor=None,
                name=f"{town}{firm}有限公司党支部",
                code=f"{committee.code}-{b:03d}",
                kind=OrgKind.BRANCH,
                parent=committee,
                sector=Sector.COMPANY,
                scheme_code="s002",
            )
            branches.append((branch, size))
    return tenant, branches


def _members(
    rng: random.Random,
    branches: list[tuple[Organisation, int]],
    year: DemoYear,
    say: Say,
    started: float,
) -> list[tuple[int, int]]:
    """(member id, branch id) of every member, in branch order."""
    people = PersonFactory(rng)
    pending: list[MemberRow] = []
    created: list[tuple[int, int]] = []
    total = sum(size for _branch, size in branches)

    def flush() -> None:
        created.extend((m.pk, m.branch_id) for m in bulk_create_members(actor=None, rows=pending))
        pending.clear()
        say(f"  党员 {len(created):,}/{total:,} ({time.monotonic() - started:.1f} s)")

    for branch, size in branches:
        for _ in range(size):
            person = people.person(born_from=1960, born_to=2003, female_share=0.3)
            probationary = rng.random() < 0.04 and person.birth_date.year >= 1980
            pending.append(
                MemberRow(
                    branch=branch,
                    name=person.name,
                    gender=person.gender,
                    id_number=person.id_number,
                    phone=person.phone,
                    status=MemberStatus.PROBATIONARY if probationary else MemberStatus.FULL,
                    join_date=(
                        year.last - dt.timedelta(days=rng.randint(20, 340))
                        if probationary
                        else join_date(rng, person.birth_date, year.last)
                    ),
                    birth_date=person.birth_date,
                )
            )
        if len(pending) >= MEMBER_BATCH:
            flush()
    if pending:
        flush()
    return created


def _entries(
    rng: random.Random,
    tenant: Organisation,
    member_ids: list[tuple[int, int]],
    year: DemoYear,
    say: Say,
    started: float,
) -> int:
    """24 entries per member, spread over the demo year, posted month by month in date
    order. Day offsets are kept in compact arrays per month rather than 2.4M objects."""
    first = year.first.toordinal()
    span = year.last.toordinal() - first + 1
    months: dict[int, tuple[array[int], array[int]]] = {}
    for number in range(len(member_ids)):
        for offset in (rng.randrange(span) for _ in range(ENTRIES_PER_MEMBER)):
            month = dt.date.fromordinal(first + offset).month
            who, when = months.setdefault(month, (array("I"), array("H")))
            who.append(number)
            when.append(offset)
    codes = [code for code, _p, _w, _n in S002_DEDUCTIONS]
    weights = [w for _c, _p, w, _n in S002_DEDUCTIONS]
    points = {code: p if p is not None else Decimal(-1) for code, p, _w, _n in S002_DEDUCTIONS}
    notes = {code: n for code, _p, _w, n in S002_DEDUCTIONS}
    honor_key = f"{year.year}-优秀共产党员"
    days = [dt.date.fromordinal(first + offset) for offset in range(span)]
    posted = 0
    for month in sorted(months):
        who, when = months[month]
        order = sorted(range(len(who)), key=lambda i: (when[i], who[i]))
        items = rng.choices(codes, weights, k=len(order))
        drafts: list[EntryDraft] = []
        for i, code in zip(order, items, strict=True):
            member_id, branch_id = member_ids[who[i]]
            if rng.random() < 0.004:  # one member in ten is honored by the company once
                draft = EntryDraft(
                    member_id=member_id,
                    organisation_id=branch_id,
                    item_code="honor_company",
                    points=Decimal(1),
                    occurred_on=days[when[i]],
                    honor_key=honor_key,
                    note="公司优秀共产党员",
                    source="declaration",
                )
            else:
                draft = EntryDraft(
                    member_id=member_id,
                    organisation_id=branch_id,
                    item_code=code,
                    points=points[code],
                    occurred_on=days[when[i]],
                    note=notes[code],
                )
            drafts.append(draft)
        # One commit per month: each batch is still its own post_entries call (a savepoint),
        # but the index pages a month of scattered members touches go to disk once.
        with transaction.atomic():
            for start in range(0, len(drafts), ENTRY_BATCH):
                batch = drafts[start : start + ENTRY_BATCH]
                posted += post_entries(
                    actor=None,
                    tenant_id=tenant.pk,
                    drafts=batch,
                    summary=f"{year.year}年{month}月积分登记（性能测试）",
                ).count
        elapsed = time.monotonic() - started
        say(f"  {year.year}-{month:02d}: 累计台账记录 {posted:,} 条 ({elapsed:.1f} s)")
    return posted
