"""The year (年度评定) of a branch: the democratic appraisal, evaluate → grade → file, and
the handling of unqualified members, by `jifen.workflow.years`, as the year pages run it.
The scorekeeper acts; the committee above reads; others get 404."""

import datetime as dt
import uuid
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, FilterSchema, Path, Query, Router, Schema
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from jifen.api.idempotency import idempotent
from jifen.api.routers.periods import PeriodResultOut
from jifen.api.schemas import (
    DateIn,
    Id,
    Name,
    Note,
    Pages,
    PathId,
    PointsIn,
    ResultFilter,
    Short,
)
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, organisations_for
from jifen.scoring.models import MemberResult
from jifen.scoring.selectors import snapshot_results
from jifen.workflow.models import AppraisalRating, Handling, YearEvaluation, YearListEntry
from jifen.workflow.services import evaluate_year, file_year, grade_year
from jifen.workflow.states import YearListKind, YearState
from jifen.workflow.years import AppraisalInput, decide_handling, record_appraisal

router = Router(tags=["年度评定 (years)"])

Year = Annotated[int, Path(ge=2000, le=2100, description="年度")]


class YearOut(Schema):
    branch_id: int
    branch_name: str
    year: int
    state: str
    snapshot_id: int | None
    award_quota_percent: int | None
    evaluated_at: dt.datetime | None
    graded_at: dt.datetime | None
    filed_at: dt.datetime | None
    may_act: bool = Field(description="当前用户能否评定、定等、上报（积分员）")


class GradeIn(Schema):
    award_quota: int | None = Field(None, ge=0, le=100, description="评优比例（%），留空按默认")


class ListRow(Schema):
    id: int
    kind: str
    member_id: int
    member_name: str
    reason: str
    handling: str = Field(description="不合格党员的处置方式：correct/persuade/remove，未定为空")
    handling_helper: str
    handling_note: str
    handled_at: dt.datetime | None

    @staticmethod
    def resolve_member_name(row: YearListEntry) -> str:
        return row.member.name


class AppraisalRow(Schema):
    member_id: Id
    rating: AppraisalRating | Literal[""] = Field("", description="评议等次；空为清除")
    points: PointsIn | None = Field(None, description="评议得分（以得分计入的办法）")


class AppraisalIn(Schema):
    occurred_on: DateIn = Field(description="评议日期：在该年度内，不晚于今天")
    results: list[AppraisalRow] = Field(min_length=1, max_length=2000)


class AppraisalOut(Schema):
    state: str
    changed: int = Field(description="评议结果有变化的党员数")


class HandlingIn(Schema):
    handling: Handling = Field(description="correct 限期改正 / persuade 劝其退党 / remove 除名")
    helper: Name = Field("", description="帮教人：限期改正时必填")
    note: Note = Field("", description="处置说明")


class ListFilter(Schema):
    kind: YearListKind | None = Field(None, description="talk/award/unqualified/probationary")


def _year(request: HttpRequest, branch_id: int, year: int) -> tuple[YearEvaluation, bool]:
    """The branch's year (unsaved while not started) and whether the user may act on it."""
    branch = Organisation.objects.filter(pk=branch_id, kind="branch").first()
    managed = organisations_for(request.user, Perm.MANAGE_PERIOD).filter(pk=branch_id).exists()
    audits = organisations_for(request.user, Perm.AUDIT_FILING).filter(pk=branch_id).exists()
    if branch is None or not (managed or audits):
        raise Http404("没有该支部，或无权查看其年度评定")
    evaluation = YearEvaluation.objects.filter(branch=branch, year=year).first()
    if evaluation is None:
        evaluation = YearEvaluation(
            tenant_id=branch.tenant_id, branch=branch, year=year, state=YearState.OPEN
        )
    return evaluation, managed


def _acting(request: HttpRequest, branch_id: int, year: int) -> YearEvaluation:
    evaluation, managed = _year(request, branch_id, year)
    if not managed:
        raise PermissionDenied("上级党组织只能查看支部的年度评定")
    return evaluation


def _out(evaluation: YearEvaluation, may_act: bool) -> YearOut:
    return YearOut(
        branch_id=evaluation.branch_id, branch_name=evaluation.branch.name,
        year=evaluation.year, state=evaluation.state, snapshot_id=evaluation.snapshot_id,
        award_quota_percent=evaluation.award_quota_percent,
        evaluated_at=evaluation.evaluated_at, graded_at=evaluation.graded_at,
        filed_at=evaluation.filed_at, may_act=may_act,
    )  # fmt: skip


class YearFilter(FilterSchema):
    branch: Annotated[Id | None, FilterLookup("branch_id")] = None
    year: Annotated[int | None, FilterLookup("year"), Field(ge=2000, le=2100)] = None
    state: Annotated[Short | None, FilterLookup("state")] = None


class YearListOut(YearOut):
    """A row of the list: read from the annotated queryset (no query per row)."""

    @staticmethod
    def resolve_branch_name(e: YearEvaluation) -> str:
        return e.branch.name


@router.get("", response=list[YearListOut], summary="我评定或查看的支部年度评定（已开始的）")
@paginate(Pages)
def year_list(request: HttpRequest, filters: Query[YearFilter]) -> QuerySet[YearEvaluation]:
    """The years of the branches the user runs or reads, as the year index lists them."""
    managed = organisations_for(request.user, Perm.MANAGE_PERIOD).filter(kind="branch")
    audited = organisations_for(request.user, Perm.AUDIT_FILING).filter(kind="branch")
    rows = YearEvaluation.objects.filter(branch__in=managed | audited).annotate(
        may_act=ExpressionWrapper(Q(branch__in=managed), output_field=BooleanField())
    )
    return filters.filter(rows).select_related("branch").order_by("branch__code", "-year")


@router.get("/{branch_id}/{year}", response=YearOut, summary="支部的年度评定状态")
def year_detail(request: HttpRequest, branch_id: PathId, year: Year) -> YearOut:
    return _out(*_year(request, branch_id, year))


@router.post(
    "/{branch_id}/{year}/evaluate", response=YearOut,
    summary="年度评定：年度结束后汇总全年结果并保存快照（需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def evaluate(request: HttpRequest, branch_id: PathId, year: Year) -> YearOut:
    evaluation = _acting(request, branch_id, year)
    return _out(evaluate_year(actor=request.user, branch=evaluation.branch, year=year), True)


@router.post(
    "/{branch_id}/{year}/grade", response=YearOut,
    summary="定等次：确定等次与排名，生成约谈、评优、处置、转正依据名单（需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def grade(request: HttpRequest, branch_id: PathId, year: Year, payload: GradeIn) -> YearOut:
    evaluation = _acting(request, branch_id, year)
    graded = grade_year(actor=request.user, evaluation=evaluation, award_quota=payload.award_quota)
    return _out(graded, True)


@router.post(
    "/{branch_id}/{year}/file", response=YearOut,
    summary="上报年度结果给上级党组织（需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def file(request: HttpRequest, branch_id: PathId, year: Year) -> YearOut:
    evaluation = _acting(request, branch_id, year)
    return _out(file_year(actor=request.user, evaluation=evaluation), True)


@router.post(
    "/{branch_id}/{year}/appraisal", response=AppraisalOut,
    summary="记录民主评议结果（需要时计入台账；同样的内容不重复记录；需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def appraisal(
    request: HttpRequest, branch_id: PathId, year: Year, payload: AppraisalIn
) -> AppraisalOut:
    evaluation = _acting(request, branch_id, year)
    inputs = [
        AppraisalInput(member_id=row.member_id, rating=str(row.rating), points=row.points)
        for row in payload.results
    ]
    saved, changed = record_appraisal(
        actor=request.user, branch=evaluation.branch, year=year, results=inputs,
        occurred_on=payload.occurred_on, form_key=uuid.uuid4(), today=timezone.localdate(),
    )  # fmt: skip
    return AppraisalOut(state=saved.state, changed=changed)


@router.post(
    "/{branch_id}/{year}/lists/{entry_id}/handling", response=ListRow,
    summary="对不合格党员作出处置决定（需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def handling(
    request: HttpRequest, branch_id: PathId, year: Year, entry_id: PathId, payload: HandlingIn
) -> ListRow:
    evaluation = _acting(request, branch_id, year)
    entry = (
        YearListEntry.objects.filter(pk=entry_id, evaluation_id=evaluation.pk)
        .select_related("evaluation", "member")
        .first()
    )
    if evaluation.pk is None or entry is None:
        raise Http404("名单上没有该党员")
    decided = decide_handling(
        actor=request.user, entry=entry, handling=str(payload.handling), helper=payload.helper,
        note=payload.note,
    )  # fmt: skip
    return ListRow.from_orm(decided)


@router.get(
    "/{branch_id}/{year}/results", response=list[PeriodResultOut],
    summary="年度结果（读取年度快照）",
)  # fmt: skip
@paginate(Pages)
def results(
    request: HttpRequest, branch_id: PathId, year: Year, filters: Query[ResultFilter]
) -> QuerySet[MemberResult]:
    evaluation, _ = _year(request, branch_id, year)
    if evaluation.pk is None or evaluation.snapshot is None:
        return MemberResult.objects.none()
    rows = filters.filter(snapshot_results(evaluation.snapshot))
    return rows.select_related("member")  # type: ignore[return-value]


@router.get(
    "/{branch_id}/{year}/lists", response=list[ListRow],
    summary="年度名单：约谈、评优候选、不合格处置、预备党员转正依据",
)  # fmt: skip
@paginate(Pages)
def lists(
    request: HttpRequest, branch_id: PathId, year: Year, filters: Query[ListFilter]
) -> QuerySet[YearListEntry]:
    evaluation, _ = _year(request, branch_id, year)
    if evaluation.pk is None:
        return YearListEntry.objects.none()
    rows = YearListEntry.objects.filter(evaluation=evaluation).select_related("member")
    if filters.kind is not None:
        rows = rows.filter(kind=filters.kind)
    return rows.order_by("kind", "id")
