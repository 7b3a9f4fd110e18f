"""Periods (积分期间) as the scorekeeper's period page runs them: summarise → publicise →
archive → file, each through `jifen.workflow.services`; results read from the snapshot."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from jifen.api.idempotency import idempotent
from jifen.api.schemas import Id, Pages, PathId, ResultFilter, Short, points
from jifen.ledger.models import Period
from jifen.orgs.permissions import Perm, organisations_for
from jifen.scoring.models import MemberResult
from jifen.scoring.selectors import snapshot_results
from jifen.workflow.models import PeriodRecord
from jifen.workflow.services import archive_period, file_period, publicise_period, summarise_period

router = Router(tags=["积分期间 (periods)"])


class PeriodOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    label: str
    starts_on: dt.date
    ends_on: dt.date
    state: str
    snapshot_id: int | None
    summarised_at: dt.datetime | None
    publicity_starts_on: dt.date | None
    publicity_ends_on: dt.date | None
    archived_at: dt.datetime | None

    @staticmethod
    def resolve_organisation_name(p: Period) -> str:
        return p.organisation.name

    @staticmethod
    def _record(p: Period) -> PeriodRecord | None:
        return getattr(p, "workflow", None)

    @staticmethod
    def resolve_snapshot_id(p: Period) -> int | None:
        r = PeriodOut._record(p)
        return r.snapshot_id if r is not None else None

    @staticmethod
    def resolve_summarised_at(p: Period) -> dt.datetime | None:
        r = PeriodOut._record(p)
        return r.summarised_at if r is not None else None

    @staticmethod
    def resolve_publicity_starts_on(p: Period) -> dt.date | None:
        r = PeriodOut._record(p)
        return r.publicity_starts_on if r is not None else None

    @staticmethod
    def resolve_publicity_ends_on(p: Period) -> dt.date | None:
        r = PeriodOut._record(p)
        return r.publicity_ends_on if r is not None else None

    @staticmethod
    def resolve_archived_at(p: Period) -> dt.datetime | None:
        r = PeriodOut._record(p)
        return r.archived_at if r is not None else None


class PeriodResultOut(Schema):
    member_id: int
    member_name: str
    category: str
    total: str | None
    grade: str
    veto: str
    rank: int | None
    category_rank: int | None

    @staticmethod
    def resolve_member_name(r: MemberResult) -> str:
        return r.member.name

    @staticmethod
    def resolve_total(r: MemberResult) -> str | None:
        return points(r.total_hundredths)


class PeriodFilter(FilterSchema):
    branch: Id | None = Field(None, description="组织（支部）")
    state: Short | None = Field(None, description="open/summarised/publicised/archived/filed")
    label: Short | None = Field(None, description="如 2025-Q1")

    def custom_expression(self) -> Q:
        q = Q()
        if self.branch is not None:
            q &= Q(organisation_id=self.branch)
        if self.state is not None:
            q &= Q(state=self.state)
        if self.label is not None:
            q &= Q(label=self.label)
        return q


class PublicityIn(Schema):
    days: int = Field(5, ge=1, le=60, description="公示天数")


class FilingRef(Schema):
    filing_id: int
    committee_id: int
    committee_name: str
    state: str


def _managed(request: HttpRequest) -> QuerySet[Period]:
    return Period.objects.filter(
        organisation__in=organisations_for(request.user, Perm.MANAGE_PERIOD)
    ).select_related("organisation", "workflow")


def _period_in_scope(request: HttpRequest, period_id: int) -> Period:
    period = _managed(request).filter(pk=period_id).first()
    if period is None:
        raise Http404("没有该积分期间，或无权管理")
    return period


def _fresh(period_id: int) -> Period:
    return Period.objects.select_related("organisation", "workflow").get(pk=period_id)


@router.get("", response=list[PeriodOut], summary="我管理的积分期间：按支部、状态、期间筛选")
@paginate(Pages)
def period_list(request: HttpRequest, filters: Query[PeriodFilter]) -> QuerySet[Period]:
    return filters.filter(_managed(request)).order_by("-starts_on", "organisation__code", "id")


@router.get("/{period_id}", response=PeriodOut, summary="积分期间详情")
def period_detail(request: HttpRequest, period_id: PathId) -> Period:
    return _period_in_scope(request, period_id)


@router.get(
    "/{period_id}/results",
    response=list[PeriodResultOut],
    summary="期间汇总结果（读取已保存的快照）",
)
@paginate(Pages)
def period_results(
    request: HttpRequest, period_id: PathId, filters: Query[ResultFilter]
) -> QuerySet[MemberResult]:
    period = _period_in_scope(request, period_id)
    record = getattr(period, "workflow", None)
    if record is None or record.snapshot is None:
        return MemberResult.objects.none()
    return filters.filter(snapshot_results(record.snapshot)).select_related("member")  # type: ignore[return-value]


@router.post(
    "/{period_id}/summarise",
    response=PeriodOut,
    summary="汇总：计算并保存结果快照，反馈给每名党员（需 Idempotency-Key）",
)
@idempotent
def summarise(request: HttpRequest, period_id: PathId) -> PeriodOut:
    period = _period_in_scope(request, period_id)
    summarise_period(actor=request.user, period=period, today=timezone.localdate())
    return PeriodOut.from_orm(_fresh(period.pk))


@router.post(
    "/{period_id}/publicise",
    response=PeriodOut,
    summary="公示：公示期内党员可提出申辩（需 Idempotency-Key）",
)
@idempotent
def publicise(request: HttpRequest, period_id: PathId, payload: PublicityIn) -> PeriodOut:
    period = _period_in_scope(request, period_id)
    publicise_period(
        actor=request.user, period=period, days=payload.days, today=timezone.localdate()
    )
    return PeriodOut.from_orm(_fresh(period.pk))


@router.post(
    "/{period_id}/archive",
    response=PeriodOut,
    summary="归档：该期间不再记入积分（需 Idempotency-Key）",
)
@idempotent
def archive(request: HttpRequest, period_id: PathId) -> PeriodOut:
    period = _period_in_scope(request, period_id)
    archive_period(actor=request.user, period=period, today=timezone.localdate())
    return PeriodOut.from_orm(_fresh(period.pk))


@router.post(
    "/{period_id}/file",
    response={201: FilingRef},
    summary="上报上级党组织审核备案（需 Idempotency-Key）",
)
@idempotent
def file(request: HttpRequest, period_id: PathId) -> tuple[int, FilingRef]:
    period = _period_in_scope(request, period_id)
    filing = file_period(actor=request.user, period=period)
    return 201, FilingRef(
        filing_id=filing.pk, committee_id=filing.committee_id,
        committee_name=filing.committee.name, state=filing.state,
    )  # fmt: skip
