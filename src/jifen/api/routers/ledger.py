"""The ledger (积分台账): entries of the members one may see; registering one item for
one or many members of a branch (`jifen.meetings.registration.register_entries`, the
service of the scorekeeper's registration page); reversing an entry (`reverse_entry`)."""

import datetime as dt
import uuid

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from jifen.api.idempotency import idempotent
from jifen.api.schemas import (
    Code,
    DateIn,
    HonorKey,
    Id,
    Pages,
    PathId,
    PointsIn,
    Reason,
    Short,
    points,
)
from jifen.ledger.models import LedgerEntry, Period
from jifen.ledger.services import LedgerRefused, reverse_entry
from jifen.meetings.registration import MAX_MEMBERS, entry_uid, register_entries
from jifen.meetings.selectors import keeper_branches
from jifen.orgs.permissions import Perm, organisations_for

router = Router(tags=["积分台账 (ledger)"])


class EntryOut(Schema):
    id: int
    seq: int
    uid: uuid.UUID
    member_id: int
    member_name: str
    organisation_id: int
    item_code: str
    points: str = Field(description="分值，两位小数的字符串")
    quantity: int
    occurred_on: dt.date
    honor_key: str
    note: str
    source: str
    reverses_id: int | None
    recorded_by: str | None
    recorded_at: dt.datetime

    @staticmethod
    def resolve_member_name(e: LedgerEntry) -> str:
        return e.member.name

    @staticmethod
    def resolve_points(e: LedgerEntry) -> str:
        return points(e.points_hundredths) or "0.00"

    @staticmethod
    def resolve_recorded_by(e: LedgerEntry) -> str | None:
        return e.recorded_by.get_username() if e.recorded_by is not None else None


class EntryFilter(FilterSchema):
    branch: Id | None = Field(None, description="记入的组织（支部）")
    member: Id | None = None
    period: Id | None = Field(None, description="积分期间：该期间所属组织、起止日期内的记录")
    item: Short | None = Field(None, description="积分项目代码")
    source: Short | None = Field(None, description="来源：declaration/registration/attendance/…")

    def custom_expression(self) -> Q:
        q = Q()
        if self.branch is not None:
            q &= Q(organisation_id=self.branch)
        if self.member is not None:
            q &= Q(member_id=self.member)
        if self.item is not None:
            q &= Q(item_code=self.item)
        if self.source is not None:
            q &= Q(source=self.source)
        return q


class RegisterIn(Schema):
    """One item for one or many members of a branch, as on the registration page."""

    branch_id: Id = Field(description="支部")
    member_ids: list[Id] = Field(min_length=1, max_length=MAX_MEMBERS, description="党员")
    item_code: Code = Field(description="积分项目代码（本支部积分办法中的项目）")
    occurred_on: DateIn = Field(description="发生日期，不晚于今天")
    points: PointsIn | None = Field(None, description="分值；固定分值的项目留空，扣分填负数")
    quantity: int = Field(1, ge=1, le=99, description="次数")
    honor_key: HonorKey = Field("", description="荣誉名称：荣誉类项目必填")
    reason: Reason = Field(description="登记事由", max_length=500)


class RegisterOut(Schema):
    count: int
    item_code: str
    item_name: str
    points: str = Field(description="每人分值，两位小数的字符串")
    entries: list[EntryOut]


class ReverseIn(Schema):
    reason: Reason = Field(description="冲正原因")
    occurred_on: DateIn | None = Field(None, description="冲正记入日期；原期间已归档时须指定")


def _visible(request: HttpRequest) -> QuerySet[LedgerEntry]:
    """Entries of the organisations one may view members of, and one's own."""
    user = request.user
    return LedgerEntry.objects.filter(
        Q(organisation__in=organisations_for(user, Perm.VIEW_MEMBER)) | Q(member__user_id=user.pk)
    )


@router.get(
    "/entries", response=list[EntryOut], summary="台账记录：按支部、党员、期间、项目、来源筛选"
)
@paginate(Pages)
def entry_list(request: HttpRequest, filters: Query[EntryFilter]) -> QuerySet[LedgerEntry]:
    rows = filters.filter(_visible(request))
    if filters.period is not None:
        period = (
            Period.objects.filter(pk=filters.period)
            .values("organisation_id", "starts_on", "ends_on")
            .first()
        )
        if period is None:
            return LedgerEntry.objects.none()
        rows = rows.filter(
            organisation_id=period["organisation_id"],
            occurred_on__gte=period["starts_on"],
            occurred_on__lte=period["ends_on"],
        )
    return rows.select_related("member", "recorded_by").order_by("-id")


@router.get("/entries/{entry_id}", response=EntryOut, summary="一条台账记录")
def entry_detail(request: HttpRequest, entry_id: PathId) -> LedgerEntry:
    entry = _visible(request).filter(pk=entry_id).select_related("member", "recorded_by").first()
    if entry is None:
        raise Http404("没有该记录，或无权查看")
    return entry


@router.post(
    "/entries",
    response={201: RegisterOut},
    summary="登记积分：一个项目记给本支部一名或多名党员（全部成功或全部不记；需 Idempotency-Key）",
)
@idempotent
def register(request: HttpRequest, payload: RegisterIn) -> tuple[int, RegisterOut]:
    branch = keeper_branches(request.user).filter(pk=payload.branch_id).first()
    if branch is None:
        raise Http404("没有该支部，或无权登记积分")
    key = uuid.uuid4()  # the API's Idempotency-Key makes the request idempotent
    done = register_entries(
        actor=request.user, branch=branch, member_ids=payload.member_ids,
        item_code=payload.item_code, occurred_on=payload.occurred_on, points=payload.points,
        reason=payload.reason, idempotency_key=key, quantity=payload.quantity,
        honor_key=payload.honor_key.strip(), today=timezone.localdate(),
    )  # fmt: skip
    entries = (
        LedgerEntry.objects.filter(uid__in=[entry_uid(key, pk) for pk in set(payload.member_ids)])
        .select_related("member", "recorded_by")
        .order_by("seq")
    )
    return 201, RegisterOut(
        count=done.count, item_code=done.item.code, item_name=done.item.name,
        points=f"{done.points:.2f}", entries=list(entries),  # type: ignore[arg-type]
    )  # fmt: skip


@router.post(
    "/entries/{entry_id}/reverse", response={201: EntryOut},
    summary="冲正一条记录（写入反向记录，须写明原因；需 Idempotency-Key）",
)  # fmt: skip
@idempotent
def reverse(request: HttpRequest, entry_id: PathId, payload: ReverseIn) -> tuple[int, EntryOut]:
    entry = LedgerEntry.objects.filter(
        pk=entry_id, organisation__in=organisations_for(request.user, Perm.RECORD_ENTRY)
    ).first()
    if entry is None:
        raise Http404("没有该记录，或无权冲正")
    if payload.occurred_on is not None and payload.occurred_on > timezone.localdate():
        raise LedgerRefused(f"冲正记入日期 {payload.occurred_on} 晚于今天")
    reversal = reverse_entry(
        actor=request.user, entry=entry, reason=payload.reason, occurred_on=payload.occurred_on
    )
    reversal = LedgerEntry.objects.select_related("member", "recorded_by").get(pk=reversal.pk)
    return 201, EntryOut.from_orm(reversal)
