"""Writing audit events. Call `record` inside the transaction of the change it records."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from jifen.core.middleware import current_request
from jifen.core.models import AuditEvent


class Action:
    """Audit actions, grouped by area. The string is stored; never rename one."""

    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    ORG_CREATE = "org.create"
    ORG_CHANGE = "org.change"
    ROLE_GRANT = "role.grant"
    ROLE_REVOKE = "role.revoke"
    MEMBER_CREATE = "member.create"
    MEMBER_CHANGE = "member.change"
    MEMBER_VIEW = "member.view_personal_data"  # any page or export that shows a member's PI
    MEMBER_TRANSFER = "member.transfer"
    EXEMPTION_REQUEST = "exemption.request"
    EXEMPTION_DECIDE = "exemption.decide"
    LEDGER_POST = "ledger.post"
    LEDGER_REVERSE = "ledger.reverse"
    PERIOD_CREATE = "period.create"
    PERIOD_STATE = "period.state"
    LEDGER_CHECKPOINT = "ledger.checkpoint"
    DEMO_LOAD = "demo.load"


def record(
    action: str,
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    target: models.Model | None = None,
    tenant_id: int | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    context = current_request.get()
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        tenant_id=tenant_id,
        actor=user,  # type: ignore[misc]  # any auth user model
        actor_name=user.get_username() if user is not None else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        changes=changes or {},
        ip_address=context.ip_address if context else None,
        user_agent=context.user_agent if context else "",
    )
