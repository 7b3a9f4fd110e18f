"""The higher committee's audit of filed period reports (审核备案): list, accept, return."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from jifen.api.idempotency import idempotent
from jifen.api.schemas import Id, Pages, PathId, Reason, Short
from jifen.orgs.permissions import Perm, organisations_for
from jifen.workflow.models import FilingReview
from jifen.workflow.services import accept_filing, return_filing

router = Router(tags=["审核备案 (filings)"])


class FilingOut(Schema):
    id: int
    period_id: int
    period: str
    organisation_id: int
    organisation_name: str
    committee_id: int
    state: str
    submitted_at: dt.datetime
    submitted_by: str | None
    decided_at: dt.datetime | None
    reason: str

    @staticmethod
    def resolve_period(f: FilingReview) -> str:
        return f.period.label

    @staticmethod
    def resolve_organisation_id(f: FilingReview) -> int:
        return f.period.organisation_id

    @staticmethod
    def resolve_organisation_name(f: FilingReview) -> str:
        return f.period.organisation.name

    @staticmethod
    def resolve_submitted_by(f: FilingReview) -> str | None:
        return f.submitted_by.get_username() if f.submitted_by is not None else None


class FilingFilter(FilterSchema):
    state: Short | None = Field(None, description="submitted/accepted/returned")
    branch: Id | None = Field(None, description="上报的组织（支部）")

    def custom_expression(self) -> Q:
        q = Q()
        if self.state is not None:
            q &= Q(state=self.state)
        if self.branch is not None:
            q &= Q(period__organisation_id=self.branch)
        return q


class ReasonIn(Schema):
    reason: Reason = Field(description="退回原因")


def _reviewed(request: HttpRequest) -> QuerySet[FilingReview]:
    return FilingReview.objects.filter(
        committee__in=organisations_for(request.user, Perm.AUDIT_FILING)
    ).select_related("period", "period__organisation", "submitted_by")


def _in_scope(request: HttpRequest, filing_id: int) -> FilingReview:
    filing = _reviewed(request).select_related("committee").filter(pk=filing_id).first()
    if filing is None:
        raise Http404("没有该上报，或无权审核")
    return filing


def _read(filing_id: int) -> FilingOut:
    return FilingOut.from_orm(
        FilingReview.objects.select_related("period", "period__organisation", "submitted_by").get(
            pk=filing_id
        )
    )


@router.get("", response=list[FilingOut], summary="上报给我审核备案的期间报告")
@paginate(Pages)
def filing_list(request: HttpRequest, filters: Query[FilingFilter]) -> QuerySet[FilingReview]:
    return filters.filter(_reviewed(request)).order_by("-submitted_at", "-id")


@router.get("/{filing_id}", response=FilingOut, summary="上报详情")
def filing_detail(request: HttpRequest, filing_id: PathId) -> FilingReview:
    return _in_scope(request, filing_id)


@router.post(
    "/{filing_id}/accept", response=FilingOut, summary="审核通过，予以备案（需 Idempotency-Key）"
)
@idempotent
def accept(request: HttpRequest, filing_id: PathId) -> FilingOut:
    filing = _in_scope(request, filing_id)
    accept_filing(actor=request.user, filing=filing)
    return _read(filing.pk)


@router.post(
    "/{filing_id}/return",
    response=FilingOut,
    summary="退回支部修改后重新上报（需 Idempotency-Key）",
)
@idempotent
def send_back(request: HttpRequest, filing_id: PathId, payload: ReasonIn) -> FilingOut:
    filing = _in_scope(request, filing_id)
    return_filing(actor=request.user, filing=filing, reason=payload.reason)
    return _read(filing.pk)
