"""The user's notifications: list (unread first filterable), mark one or all read."""

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jifen.api.auth import caller_id
from jifen.api.idempotency import idempotent
from jifen.api.schemas import Pages, PathId
from jifen.workflow.models import Notification
from jifen.workflow.services import mark_all_read, mark_read

router = Router(tags=["通知 (notifications)"])


class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationFilter(Schema):
    unread: bool | None = Field(None, description="true 只看未读，false 只看已读")


class MarkedOut(Schema):
    marked: int


@router.get("", response=list[NotificationOut], summary="我的通知，最新的在前")
@paginate(Pages)
def notification_list(
    request: HttpRequest, filters: Query[NotificationFilter]
) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient_id=caller_id(request))
    if filters.unread is not None:
        rows = rows.filter(read_at__isnull=filters.unread)
    return rows.order_by("-created_at", "-id")


@router.post(
    "/{notification_id}/read",
    response=NotificationOut,
    summary="标记一条通知为已读（需 Idempotency-Key）",
)
@idempotent
def read_one(request: HttpRequest, notification_id: PathId) -> NotificationOut:
    notification = Notification.objects.filter(
        pk=notification_id, recipient_id=caller_id(request)
    ).first()
    if notification is None:
        raise Http404("没有该通知")
    mark_read(actor=request.user, notification=notification)
    notification.refresh_from_db()
    return NotificationOut.from_orm(notification)


@router.post("/read-all", response=MarkedOut, summary="全部标记为已读（需 Idempotency-Key）")
@idempotent
def read_all(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=mark_all_read(actor=request.user))
