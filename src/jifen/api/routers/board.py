"""The publicity board (公示栏), readable without a token: published periods only, read
from the snapshot as plain values — name, score, grade, rank — never an ID or phone."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jifen.api.schemas import Pages, PathId, ResultFilter, points
from jifen.ledger.models import Period
from jifen.orgs.models import Organisation
from jifen.scoring.selectors import snapshot_results
from jifen.workflow.selectors import PUBLISHED, published_record

router = Router(tags=["公示栏 (board)"], auth=None)


class BoardOut(Schema):
    period_id: int
    period: str
    branch_id: int
    branch_name: str
    state: str
    publicity_starts_on: dt.date | None
    publicity_ends_on: dt.date | None
    member_count: int


class BoardRow(Schema):
    """Read from `values()` rows: no member object, so no personal data, can reach it."""

    name: str
    category: str
    total: str | None
    grade: str
    rank: int | None
    category_rank: int | None

    @staticmethod
    def resolve_name(row: dict[str, Any]) -> str:
        return str(row["member__name"])

    @staticmethod
    def resolve_total(row: dict[str, Any]) -> str | None:
        return points(row["total_hundredths"])


class PublishedPeriod(Schema):
    period_id: int = Field(alias="id")
    period: str = Field(alias="label")
    state: str
    starts_on: dt.date
    ends_on: dt.date


@router.get("/{period_id}", response=BoardOut, summary="公示栏：期间与支部（无需认证）")
def board(request: HttpRequest, period_id: PathId) -> BoardOut:
    record, snapshot = published_record(period_id)
    period = record.period
    return BoardOut(
        period_id=period.pk, period=period.label, branch_id=period.organisation_id,
        branch_name=period.organisation.name, state=period.state,
        publicity_starts_on=record.publicity_starts_on,
        publicity_ends_on=record.publicity_ends_on, member_count=snapshot.member_count,
    )  # fmt: skip


@router.get(
    "/{period_id}/rows",
    response=list[BoardRow],
    summary="公示栏：姓名、得分、等次、排名（无需认证）",
)
@paginate(Pages)
def board_rows(
    request: HttpRequest, period_id: PathId, filters: Query[ResultFilter]
) -> QuerySet[Any]:
    record, snapshot = published_record(period_id)
    return filters.filter(snapshot_results(snapshot)).values(
        "member__name", "total_hundredths", "grade", "rank", "category", "category_rank"
    )


@router.get(
    "/branch/{branch_id}", response=list[PublishedPeriod], summary="支部已公示的期间（无需认证）"
)
@paginate(Pages)
def branch_boards(request: HttpRequest, branch_id: PathId) -> QuerySet[Period]:
    if not Organisation.objects.filter(pk=branch_id).exists():
        raise Http404("没有该组织")
    return Period.objects.filter(
        organisation_id=branch_id, state__in=PUBLISHED, workflow__snapshot__isnull=False
    ).order_by("-starts_on")
