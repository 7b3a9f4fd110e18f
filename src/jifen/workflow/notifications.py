"""Notifications: rows written in the transaction of what they tell; e-mail after commit.

A notification row is part of the change it reports (a declaration approved and the
member told are one fact), so it is written inside the caller's transaction. E-mail is a
side effect outside the database: it is queued with `transaction.on_commit`, so nothing is
sent for a change that rolled back, and only when the installation configured a mail
server (`EMAIL_HOST` set in the settings).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from jifen.workflow.machine import WorkflowForbidden
from jifen.workflow.models import Notification
from jifen.workflow.states import NotificationKind

BATCH = 1_000


def notify(
    *,
    recipients: Iterable[int | None],
    kind: str,
    message: str,
    link: str = "",
    tenant_id: int | None = None,
) -> int:
    """Write one notification per recipient (user ids; None, e.g. a member without a
    login, is skipped) and queue the e-mail. Call inside the caller's transaction."""
    return notify_each(
        messages=dict.fromkeys(recipients, message),
        kind=kind,
        link=link,
        tenant_id=tenant_id,
    )


def notify_each(
    *,
    messages: Mapping[int | None, str],
    kind: str,
    link: str = "",
    tenant_id: int | None = None,
) -> int:
    """Like `notify`, with a message of its own for each recipient (a member's result)."""
    rows = {user_id: text for user_id, text in messages.items() if user_id is not None}
    if not rows:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(
                tenant_id=tenant_id,
                recipient_id=user_id,
                kind=kind,
                message=text[:300],
                link=link,
            )
            for user_id, text in sorted(rows.items())
        ],
        batch_size=BATCH,
    )
    if email_configured():
        transaction.on_commit(partial(_send_email, rows, kind))
    return len(rows)


def email_configured() -> bool:
    # Django's default EMAIL_HOST is "localhost"; only a host the installation set counts.
    overridden = settings.is_overridden("EMAIL_HOST")  # type: ignore[misc]
    return bool(overridden and settings.EMAIL_HOST)


def _send_email(messages: dict[int, str], kind: str) -> None:
    subject = f"【党员积分】{NotificationKind(kind).label}"
    addresses = (
        get_user_model()
        .objects.filter(pk__in=list(messages), is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )
    for user_id, address in addresses:
        # One message per person: recipients must not see each other's addresses. A mail
        # failure must not turn a committed change into an error page.
        send_mail(subject, messages[user_id], None, [address], fail_silently=True)


def mark_read(*, actor: Any, notification: Notification) -> None:
    """Mark one of the actor's own notifications read (no audit row: it changes nothing
    but the reader's inbox)."""
    if actor is None or notification.recipient_id != actor.pk:
        raise WorkflowForbidden("只能标记本人的通知")
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_all_read(*, actor: Any) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
