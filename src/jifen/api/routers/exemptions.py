"""Exemptions (可不纳入积分管理), as the exemption pages handle them: the scorekeeper
requests one for a member of the branch; the branch approves first, then the higher
committee files it (备案), by `jifen.members.services`. Anything else answers 404."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from jifen.api.idempotency import idempotent
from jifen.api.schemas import DateIn, Id, Pages, PathId, Reason, Short
from jifen.members.models import Exemption, ExemptionApproval, ExemptionState
from jifen.members.services import decide_exemption, request_exemption
from jifen.orgs.permissions import Perm, members_for, organisations_for
from jifen.workflow.machine import WorkflowRefused

router = Router(tags=["不纳入积分管理 (exemptions)"])
OPEN_STATES = (ExemptionState.REQUESTED, ExemptionState.BRANCH_APPROVED)


class ExemptionOut(Schema):
    id: int
    member_id: int
    member_name: str
    branch_id: int
    reason: str
    starts_on: dt.date
    ends_on: dt.date | None
    state: str
    requested_by: str | None
    requested_at: dt.datetime

    @staticmethod
    def resolve_member_name(e: Exemption) -> str:
        return e.member.name

    @staticmethod
    def resolve_branch_id(e: Exemption) -> int:
        return e.member.branch_id

    @staticmethod
    def resolve_requested_by(e: Exemption) -> str | None:
        return e.requested_by.get_username() if e.requested_by is not None else None


class ExemptionFilter(FilterSchema):
    state: Short | None = Field(None, description="requested/branch_approved/filed/rejected")
    member: Id | None = None

    def custom_expression(self) -> Q:
        q = Q()
        if self.state is not None:
            q &= Q(state=self.state)
        if self.member is not None:
            q &= Q(member_id=self.member)
        return q


class ExemptionIn(Schema):
    member_id: Id
    reason: Reason = Field(description="原因，如年老体弱、长期患病", max_length=200)
    starts_on: DateIn
    ends_on: DateIn | None = Field(None, description="截止日期；不填为长期")


class DecideIn(Schema):
    approve: bool = Field(description="true 同意，false 不同意")
    note: Short = Field("", description="理由：不同意时必填", max_length=200)


def _visible(request: HttpRequest) -> QuerySet[Exemption]:
    return Exemption.objects.filter(
        Q(member__branch__in=organisations_for(request.user, Perm.REQUEST_EXEMPTION))
        | Q(member__branch__parent__in=organisations_for(request.user, Perm.APPROVE_EXEMPTION))
    ).select_related("member", "member__branch", "requested_by")


def _level(request: HttpRequest, exemption: Exemption) -> str:
    """The approval the user may give now (the page's rule), or a refusal saying why."""
    branch = exemption.member.branch
    if exemption.state == ExemptionState.REQUESTED:
        if organisations_for(request.user, Perm.REQUEST_EXEMPTION).filter(pk=branch.pk).exists():
            return ExemptionApproval.Level.BRANCH
        raise WorkflowRefused("须先由支部审批同意，上级党组织才能备案")
    if exemption.state == ExemptionState.BRANCH_APPROVED and branch.parent_id is not None:
        above = organisations_for(request.user, Perm.APPROVE_EXEMPTION)
        if above.filter(pk=branch.parent_id).exists():
            return ExemptionApproval.Level.COMMITTEE
        raise WorkflowRefused("支部已同意，等待上级党组织备案")
    raise WorkflowRefused(f"该申请已办结（{exemption.get_state_display()}），不能再审批")


def _read(exemption_id: int) -> ExemptionOut:
    return ExemptionOut.from_orm(
        Exemption.objects.select_related("member", "requested_by").get(pk=exemption_id)
    )


@router.get("", response=list[ExemptionOut], summary="不纳入积分管理的申请（本支部及下级）")
@paginate(Pages)
def exemption_list(request: HttpRequest, filters: Query[ExemptionFilter]) -> QuerySet[Exemption]:
    return filters.filter(_visible(request)).order_by("-requested_at", "-id")


@router.get("/{exemption_id}", response=ExemptionOut, summary="申请详情")
def exemption_detail(request: HttpRequest, exemption_id: PathId) -> Exemption:
    exemption = _visible(request).filter(pk=exemption_id).first()
    if exemption is None:
        raise Http404("没有该申请，或无权查看")
    return exemption


@router.post(
    "", response={201: ExemptionOut},
    summary="申请某党员不纳入积分管理（支部积分员；需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def ask(request: HttpRequest, payload: ExemptionIn) -> tuple[int, ExemptionOut]:
    member = (
        members_for(request.user, Perm.REQUEST_EXEMPTION)
        .filter(pk=payload.member_id)
        .select_related("branch")
        .first()
    )
    if member is None:
        raise Http404("没有这名党员，或无权为其申请")
    if Exemption.objects.filter(
        member=member, state__in=OPEN_STATES, starts_on=payload.starts_on
    ).exists():
        raise WorkflowRefused("该党员已有同一起始日期、尚在审批中的申请")
    exemption = request_exemption(
        actor=request.user, member=member, reason=payload.reason,
        starts_on=payload.starts_on, ends_on=payload.ends_on,
    )  # fmt: skip
    return 201, _read(exemption.pk)


@router.post(
    "/{exemption_id}/decide", response=ExemptionOut,
    summary="审批：支部先同意，上级党组织再备案；不同意须写明理由（需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def decide(request: HttpRequest, exemption_id: PathId, payload: DecideIn) -> ExemptionOut:
    exemption = _visible(request).filter(pk=exemption_id).first()
    if exemption is None:
        raise Http404("没有该申请，或无权查看")
    if not payload.approve and not payload.note.strip():
        raise WorkflowRefused("不同意时请写明理由")
    decide_exemption(
        actor=request.user, exemption=exemption, level=_level(request, exemption),
        approve=payload.approve, note=payload.note.strip(),
    )  # fmt: skip
    return _read(exemption.pk)
