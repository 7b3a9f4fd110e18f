"""The one door for ledger writes: post entries, reverse one, lock periods.

Every function runs in one transaction that takes the tenant's chain head (a row lock on
PostgreSQL; SQLite's IMMEDIATE transactions already hold the write lock), appends the
entries with their hashes, moves the head and writes the audit row. Python checks come
first so that people get a clear message; the database triggers are the second line.
Batches go in with COPY (PostgreSQL) or executemany (SQLite): the chain costs a hash
per entry, not a round trip per entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jifen.core.audit import Action, record
from jifen.core.keys import LEDGER_KEY, get_key
from jifen.ledger import chain
from jifen.ledger.models import (
    LOCKED_STATES,
    ChainHead,
    LedgerEntry,
    Period,
    PeriodState,
    Source,
)
from jifen.ledger.points import BadPoints, from_hundredths, to_hundredths
from jifen.members.models import Member, MemberTransfer
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, has_org_perm


class LedgerRefused(ValidationError):
    """A write the ledger will not take; the message says why, in Chinese."""


@dataclass(frozen=True, slots=True)
class EntryDraft:
    member_id: int
    organisation_id: int
    item_code: str
    points: Decimal
    occurred_on: dt.date
    quantity: int = 1
    honor_key: str = ""
    note: str = ""
    source: str = Source.REGISTRATION
    evidence_sha256: str = ""
    uid: UUID | None = None
    approved_by_id: int | None = None
    reverses_id: int | None = None
    reverses_uid: UUID | None = None


@dataclass(frozen=True)
class PostedBatch:
    first_seq: int
    last_seq: int
    head_hash: str

    @property
    def count(self) -> int:
        return self.last_seq - self.first_seq + 1


COLUMNS = (
    "tenant_id", "seq", "uid", "member_id", "organisation_id", "item_code",
    "points_hundredths", "quantity", "occurred_on", "honor_key", "note", "evidence_sha256",
    "source", "reverses_id", "recorded_by_id", "approved_by_id", "recorded_at", "prev_hash",
    "entry_hash",
)  # fmt: skip


def post_entries(
    *, actor: Any, tenant_id: int, drafts: Sequence[EntryDraft], summary: str = ""
) -> PostedBatch:
    """Append `drafts` to the tenant's ledger, all or nothing."""
    if not drafts:
        raise LedgerRefused("没有要记录的积分")
    _check_drafts(actor, tenant_id, drafts)
    with transaction.atomic():
        head = _lock_head(tenant_id)
        batch = _append(actor, tenant_id, head, drafts)
        record(
            Action.LEDGER_POST,
            actor=actor,
            tenant_id=tenant_id,
            summary=summary or f"记录 {batch.count} 条积分",
            changes={"first_seq": batch.first_seq, "last_seq": batch.last_seq},
        )
    return batch


def post_entry(*, actor: Any, draft: EntryDraft) -> LedgerEntry:
    """Append one entry. With a `uid` already in the ledger, the same entry is returned
    (a retried form); the same uid with different content is refused."""
    member = Member.objects.get(pk=draft.member_id)
    uid = draft.uid or uuid4()
    if draft.uid is not None:
        existing = LedgerEntry.objects.filter(uid=uid).first()
        if existing is not None:
            return _same_or_refuse(existing, draft)
    try:
        post_entries(
            actor=actor,
            tenant_id=member.tenant_id,
            drafts=[replace(draft, uid=uid)],
            summary=f"{member.name} {draft.item_code} {draft.points}",
        )
    except IntegrityError:
        # A concurrent retry of the same uid won the race: answer as it was answered.
        existing = LedgerEntry.objects.filter(uid=uid).first()
        if existing is None:
            raise
        return _same_or_refuse(existing, draft)
    return LedgerEntry.objects.get(uid=uid)


def _same_or_refuse(existing: LedgerEntry, draft: EntryDraft) -> LedgerEntry:
    same = (
        existing.member_id == draft.member_id
        and existing.item_code == draft.item_code
        and existing.points_hundredths == to_hundredths(draft.points)
        and existing.quantity == draft.quantity
        and existing.occurred_on == draft.occurred_on
    )
    if not same:
        raise LedgerRefused(f"记录标识 {draft.uid} 已用于另一条不同的积分记录")
    return existing


def reverse_entry(
    *,
    actor: Any,
    entry: LedgerEntry,
    reason: str,
    occurred_on: dt.date | None = None,
    uid: UUID | None = None,
    approved_by: Any = None,
) -> LedgerEntry:
    """Append the reversing entry of `entry` (冲正). At most once per entry, whoever asks
    and however many ask at the same moment. `approved_by` names who decided it when that
    is not the actor (a committee's second-instance decision, written by the system)."""
    if not reason.strip():
        raise LedgerRefused("冲正必须填写原因")
    reversal_uid = uid or uuid4()
    if actor is not None and not has_org_perm(actor, Perm.RECORD_ENTRY, entry.organisation_id):
        raise PermissionDenied("无权限冲正该记录")
    with transaction.atomic():
        head = _lock_head(entry.tenant_id)
        if entry.reverses_id is not None:
            raise LedgerRefused(f"第 {entry.seq} 条本身是冲正记录，不能再冲正")
        if LedgerEntry.objects.filter(reverses_id=entry.pk).exists():
            raise LedgerRefused(f"第 {entry.seq} 条已经冲正过，不能重复冲正")
        on = occurred_on or entry.occurred_on
        locked = _locked_period(entry.organisation_id, on)
        if locked is not None:
            hint = (
                "" if occurred_on else "；原记录所在期间已归档，请为冲正指定一个未归档期间内的日期"
            )
            raise LedgerRefused(f"{on} 属于已归档的期间 {locked}{hint}")
        draft = EntryDraft(
            member_id=entry.member_id,
            organisation_id=entry.organisation_id,
            item_code=entry.item_code,
            points=-entry.points,
            quantity=entry.quantity,
            occurred_on=on,
            honor_key=entry.honor_key,
            note=reason.strip(),
            source=Source.CORRECTION,
            uid=reversal_uid,
            approved_by_id=approved_by.pk if approved_by is not None else None,
            reverses_id=entry.pk,
            reverses_uid=entry.uid,
        )
        _append(actor, entry.tenant_id, head, [draft])
        record(
            Action.LEDGER_REVERSE,
            actor=actor,
            target=entry,
            tenant_id=entry.tenant_id,
            summary=reason.strip()[:200],
            changes={"reverses_seq": entry.seq},
        )
    return LedgerEntry.objects.get(uid=reversal_uid)


# --- periods ------------------------------------------------------------------------------

PERIOD_FLOW = {
    PeriodState.OPEN: PeriodState.SUMMARISED,
    PeriodState.SUMMARISED: PeriodState.PUBLICISED,
    PeriodState.PUBLICISED: PeriodState.ARCHIVED,
    PeriodState.ARCHIVED: PeriodState.FILED,
}


@transaction.atomic
def open_period(
    *, actor: Any, organisation: Organisation, label: str, starts_on: dt.date, ends_on: dt.date
) -> Period:
    if actor is not None and not has_org_perm(actor, Perm.MANAGE_PERIOD, organisation):
        raise PermissionDenied("无权限管理该组织的积分期间")
    if ends_on < starts_on:
        raise LedgerRefused("期间的截止日期早于起始日期")
    period, created = Period.objects.get_or_create(
        organisation=organisation,
        label=label,
        defaults={"tenant_id": organisation.tenant_id, "starts_on": starts_on, "ends_on": ends_on},
    )
    if created:
        record(
            Action.PERIOD_CREATE,
            actor=actor,
            target=period,
            tenant_id=organisation.tenant_id,
            summary=f"{organisation.code} {label}",
        )
    return period


@transaction.atomic
def advance_period(*, actor: Any, period: Period, to: str) -> Period:
    """Move a period one step along open → summarised → publicised → archived → filed.
    The summary, publicity and filing work itself belongs to the workflow; this is the
    state and its lock."""
    if actor is not None and not has_org_perm(actor, Perm.MANAGE_PERIOD, period.organisation_id):
        raise PermissionDenied("无权限管理该组织的积分期间")
    expected = PERIOD_FLOW.get(PeriodState(period.state))
    if expected != to:
        raise LedgerRefused(
            f"期间 {period.label} 当前为“{period.get_state_display()}”，不能改为 {to}"
        )
    changed = Period.objects.filter(pk=period.pk, state=period.state).update(state=to)
    if changed != 1:
        raise LedgerRefused(f"期间 {period.label} 的状态已被他人修改，请刷新")
    record(
        Action.PERIOD_STATE,
        actor=actor,
        target=period,
        tenant_id=period.tenant_id,
        changes={"from": period.state, "to": to},
    )
    period.state = to
    return period


# --- internals ----------------------------------------------------------------------------


def _lock_head(tenant_id: int) -> ChainHead:
    ChainHead.objects.bulk_create(
        [ChainHead(tenant_id=tenant_id, seq=0, entry_hash=chain.GENESIS)], ignore_conflicts=True
    )
    return ChainHead.objects.select_for_update().get(tenant_id=tenant_id)


def _locked_period(organisation_id: int, on: dt.date) -> str | None:
    return (
        Period.objects.filter(
            organisation_id=organisation_id,
            state__in=LOCKED_STATES,
            starts_on__lte=on,
            ends_on__gte=on,
        )
        .values_list("label", flat=True)
        .first()
    )


def _check_drafts(actor: Any, tenant_id: int, drafts: Sequence[EntryDraft]) -> None:
    today = timezone.localdate()
    for number, draft in enumerate(drafts, start=1):
        where = f"第 {number} 条" if len(drafts) > 1 else ""
        try:
            to_hundredths(draft.points)
        except BadPoints as error:
            raise LedgerRefused(f"{where}{error}") from error
        if not draft.item_code or len(draft.item_code) > 64:
            raise LedgerRefused(f"{where}积分项目代码为空或过长")
        if draft.quantity < 1:
            raise LedgerRefused(f"{where}次数应至少为 1，实际为 {draft.quantity}")
        if not isinstance(draft.occurred_on, dt.date) or draft.occurred_on > today:
            raise LedgerRefused(f"{where}发生日期 {draft.occurred_on} 无效或晚于今天")
        if len(draft.honor_key) > 64:
            raise LedgerRefused(f"{where}荣誉标识过长")
        if any(ord(c) < 32 or ord(c) == 127 for c in draft.honor_key):
            # Also what lets the year-end scan separate its records by control characters.
            raise LedgerRefused(f"{where}荣誉标识含有控制字符")
    member_ids = {d.member_id for d in drafts}
    branch_of = dict(
        Member.objects.filter(tenant_id=tenant_id, pk__in=member_ids).values_list("pk", "branch_id")
    )
    if unknown := member_ids - set(branch_of):
        raise LedgerRefused(f"党员 {sorted(unknown)[:5]} 不存在或不属于该租户")
    # Points are earned in the member's branch, or in a branch they left after the act (a
    # late entry by the old branch); a grant on any other branch must not reach them.
    left: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for member_id, branch_id, until in MemberTransfer.objects.filter(
        member_id__in=member_ids
    ).values_list("member_id", "from_branch_id", "transferred_on"):
        left[member_id].append((branch_id, until))
    for number, draft in enumerate(drafts, start=1):
        if branch_of[draft.member_id] != draft.organisation_id and not any(
            branch_id == draft.organisation_id and draft.occurred_on < until
            for branch_id, until in left.get(draft.member_id, ())
        ):
            raise LedgerRefused(
                f"第 {number} 条：党员 {draft.member_id} 在 {draft.occurred_on} "
                f"不属于组织 {draft.organisation_id}"
            )
    org_ids = {d.organisation_id for d in drafts}
    known = set(
        Organisation.objects.filter(tenant_id=tenant_id, pk__in=org_ids).values_list(
            "pk", flat=True
        )
    )
    if unknown := org_ids - known:
        raise LedgerRefused(f"组织 {sorted(unknown)[:5]} 不存在或不属于该租户")
    if actor is not None:
        for org_id in org_ids:
            if not has_org_perm(actor, Perm.RECORD_ENTRY, org_id):
                raise PermissionDenied(f"无权限为组织 {org_id} 记录积分")
    locks: dict[int, list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
    for org_id, start, end, label in Period.objects.filter(
        organisation_id__in=org_ids, state__in=LOCKED_STATES
    ).values_list("organisation_id", "starts_on", "ends_on", "label"):
        locks[org_id].append((start, end, label))
    if locks:
        for number, draft in enumerate(drafts, start=1):
            for start, end, label in locks.get(draft.organisation_id, ()):
                if start <= draft.occurred_on <= end:
                    raise LedgerRefused(
                        f"第 {number} 条的发生日期 {draft.occurred_on} 属于已归档的期间 {label}，"
                        "不能再记入；更正请记在未归档的期间"
                    )


@dataclass
class _Tail:
    """The chain's end as the row generator advances it."""

    seq: int
    entry_hash: str


def _append(
    actor: Any, tenant_id: int, head: ChainHead, drafts: Sequence[EntryDraft]
) -> PostedBatch:
    key = get_key(LEDGER_KEY)
    recorded_at = timezone.now()
    recorded_by_id = actor.pk if actor is not None and actor.is_authenticated else None
    # The rows are generated while insert_rows streams them: on PostgreSQL the server
    # inserts row k while Python hashes row k+1, so the chain overlaps the COPY on a
    # second core instead of adding to it. `tail` follows the generator.
    tail = _Tail(head.seq, head.entry_hash)
    entry_hash, Fields = chain.entry_hash, chain.ChainFields

    def rows() -> Iterator[tuple[Any, ...]]:
        seq, prev = tail.seq, tail.entry_hash
        for draft in drafts:
            seq += 1
            uid = draft.uid or uuid4()
            hundredths = to_hundredths(draft.points)
            fields = Fields(
                tenant_id, seq, uid, draft.member_id, draft.organisation_id, draft.item_code,
                hundredths, draft.quantity, draft.occurred_on, draft.honor_key, draft.source,
                draft.evidence_sha256, draft.reverses_uid, recorded_by_id, draft.approved_by_id,
                recorded_at,
            )  # fmt: skip
            digest = entry_hash(key, fields, prev)
            yield (
                tenant_id, seq, uid, draft.member_id, draft.organisation_id, draft.item_code,
                hundredths, draft.quantity, draft.occurred_on, draft.honor_key, draft.note,
                draft.evidence_sha256, draft.source, draft.reverses_id, recorded_by_id,
                draft.approved_by_id, recorded_at, prev, digest,
            )  # fmt: skip
            prev = digest
            tail.seq, tail.entry_hash = seq, prev

    insert_rows(rows())
    if tail.seq != head.seq + len(drafts):
        raise RuntimeError("insert_rows stopped before the end of the batch")
    first = head.seq + 1
    head.seq, head.entry_hash = tail.seq, tail.entry_hash
    head.save(update_fields=["seq", "entry_hash"])
    return PostedBatch(first_seq=first, last_seq=head.seq, head_hash=head.entry_hash)


def insert_rows(rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert ledger rows (in COLUMNS order) in one statement stream. The bare insert the
    benchmark compares against calls this too."""
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor: COPY is its business
            # Django's wrapper turns psycopg's errors into django.db ones, as for execute().
            with connection.wrap_database_errors:
                with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        adapted: dict[Any, Any] = {}  # recorded_at is one value per batch: adapt it once

        def when(moment: Any) -> Any:
            if moment not in adapted:
                adapted[moment] = adapt(moment)
            return adapted[moment]

        placeholders = ", ".join(["%s"] * len(COLUMNS))
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})",
            [
                (
                    *row[:2],
                    row[2].hex,
                    *row[3:8],
                    row[8].isoformat(),
                    *row[9:16],
                    when(row[16]),
                    *row[17:],
                )  # fmt: skip
                for row in rows
            ],
        )


def balance(member: Member) -> Decimal:
    """Σ of a member's entries (reversals included), exact."""
    from django.db.models import F, Sum

    total = LedgerEntry.objects.filter(member=member).aggregate(
        s=Sum(F("points_hundredths") * F("quantity"))
    )["s"]
    return from_hundredths(total or 0)
