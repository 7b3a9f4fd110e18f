"""Meetings with attendance (三会一课, 主题党日, 组织生活会), as the scorekeeper's meeting
pages keep them: create, record the attendance, post the entries it prescribes
(`jifen.meetings.services`); meetings of other branches answer 404."""

import datetime as dt
import uuid

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from jifen.api.idempotency import idempotent
from jifen.api.routers.ledger import EntryOut
from jifen.api.schemas import DateIn, Description, Id, Note, Pages, PathId, Short
from jifen.ledger.models import LedgerEntry
from jifen.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from jifen.meetings.selectors import keeper_branches, meeting_entries, meetings_for
from jifen.meetings.services import create_meeting, post_attendance, save_attendance, sheet_members
from jifen.members.models import Member

router = Router(tags=["会议考勤 (meetings)"])


class MeetingOut(Schema):
    id: int
    branch_id: int
    branch_name: str
    kind: str
    kind_name: str
    held_on: dt.date
    title: str
    notes: str
    created_at: dt.datetime
    attendance_saved_at: dt.datetime | None
    posted_at: dt.datetime | None
    present: int | None = None
    on_leave: int | None = None
    absent: int | None = None

    @staticmethod
    def resolve_branch_name(m: Meeting) -> str:
        return m.branch.name

    @staticmethod
    def resolve_kind_name(m: Meeting) -> str:
        return str(m.get_kind_display())


class MeetingFilter(FilterSchema):
    branch: Id | None = None
    kind: Short | None = Field(None, description="会议类型代码")

    def custom_expression(self) -> Q:
        q = Q()
        if self.branch is not None:
            q &= Q(branch_id=self.branch)
        if self.kind is not None:
            q &= Q(kind=self.kind)
        return q


class MeetingIn(Schema):
    branch_id: Id
    kind: MeetingKind = Field(description="会议类型")
    held_on: DateIn = Field(description="会议日期，不晚于今天（会后登记）")
    title: Description = Field(description="会议主题", max_length=200)
    notes: Note = Field("", description="会议记录")


class SheetRow(Schema):
    member_id: int
    name: str
    status: str | None = Field(description="present/leave/absent，未登记为 null")


class AttendanceRow(Schema):
    member_id: Id
    status: AttendanceStatus


class AttendanceIn(Schema):
    attendance: list[AttendanceRow] = Field(min_length=1, max_length=2000)


class ChangedOut(Schema):
    changed: int


class PostedOut(Schema):
    posted: int
    reversed: int


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = meetings_for(request.user).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("没有该会议，或无权管理")
    return meeting


@router.get("", response=list[MeetingOut], summary="本支部的会议及出勤人数")
@paginate(Pages)
def meeting_list(request: HttpRequest, filters: Query[MeetingFilter]) -> QuerySet[Meeting]:
    return filters.filter(meetings_for(request.user)).order_by("-held_on", "-id")


@router.post("", response={201: MeetingOut}, summary="登记一次会议（需 Idempotency-Key）")
@idempotent
def create(request: HttpRequest, payload: MeetingIn) -> tuple[int, MeetingOut]:
    branch = keeper_branches(request.user).filter(pk=payload.branch_id).first()
    if branch is None:
        raise Http404("没有该支部，或无权登记会议")
    meeting = create_meeting(
        actor=request.user, branch=branch, kind=payload.kind, held_on=payload.held_on,
        title=payload.title, notes=payload.notes, idempotency_key=uuid.uuid4(),
        today=timezone.localdate(),
    )  # fmt: skip
    return 201, MeetingOut.from_orm(_meeting(request, meeting.pk))


@router.get("/{meeting_id}", response=MeetingOut, summary="会议详情")
def meeting_detail(request: HttpRequest, meeting_id: PathId) -> Meeting:
    return _meeting(request, meeting_id)


@router.get("/{meeting_id}/attendance", response=list[SheetRow], summary="考勤名单与每人出勤情况")
@paginate(Pages)
def sheet(request: HttpRequest, meeting_id: PathId) -> list[SheetRow]:
    meeting = _meeting(request, meeting_id)
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    members: QuerySet[Member] = sheet_members(meeting)
    return [
        SheetRow(member_id=pk, name=name, status=statuses.get(pk))
        for pk, name in members.values_list("pk", "name")
    ]


@router.post(
    "/{meeting_id}/attendance", response=ChangedOut,
    summary="登记或更正考勤（不改积分；需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def record_attendance(
    request: HttpRequest, meeting_id: PathId, payload: AttendanceIn
) -> ChangedOut:
    meeting = _meeting(request, meeting_id)
    statuses = {row.member_id: str(row.status) for row in payload.attendance}
    return ChangedOut(
        changed=save_attendance(actor=request.user, meeting=meeting, statuses=statuses)
    )


@router.post(
    "/{meeting_id}/post", response=PostedOut,
    summary="按考勤登记积分：与考勤不一致的记录冲正后重记，一致则不重复登记（需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def post(request: HttpRequest, meeting_id: PathId) -> PostedOut:
    meeting = _meeting(request, meeting_id)
    done = post_attendance(actor=request.user, meeting=meeting, today=timezone.localdate())
    return PostedOut(posted=done.posted, reversed=done.reversed)


@router.get(
    "/{meeting_id}/entries", response=list[EntryOut], summary="会议产生的台账记录（含冲正）"
)
@paginate(Pages)
def entries(request: HttpRequest, meeting_id: PathId) -> QuerySet[LedgerEntry]:
    meeting = _meeting(request, meeting_id)
    return meeting_entries(meeting).select_related("recorded_by")
