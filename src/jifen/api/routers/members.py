"""Members as the roster page shows them: scoped by `members_for`, personal data masked;
a member's saved results (snapshots), never recomputed."""

import datetime as dt
from typing import Annotated

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from jifen.api.routers.me import dimensions
from jifen.api.schemas import Id, Name, Pages, PathId, Short, points
from jifen.members.models import Member
from jifen.members.services import record_personal_data_view
from jifen.orgs.permissions import Perm, members_for
from jifen.scoring.models import MemberResult

router = Router(tags=["党员 (members)"])


class MemberFilter(FilterSchema):
    branch: Annotated[Id | None, FilterLookup("branch_id")] = None
    category: Annotated[Short | None, FilterLookup("category")] = None
    status: Annotated[Short | None, FilterLookup("status")] = None
    name: Annotated[Name | None, FilterLookup("name__icontains")] = None


class MemberOut(Schema):
    id: int
    name: str
    gender: str
    status: str
    category: str
    branch_id: int
    branch_name: str
    group_name: str | None
    is_floating: bool

    @staticmethod
    def resolve_branch_name(m: Member) -> str:
        return m.branch.name

    @staticmethod
    def resolve_group_name(m: Member) -> str | None:
        return m.group.name if m.group is not None else None


class MemberDetail(MemberOut):
    id_number_masked: str = Field(description="身份证号（脱敏）")
    phone_masked: str = Field(description="手机号（脱敏）")
    birth_date: dt.date | None
    join_date: dt.date | None
    can_change: bool = False


class ResultOut(Schema):
    snapshot_id: int
    period: str
    organisation_id: int
    scheme_code: str
    scheme_version: int
    created_at: dt.datetime
    total: str | None = Field(description="总分，两位小数的字符串")
    grade: str
    veto: str
    rank: int | None
    category_rank: int | None
    bonus: str | None
    deductions: str | None
    dimensions: dict[str, str | None]

    @staticmethod
    def resolve_period(r: MemberResult) -> str:
        return r.snapshot.period

    @staticmethod
    def resolve_organisation_id(r: MemberResult) -> int:
        return r.snapshot.organisation_id

    @staticmethod
    def resolve_scheme_code(r: MemberResult) -> str:
        return r.snapshot.scheme_code

    @staticmethod
    def resolve_scheme_version(r: MemberResult) -> int:
        return r.snapshot.scheme_version

    @staticmethod
    def resolve_created_at(r: MemberResult) -> dt.datetime:
        return r.snapshot.created_at

    @staticmethod
    def resolve_total(r: MemberResult) -> str | None:
        return points(r.total_hundredths)

    @staticmethod
    def resolve_bonus(r: MemberResult) -> str | None:
        return points(r.bonus_hundredths)

    @staticmethod
    def resolve_deductions(r: MemberResult) -> str | None:
        return points(r.deductions_hundredths)

    @staticmethod
    def resolve_dimensions(r: MemberResult) -> dict[str, str | None]:
        return dimensions(r.dimensions)


class SnapshotFilter(FilterSchema):
    period: Annotated[Short | None, FilterLookup("snapshot__period")] = Field(
        None, description="期间，如 2025-Q1 或 2025"
    )
    scheme: Annotated[Short | None, FilterLookup("snapshot__scheme_code")] = None


def member_in_scope(request: HttpRequest, member_id: int, perm: Perm = Perm.VIEW_MEMBER) -> Member:
    """The member, if `perm` reaches them; 404 otherwise (existence not disclosed)."""
    member = (
        members_for(request.user, perm)
        .select_related("branch", "group")
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise Http404("没有这名党员，或无权查看")
    return member


@router.get(
    "", response=list[MemberOut], summary="党员名册（按权限范围），可按支部、类别、状态、姓名筛选"
)
@paginate(Pages)
def member_list(request: HttpRequest, filters: Query[MemberFilter]) -> QuerySet[Member]:
    members = members_for(request.user).select_related("branch", "group")
    return filters.filter(members).order_by("branch__code", "name", "pk")


@router.get("/{member_id}", response=MemberDetail, summary="党员信息（个人信息已脱敏，查看留痕）")
def member_detail(request: HttpRequest, member_id: PathId) -> Member:
    member = member_in_scope(request, member_id)
    record_personal_data_view(actor=request.user, member=member, purpose="接口查看党员信息")
    member.can_change = (  # type: ignore[attr-defined]
        members_for(request.user, Perm.CHANGE_MEMBER).filter(pk=member.pk).exists()
    )
    return member


@router.get(
    "/{member_id}/results", response=list[ResultOut], summary="党员的已保存积分结果（各次汇总快照）"
)
@paginate(Pages)
def member_results(
    request: HttpRequest, member_id: PathId, filters: Query[SnapshotFilter]
) -> QuerySet[MemberResult]:
    member = member_in_scope(request, member_id)
    return (
        filters.filter(MemberResult.objects.filter(member=member))
        .select_related("snapshot")
        .order_by("-snapshot__created_at", "-snapshot_id")
    )
