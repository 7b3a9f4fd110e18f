"""Declarations (申报): declare for myself, my list, the review list, approve (setting the
points) / reject / return — the pages' services and scopes."""

import datetime as dt
import uuid
from typing import Annotated

from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from jifen.api.auth import caller_id
from jifen.api.idempotency import idempotent
from jifen.api.schemas import (
    Code,
    DateIn,
    Description,
    HonorKey,
    Id,
    Note,
    Pages,
    PathId,
    PointsIn,
    Reason,
    Short,
    points,
)
from jifen.members.models import Member
from jifen.orgs.permissions import Perm, organisations_for
from jifen.workflow.models import Declaration
from jifen.workflow.selectors import declarations_of, declarations_to_review
from jifen.workflow.services import (
    WorkflowForbidden,
    approve_declaration,
    create_declaration,
    reject_declaration,
    return_declaration,
    submit_declaration,
    update_declaration,
)

router = Router(tags=["申报 (declarations)"])


class DeclarationIn(Schema):
    item_code: Code = Field(description="积分项目代码（本人可申报的项目）")
    occurred_on: DateIn = Field(description="发生日期，不晚于今天")
    description: Description = Field(description="事由")
    requested_points: PointsIn | None = Field(None, description="申报分值：分值可变的项目必填")
    quantity: int = Field(1, ge=1, le=1000, description="次数")
    honor_key: HonorKey = Field("", description="荣誉名称：荣誉类项目必填")


class DeclarationOut(Schema):
    id: int
    member_id: int
    member_name: str
    branch_id: int
    scheme_code: str
    item_code: str
    occurred_on: dt.date
    description: str
    requested_points: str | None
    points: str | None = Field(description="核定分值")
    quantity: int
    honor_key: str
    state: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision_reason: str
    ledger_entry_id: int | None
    evidence_count: int | None = None

    @staticmethod
    def resolve_member_name(d: Declaration) -> str:
        return d.member.name

    @staticmethod
    def resolve_requested_points(d: Declaration) -> str | None:
        return points(d.requested_points_hundredths)

    @staticmethod
    def resolve_points(d: Declaration) -> str | None:
        return points(d.points_hundredths)


class DeclarationFilter(FilterSchema):
    state: Annotated[Short | None, FilterLookup("state")] = None
    branch: Annotated[Id | None, FilterLookup("branch_id")] = None
    item: Annotated[Short | None, FilterLookup("item_code")] = None


class ApproveIn(Schema):
    points: PointsIn | None = Field(None, description="核定分值；留空则按申报分值或项目固定分值")
    note: Note = Field("", description="审核意见")


class ReasonIn(Schema):
    reason: Reason = Field(description="原因")


def _read(declaration_id: int) -> Declaration:
    return Declaration.objects.select_related("member").get(pk=declaration_id)


def _visible(request: HttpRequest) -> QuerySet[Declaration]:
    """Mine, or of a branch I review: anything else answers 404."""
    return declarations_of(request.user) | Declaration.objects.filter(
        branch__in=organisations_for(request.user, Perm.REVIEW_DECLARATION)
    )


def _to_review(request: HttpRequest, declaration_id: int) -> Declaration:
    declaration = (
        Declaration.objects.filter(
            pk=declaration_id, branch__in=organisations_for(request.user, Perm.REVIEW_DECLARATION)
        )
        .select_related("member", "branch")
        .first()
    )
    if declaration is None:
        raise Http404("没有该申报，或无权审核")
    return declaration


@router.post(
    "", response={201: DeclarationOut}, summary="本人申报（需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def declare(request: HttpRequest, payload: DeclarationIn) -> tuple[int, DeclarationOut]:
    member = Member.objects.filter(user_id=caller_id(request)).select_related("branch").first()
    if member is None:
        raise WorkflowForbidden("只有党员本人可以申报")
    declaration = create_declaration(
        actor=request.user, member=member, item_code=payload.item_code,
        occurred_on=payload.occurred_on, description=payload.description,
        # The API's own key makes the request idempotent; the form key is fresh each time.
        idempotency_key=uuid.uuid4(), requested_points=payload.requested_points,
        quantity=payload.quantity, honor_key=payload.honor_key.strip(),
        today=timezone.localdate(),
    )  # fmt: skip
    return 201, DeclarationOut.from_orm(_read(declaration.pk))


@router.post(
    "/{declaration_id}/resubmit",
    response=DeclarationOut,
    summary="修改草稿或已退回的申报并重新提交（本人；需 Idempotency-Key）",
)
@idempotent
def resubmit(
    request: HttpRequest, declaration_id: PathId, payload: DeclarationIn
) -> DeclarationOut:
    declaration = declarations_of(request.user).filter(pk=declaration_id).first()
    if declaration is None:
        raise Http404("没有该申报")
    # One transaction, as on the edit page: the change and the submission stand together.
    with transaction.atomic():
        update_declaration(
            actor=request.user, declaration=declaration, item_code=payload.item_code,
            occurred_on=payload.occurred_on, description=payload.description,
            requested_points=payload.requested_points,
            clear_points=payload.requested_points is None, quantity=payload.quantity,
            honor_key=payload.honor_key.strip(), today=timezone.localdate(),
        )  # fmt: skip
        submit_declaration(actor=request.user, declaration=declaration)
    return DeclarationOut.from_orm(_read(declaration.pk))


@router.get("/mine", response=list[DeclarationOut], summary="我的申报")
@paginate(Pages)
def my_declarations(
    request: HttpRequest, filters: Query[DeclarationFilter]
) -> QuerySet[Declaration]:
    rows = declarations_of(request.user).select_related("member")
    return (
        filters.filter(rows)
        .annotate(evidence_count=Count("evidence"))
        .order_by("-created_at", "-id")
    )


@router.get("/to-review", response=list[DeclarationOut], summary="待我审核的申报")
@paginate(Pages)
def to_review(request: HttpRequest, filters: Query[DeclarationFilter]) -> QuerySet[Declaration]:
    rows = declarations_to_review(request.user).select_related("member")
    return (
        filters.filter(rows)
        .annotate(evidence_count=Count("evidence"))
        .order_by("submitted_at", "id")
    )


@router.get("/{declaration_id}", response=DeclarationOut, summary="申报详情（本人或审核人）")
def declaration_detail(request: HttpRequest, declaration_id: PathId) -> Declaration:
    declaration = (
        _visible(request)
        .filter(pk=declaration_id)
        .select_related("member")
        .annotate(evidence_count=Count("evidence"))
        .first()
    )
    if declaration is None:
        raise Http404("没有该申报，或无权查看")
    return declaration


@router.post(
    "/{declaration_id}/approve", response=DeclarationOut,
    summary="审核通过并核定分值，记入台账（需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def approve(request: HttpRequest, declaration_id: PathId, payload: ApproveIn) -> DeclarationOut:
    declaration = _to_review(request, declaration_id)
    approve_declaration(
        actor=request.user, declaration=declaration, points=payload.points, note=payload.note,
        today=timezone.localdate(),
    )  # fmt: skip
    return DeclarationOut.from_orm(_read(declaration.pk))


@router.post(
    "/{declaration_id}/reject", response=DeclarationOut,
    summary="不予通过，须写明原因（需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def reject(request: HttpRequest, declaration_id: PathId, payload: ReasonIn) -> DeclarationOut:
    declaration = _to_review(request, declaration_id)
    reject_declaration(actor=request.user, declaration=declaration, reason=payload.reason)
    return DeclarationOut.from_orm(_read(declaration.pk))


@router.post(
    "/{declaration_id}/return", response=DeclarationOut,
    summary="退回申报人修改，须写明原因（需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def send_back(request: HttpRequest, declaration_id: PathId, payload: ReasonIn) -> DeclarationOut:
    declaration = _to_review(request, declaration_id)
    return_declaration(actor=request.user, declaration=declaration, reason=payload.reason)
    return DeclarationOut.from_orm(_read(declaration.pk))
