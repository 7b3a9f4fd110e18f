"""Meetings: create one, keep its attendance, post the entries the attendance produces.

Posting is a reconciliation under the meeting's row lock (PostgreSQL; SQLite's IMMEDIATE
transactions serialise writers anyway): for every member, the item the attendance now
prescribes (`config.item_for`) is compared with the meeting's entry still standing. Equal:
nothing is written — so posting twice posts once. Different: the standing entry is reversed
(`reverse_entry`, with the reason) and the new one posted. The ledger is never edited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jifen.core.audit import record
from jifen.engine.scheme import Item
from jifen.ledger.models import LedgerEntry, Source
from jifen.ledger.services import EntryDraft, LedgerRefused, post_entries, reverse_entry
from jifen.meetings import config, events
from jifen.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingEntry, MeetingKind
from jifen.members.models import Member
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, has_org_perm
from jifen.workflow.items import scheme_of
from jifen.workflow.machine import WorkflowForbidden, WorkflowRefused, message


def _user(actor: Any) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _require_keeper(actor: Any, branch_id: int) -> None:
    if actor is not None and not has_org_perm(actor, Perm.RECORD_ENTRY, branch_id):
        raise WorkflowForbidden("无权限管理该支部的会议")


@transaction.atomic
def create_meeting(
    *,
    actor: Any,
    branch: Organisation,
    kind: str,
    held_on: dt.date,
    title: str,
    notes: str = "",
    idempotency_key: uuid.UUID,
    today: dt.date,
) -> Meeting:
    _require_keeper(actor, branch.pk)
    existing = Meeting.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.branch_id != branch.pk:
            raise WorkflowRefused("表单标识已用于另一次会议，请刷新页面后重新填写")
        return existing  # the same form again
    if kind not in MeetingKind.values:
        raise WorkflowRefused(f"未知的会议类型 {kind!r}")
    if held_on > today:
        raise WorkflowRefused(f"会议日期 {held_on} 晚于今天：请在会后登记")
    if not title.strip():
        raise WorkflowRefused("请填写会议主题")
    meeting = Meeting.objects.create(
        tenant_id=branch.tenant_id, branch=branch, kind=kind, held_on=held_on,
        title=title.strip()[:200], notes=notes.strip(), idempotency_key=idempotency_key,
        created_by=_user(actor),
    )  # fmt: skip
    record(
        events.MEETING_CREATE, actor=actor, target=meeting, tenant_id=branch.tenant_id,
        summary=f"{held_on} {meeting.get_kind_display()} {meeting.title}",
    )  # fmt: skip
    return meeting


def sheet_members(meeting: Meeting) -> QuerySet[Member]:
    """Who belongs on the attendance sheet: the branch's members under management on the
    day, and anyone already recorded (a member who has since moved stays on the sheet)."""
    from django.db.models import Q

    managed = Q(branch_id=meeting.branch_id) & (
        Q(managed_to__isnull=True) | Q(managed_to__gte=meeting.held_on)
    )
    recorded = Q(pk__in=Attendance.objects.filter(meeting=meeting).values("member_id"))
    return Member.objects.filter(managed | recorded).order_by("name", "id")


@transaction.atomic
def save_attendance(*, actor: Any, meeting: Meeting, statuses: dict[int, str]) -> int:
    """Record (or correct) the attendance of the sheet's members; returns how many rows
    changed. Points are not touched: `post_attendance` does that, explicitly."""
    _require_keeper(actor, meeting.branch_id)
    allowed = set(sheet_members(meeting).values_list("pk", flat=True))
    if unknown := set(statuses) - allowed:
        raise WorkflowRefused(f"有 {len(unknown)} 名党员不在本次会议的考勤名单中，请刷新后重试")
    if bad := {s for s in statuses.values() if s not in AttendanceStatus.values}:
        raise WorkflowRefused(f"未知的出勤情况：{'、'.join(sorted(bad))}")
    current = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    new = [
        Attendance(tenant_id=meeting.tenant_id, meeting=meeting, member_id=pk, status=status)
        for pk, status in statuses.items()
        if pk not in current
    ]
    changed = []
    for pk, status in statuses.items():
        row = current.get(pk)
        if row is not None and row.status != status:
            changes_from = row.status
            row.status = status
            changed.append((row, changes_from))
    Attendance.objects.bulk_create(new)
    Attendance.objects.bulk_update([row for row, _ in changed], ["status"])
    Meeting.objects.filter(pk=meeting.pk).update(attendance_saved_at=timezone.now())
    if new or changed:
        record(
            events.MEETING_ATTENDANCE, actor=actor, target=meeting, tenant_id=meeting.tenant_id,
            summary=f"考勤：新登记 {len(new)} 人，更正 {len(changed)} 人",
            changes={"corrected": {str(r.member_id): [old, r.status] for r, old in changed}},
        )  # fmt: skip
    return len(new) + len(changed)


@dataclass(frozen=True)
class Posted:
    posted: int
    reversed: int

    @property
    def nothing(self) -> bool:
        return not self.posted and not self.reversed


def standing_entries(meeting: Meeting) -> dict[int, LedgerEntry]:
    """member → the meeting's entry that is neither a reversal nor reversed."""
    rows = LedgerEntry.objects.filter(
        pk__in=MeetingEntry.objects.filter(meeting=meeting).values("entry_id"),
        reverses__isnull=True,
        reversals__isnull=True,
    )
    return {entry.member_id: entry for entry in rows}


def meeting_rules(meeting: Meeting) -> dict[str, Item]:
    """status → item under the branch's scheme in force on the meeting's day."""
    try:
        scheme = scheme_of(meeting.branch, on=meeting.held_on)
    except WorkflowRefused:
        return {}  # the branch has no scheme: attendance is recorded, nothing is scored
    return config.rules_for(scheme, meeting.kind)


def prescribed(meeting: Meeting) -> dict[int, tuple[str, Any]]:
    """member → (item code, points) the attendance prescribes; members with none left out."""
    rules = meeting_rules(meeting)
    return {
        member_id: (rules[status].code, rules[status].fixed_points)
        for member_id, status in Attendance.objects.filter(meeting=meeting).values_list(
            "member_id", "status"
        )
        if status in rules
    }


def post_attendance(*, actor: Any, meeting: Meeting, today: dt.date) -> Posted:
    """登记积分: bring the meeting's ledger entries in line with its attendance."""
    _require_keeper(actor, meeting.branch_id)
    if not Attendance.objects.filter(meeting=meeting).exists():
        raise WorkflowRefused("请先登记考勤，再登记积分")
    if meeting.held_on > today:
        raise WorkflowRefused(f"会议日期 {meeting.held_on} 晚于今天")
    try:
        with transaction.atomic():
            Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
            result = _reconcile(actor, meeting)
    except LedgerRefused as error:
        raise WorkflowRefused(message(error)) from error
    except PermissionDenied as error:
        raise WorkflowForbidden(str(error)) from error
    meeting.refresh_from_db()
    return result


def _reconcile(actor: Any, meeting: Meeting) -> Posted:
    wanted = prescribed(meeting)
    standing = standing_entries(meeting)
    stale = [
        entry for member_id, entry in standing.items()
        if wanted.get(member_id) != (entry.item_code, entry.points)
    ]  # fmt: skip
    fresh = [
        (member_id, code, points)
        for member_id, (code, points) in sorted(wanted.items())
        if member_id not in standing or standing[member_id] in stale
    ]
    if not stale and not fresh:
        Meeting.objects.filter(pk=meeting.pk, posted_at__isnull=True).update(
            posted_at=timezone.now()
        )
        return Posted(posted=0, reversed=0)  # already in line: nothing to write
    links: list[LedgerEntry] = []
    for entry in stale:
        links.append(
            reverse_entry(actor=actor, entry=entry, reason=f"会议考勤更正：{meeting}"[:500])
        )
    if fresh:
        drafts = [
            EntryDraft(
                member_id=member_id,
                organisation_id=meeting.branch_id,
                item_code=code,
                points=points,
                occurred_on=meeting.held_on,
                note=f"{meeting.get_kind_display()}：{meeting.title}"[:500],
                source=Source.ATTENDANCE,
                uid=uuid.uuid4(),
            )  # fmt: skip
            for member_id, code, points in fresh
        ]
        post_entries(
            actor=actor, tenant_id=meeting.tenant_id, drafts=drafts,
            summary=f"会议考勤积分 {meeting}"[:300],
        )  # fmt: skip
        links.extend(LedgerEntry.objects.filter(uid__in=[d.uid for d in drafts]))
    MeetingEntry.objects.bulk_create(
        [MeetingEntry(tenant_id=meeting.tenant_id, meeting=meeting, entry=e) for e in links]
    )
    Meeting.objects.filter(pk=meeting.pk).update(posted_at=timezone.now())
    record(
        events.MEETING_POST, actor=actor, target=meeting, tenant_id=meeting.tenant_id,
        summary=f"登记会议积分：新记 {len(fresh)} 条，冲正 {len(stale)} 条",
        changes={"posted": len(fresh), "reversed": len(stale)},
    )  # fmt: skip
    return Posted(posted=len(fresh), reversed=len(stale))
