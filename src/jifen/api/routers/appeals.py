"""Appeals (申辩): the member files one in the publicity window and may ask the higher
committee to review a dismissal; the scorekeeper (or, escalated, the committee)
investigates, upholds with corrections, or dismisses — the pages' services and scopes."""

import datetime as dt
import uuid

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from jifen.api.auth import caller_id
from jifen.api.idempotency import idempotent
from jifen.api.schemas import Code, DateIn, HonorKey, Id, Pages, PathId, PointsIn, Reason, Short
from jifen.ledger.models import LedgerEntry, Period
from jifen.members.models import Member
from jifen.orgs.permissions import Perm, organisations_for
from jifen.workflow.models import Appeal, PeriodRecord
from jifen.workflow.selectors import appeals_to_handle
from jifen.workflow.services import (
    Correction,
    WorkflowForbidden,
    WorkflowRefused,
    dismiss_appeal,
    escalate_appeal,
    file_appeal,
    investigate_appeal,
    uphold_appeal,
)
from jifen.workflow.states import AppealState

router = Router(tags=["申辩 (appeals)"])


class AppealOut(Schema):
    id: int
    member_id: int
    member_name: str
    branch_id: int
    period_id: int
    period: str
    entry_id: int | None
    reason: str
    state: str
    filed_at: dt.datetime
    decided_on: dt.date | None
    decision_reason: str
    escalated_at: dt.datetime | None
    escalation_reason: str
    reviewed_at: dt.datetime | None
    review_reason: str
    reversal_id: int | None
    correction_id: int | None

    @staticmethod
    def resolve_member_name(a: Appeal) -> str:
        return a.member.name

    @staticmethod
    def resolve_period(a: Appeal) -> str:
        return a.period.label


class AppealFilter(FilterSchema):
    state: Short | None = Field(None, description="filed/investigating/upheld/dismissed/escalated")
    period: Id | None = None

    def custom_expression(self) -> Q:
        q = Q()
        if self.state is not None:
            q &= Q(state=self.state)
        if self.period is not None:
            q &= Q(period_id=self.period)
        return q


class AppealIn(Schema):
    period_id: Id = Field(description="对其结果提出申辩的期间")
    entry_id: Id | None = Field(None, description="可选：所涉台账记录（本人在该期间的记录）")
    reason: Reason = Field(description="申辩理由")


class UpholdIn(Schema):
    reason: Reason = Field(description="处理理由")
    reverse: bool = Field(False, description="冲正所涉台账记录")
    item_code: Code | None = Field(None, description="补记项目（与分值同时填写）")
    points: PointsIn | None = Field(None, description="补记分值")
    honor_key: HonorKey = Field("", description="补记荣誉类项目时的荣誉名称")
    occurred_on: DateIn | None = Field(
        None, description="更正记入日期：须属于进行中的期间；留空为今天"
    )


class ReasonIn(Schema):
    reason: Reason


def _handled(request: HttpRequest) -> QuerySet[Appeal]:
    """First instance for the branch's scorekeepers, escalated ones for the committee."""
    return Appeal.objects.filter(
        Q(branch__in=organisations_for(request.user, Perm.RECORD_ENTRY))
        | Q(
            state=AppealState.ESCALATED,
            branch__parent__in=organisations_for(request.user, Perm.AUDIT_FILING),
        )
    )


def _to_handle(request: HttpRequest, appeal_id: int) -> Appeal:
    appeal = (
        _handled(request)
        .filter(pk=appeal_id)
        .select_related("member", "period", "branch", "entry")
        .first()
    )
    if appeal is None:
        raise Http404("没有该申辩，或无权处理")
    return appeal


def _read(appeal_id: int) -> AppealOut:
    return AppealOut.from_orm(Appeal.objects.select_related("member", "period").get(pk=appeal_id))


def _me(request: HttpRequest) -> Member:
    member = Member.objects.filter(user_id=caller_id(request)).first()
    if member is None:
        raise WorkflowForbidden("只有党员本人可以提出申辩")
    return member


@router.post("", response={201: AppealOut}, summary="提出申辩（公示期内；需 Idempotency-Key）")
@idempotent
def file(request: HttpRequest, payload: AppealIn) -> tuple[int, AppealOut]:
    member = _me(request)
    # Only a period whose saved results include me: anything else is not disclosed.
    record = PeriodRecord.objects.filter(
        period_id=payload.period_id, snapshot__results__member=member
    ).first()
    if record is None:
        raise Http404("没有该期间的积分结果")
    period = Period.objects.get(pk=record.period_id)
    entry = None
    if payload.entry_id is not None:
        entry = LedgerEntry.objects.filter(pk=payload.entry_id, member=member).first()
        if entry is None:
            raise WorkflowRefused("所指的台账记录不是您在该期间的记录")
    appeal = file_appeal(
        actor=request.user, period=period, entry=entry, reason=payload.reason,
        idempotency_key=uuid.uuid4(), today=timezone.localdate(),
    )  # fmt: skip
    return 201, _read(appeal.pk)


@router.get("/mine", response=list[AppealOut], summary="我的申辩")
@paginate(Pages)
def my_appeals(request: HttpRequest, filters: Query[AppealFilter]) -> QuerySet[Appeal]:
    rows = Appeal.objects.filter(member__user_id=caller_id(request))
    return filters.filter(rows).select_related("member", "period").order_by("-filed_at", "-id")


@router.get("/to-handle", response=list[AppealOut], summary="待我处理的申辩（含上级复核）")
@paginate(Pages)
def to_handle(request: HttpRequest, filters: Query[AppealFilter]) -> QuerySet[Appeal]:
    rows = appeals_to_handle(request.user)
    return filters.filter(rows).select_related("member", "period")


@router.get("/{appeal_id}", response=AppealOut, summary="申辩详情（本人或处理人）")
def appeal_detail(request: HttpRequest, appeal_id: PathId) -> Appeal:
    appeal = (
        (Appeal.objects.filter(member__user_id=caller_id(request)) | _handled(request))
        .filter(pk=appeal_id)
        .select_related("member", "period")
        .first()
    )
    if appeal is None:
        raise Http404("没有该申辩，或无权查看")
    return appeal


@router.post(
    "/{appeal_id}/investigate", response=AppealOut, summary="开始核查（需 Idempotency-Key）"
)
@idempotent
def investigate(request: HttpRequest, appeal_id: PathId) -> AppealOut:
    appeal = _to_handle(request, appeal_id)
    investigate_appeal(actor=request.user, appeal=appeal)
    return _read(appeal.pk)


@router.post(
    "/{appeal_id}/uphold", response=AppealOut,
    summary="申辩成立：冲正所涉记录和/或补记积分（需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def uphold(request: HttpRequest, appeal_id: PathId, payload: UpholdIn) -> AppealOut:
    appeal = _to_handle(request, appeal_id)
    if (payload.item_code is None) != (payload.points is None):
        raise WorkflowRefused("补记积分须同时选择项目并填写分值")
    if payload.reverse and appeal.entry is None:
        raise WorkflowRefused("该申辩未指明台账记录，无可冲正的记录")
    if payload.occurred_on is not None and payload.occurred_on > timezone.localdate():
        raise WorkflowRefused(f"更正记入日期 {payload.occurred_on} 晚于今天")
    correction = (
        Correction(item_code=payload.item_code, points=payload.points, honor_key=payload.honor_key)
        if payload.item_code is not None and payload.points is not None
        else None
    )
    uphold_appeal(
        actor=request.user, appeal=appeal, reason=payload.reason, reverse=payload.reverse,
        correction=correction, occurred_on=payload.occurred_on, today=timezone.localdate(),
    )  # fmt: skip
    return _read(appeal.pk)


@router.post(
    "/{appeal_id}/dismiss",
    response=AppealOut,
    summary="申辩不成立，须写明理由（需 Idempotency-Key）",
)
@idempotent
def dismiss(request: HttpRequest, appeal_id: PathId, payload: ReasonIn) -> AppealOut:
    appeal = _to_handle(request, appeal_id)
    dismiss_appeal(
        actor=request.user, appeal=appeal, reason=payload.reason, today=timezone.localdate()
    )
    return _read(appeal.pk)


@router.post(
    "/{appeal_id}/escalate", response=AppealOut,
    summary="对不成立的决定申请上级党组织复核（本人；需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def escalate(request: HttpRequest, appeal_id: PathId, payload: ReasonIn) -> AppealOut:
    member = _me(request)
    appeal = (
        Appeal.objects.filter(pk=appeal_id, member=member)
        .select_related("branch", "member", "period")
        .first()
    )
    if appeal is None:
        raise Http404("没有该申辩")
    escalate_appeal(
        actor=request.user, appeal=appeal, reason=payload.reason, today=timezone.localdate()
    )
    return _read(appeal.pk)
