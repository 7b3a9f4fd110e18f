"""Who am I: the account, the member it is (if any), its roles; my card (一人一卡)."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jifen.api.auth import caller_id
from jifen.api.schemas import Pages, points
from jifen.ledger.models import PeriodState
from jifen.members.models import Member
from jifen.orgs.models import RoleGrant
from jifen.scoring.models import MemberResult
from jifen.workflow.models import PeriodRecord
from jifen.workflow.selectors import member_years

router = Router(tags=["我 (me)"])


class RoleOut(Schema):
    role: str
    role_name: str
    organisation_id: int
    organisation_name: str


class MemberRef(Schema):
    id: int
    name: str
    branch_id: int
    branch_name: str


class MeOut(Schema):
    username: str
    member: MemberRef | None
    roles: list[RoleOut]


class CardRow(Schema):
    period_id: int
    period: str
    organisation_name: str
    period_state: str
    snapshot_id: int
    scheme_code: str
    total: str | None
    grade: str
    veto: str
    rank: int | None
    category_rank: int | None
    bonus: str | None
    deductions: str | None
    dimensions: dict[str, str | None]
    appeal_open: bool


class YearRow(Schema):
    year: int
    state: str
    total: str | None
    grade: str
    veto: str
    rank: int | None
    category_rank: int | None
    lists: list[str] = Field(description="所在的年度名单，如 评优候选")


@router.get("", response=MeOut, summary="当前用户：账号、党员身份与角色")
def me(request: HttpRequest) -> MeOut:
    grants = RoleGrant.objects.filter(user_id=caller_id(request)).select_related("organisation")
    member = Member.objects.filter(user_id=caller_id(request)).select_related("branch").first()
    return MeOut(
        username=request.user.get_username(),
        member=None
        if member is None
        else MemberRef(
            id=member.pk,
            name=member.name,
            branch_id=member.branch_id,
            branch_name=member.branch.name,
        ),  # fmt: skip
        roles=[
            RoleOut(
                role=g.role,
                role_name=g.get_role_display(),
                organisation_id=g.organisation_id,
                organisation_name=g.organisation.name,
            )  # fmt: skip
            for g in grants.order_by("id")
        ],
    )


def dimensions(values: dict[str, object] | None) -> dict[str, str | None]:
    """Dimension scores as the snapshot saved them (decimal strings, "12.50")."""
    return {str(k): None if v is None else str(v) for k, v in (values or {}).items()}


@router.get("/card", response=list[CardRow], summary="我的积分卡（一人一卡）：各期间的已保存结果")
@paginate(Pages)
def my_card(request: HttpRequest) -> list[CardRow]:
    member = Member.objects.filter(user_id=caller_id(request)).first()
    if member is None:
        return []
    records = list(
        PeriodRecord.objects.filter(snapshot__isnull=False, snapshot__results__member=member)
        .select_related("period", "period__organisation", "snapshot")
        .order_by("-period__starts_on", "-period_id")
    )
    results = {
        row.snapshot_id: row
        for row in MemberResult.objects.filter(
            member=member, snapshot_id__in=[r.snapshot_id for r in records]
        )
    }
    today = timezone.localdate()
    return [
        _card_row(r, results[r.snapshot_id], today) for r in records if r.snapshot_id in results
    ]


def _card_row(record: PeriodRecord, result: MemberResult, today: dt.date) -> CardRow:
    period = record.period
    # `selectors.appeal_window_open` over rows already read: no query per row.
    window = bool(
        period.state == PeriodState.PUBLICISED
        and record.publicity_starts_on is not None
        and record.publicity_ends_on is not None
        and record.publicity_starts_on <= today <= record.publicity_ends_on
    )
    assert record.snapshot is not None
    return CardRow(
        period_id=period.pk, period=period.label, organisation_name=period.organisation.name,
        period_state=period.state, snapshot_id=record.snapshot.pk,
        scheme_code=record.snapshot.scheme_code, total=points(result.total_hundredths),
        grade=result.grade, veto=result.veto, rank=result.rank,
        category_rank=result.category_rank, bonus=points(result.bonus_hundredths),
        deductions=points(result.deductions_hundredths),
        dimensions=dimensions(result.dimensions), appeal_open=window,
    )  # fmt: skip


@router.get("/years", response=list[YearRow], summary="我的年度评定：得分、等次、排名与所在名单")
@paginate(Pages)
def my_years(request: HttpRequest) -> list[YearRow]:
    """As the member's year page: graded years of the branch, read from their snapshots."""
    member = Member.objects.filter(user_id=caller_id(request)).first()
    if member is None:
        return []
    return [
        YearRow(
            year=(y := row.evaluation).year,
            state=y.state,
            total=points(r.total_hundredths),
            grade=r.grade,
            veto=r.veto,
            rank=r.rank,
            category_rank=r.category_rank,
            lists=row.lists,
        )  # fmt: skip
        for row in member_years(member)
        if (r := row.result) is not None
    ]
