"""Attestation of a declared act by the people served (群众证实).

- A link: `secrets.token_urlsafe(32)` (256 bits); only its SHA-256 is stored, so the
  token is shown once, to the person who asked for it, and a copy of the database opens
  nothing. Looking a token up by its hash through a unique index is the constant-time
  comparison: no stored secret is compared character by character.
- The link works once: the answer is a compare-and-set on `answered_at IS NULL` and an
  unexpired `expires_at`; a second use, or a use after expiry, is refused with a reason.
- Who asks: the branch's scorekeepers (`REVIEW_DECLARATION`), or the member for their own
  declaration, while it waits for review. In-person attestations are recorded by the
  scorekeeper only.
- The answer tells the branch's reviewers (a notification of a declaration to review).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from jifen.core.audit import record
from jifen.meetings import events
from jifen.meetings.models import Attestation, AttestationMethod, AttestationResult
from jifen.orgs.permissions import Perm, has_org_perm, holders_of
from jifen.workflow.machine import WorkflowForbidden, WorkflowRefused
from jifen.workflow.models import Declaration
from jifen.workflow.notifications import notify
from jifen.workflow.states import NotificationKind

LINK_DAYS = 7
PENDING = ("submitted", "appraised")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    attestation: Attestation
    token: str | None  # None when the same form was sent again: the token was shown once


def _user(actor: Any) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def may_request(actor: Any, declaration: Declaration) -> bool:
    own = _user(actor) is not None and declaration.member.user_id == actor.pk
    return own or has_org_perm(actor, Perm.REVIEW_DECLARATION, declaration.branch_id)


def _require_pending(declaration: Declaration) -> None:
    if declaration.state not in PENDING:
        raise WorkflowRefused(
            f"该申报当前为“{declaration.get_state_display()}”，只有待审核的申报可以请群众证实"
        )


@transaction.atomic
def issue_link(
    *,
    actor: Any,
    declaration: Declaration,
    idempotency_key: uuid.UUID,
    days: int = LINK_DAYS,
    now: dt.datetime | None = None,
) -> Issued:
    if not may_request(actor, declaration):
        raise WorkflowForbidden("无权为该申报请求群众证实")
    existing = Attestation.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.declaration_id != declaration.pk:
            raise WorkflowRefused("表单标识已用于另一次证实，请刷新页面后重试")
        return Issued(existing, None)
    _require_pending(declaration)
    if not 1 <= days <= 30:
        raise WorkflowRefused("有效期应为 1～30 天")
    token = secrets.token_urlsafe(32)
    moment = now or timezone.now()
    attestation = Attestation.objects.create(
        tenant_id=declaration.tenant_id, declaration=declaration, method=AttestationMethod.LINK,
        token_hash=token_hash(token), idempotency_key=idempotency_key,
        expires_at=moment + dt.timedelta(days=days), requested_by=_user(actor),
    )  # fmt: skip
    record(
        events.ATTESTATION_REQUEST, actor=actor, target=attestation,
        tenant_id=declaration.tenant_id,
        summary=f"申报 #{declaration.pk} 生成证实链接，{days} 天有效",
    )  # fmt: skip
    return Issued(attestation, token)


def find(token: str) -> Attestation | None:
    """The link's attestation, or None for a token nobody issued."""
    if not token or len(token) > 100:
        return None
    return (
        Attestation.objects.filter(token_hash=token_hash(token), method=AttestationMethod.LINK)
        .select_related("declaration", "declaration__member", "declaration__branch")
        .first()
    )


def refusal(attestation: Attestation, now: dt.datetime | None = None) -> str | None:
    """Why the link can no longer be used, or None while it can."""
    if attestation.answered_at is not None:
        return "该证实链接已经使用过，不能再次使用。感谢您的参与。"
    assert attestation.expires_at is not None
    if attestation.expires_at <= (now or timezone.now()):
        return "该证实链接已过期，请联系党支部重新获取。"
    return None


def _clean(result: str, name: str, phone_tail: str, comment: str) -> None:
    if result not in AttestationResult.values:
        raise WorkflowRefused("请选择“属实”或“不属实”")
    if phone_tail and not (len(phone_tail) == 4 and phone_tail.isdigit()):
        raise WorkflowRefused("手机尾号应为 4 位数字")
    if len(name) > 50 or len(comment) > 1000:
        raise WorkflowRefused("姓名最多 50 字，说明最多 1000 字")


@transaction.atomic
def answer(
    *,
    attestation: Attestation,
    result: str,
    name: str = "",
    phone_tail: str = "",
    comment: str = "",
    now: dt.datetime | None = None,
) -> Attestation:
    """The public's answer through the link: once, before expiry."""
    name, phone_tail, comment = name.strip(), phone_tail.strip(), comment.strip()
    _clean(result, name, phone_tail, comment)
    moment = now or timezone.now()
    used = Attestation.objects.filter(
        pk=attestation.pk, answered_at__isnull=True, expires_at__gt=moment
    ).update(
        result=result, answered_at=moment, attested_on=timezone.localdate(moment),
        attester_name=name, phone_tail=phone_tail, comment=comment,
    )  # fmt: skip
    if used != 1:
        attestation.refresh_from_db()
        raise WorkflowRefused(refusal(attestation, moment) or "该证实链接不能使用")
    attestation.refresh_from_db()
    _told(None, attestation, events.ATTESTATION_ANSWER)
    return attestation


@transaction.atomic
def record_in_person(
    *,
    actor: Any,
    declaration: Declaration,
    name: str,
    attested_on: dt.date,
    result: str,
    idempotency_key: uuid.UUID,
    phone_tail: str = "",
    comment: str = "",
    today: dt.date,
) -> Attestation:
    if not has_org_perm(actor, Perm.REVIEW_DECLARATION, declaration.branch_id):
        raise WorkflowForbidden("只有积分员可以登记当面证实")
    existing = Attestation.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.declaration_id != declaration.pk:
            raise WorkflowRefused("表单标识已用于另一次证实，请刷新页面后重试")
        return existing
    _require_pending(declaration)
    name, phone_tail, comment = name.strip(), phone_tail.strip(), comment.strip()
    if not name:
        raise WorkflowRefused("请填写证实人姓名")
    if attested_on > today:
        raise WorkflowRefused(f"证实日期 {attested_on} 晚于今天")
    _clean(result, name, phone_tail, comment)
    attestation = Attestation.objects.create(
        tenant_id=declaration.tenant_id, declaration=declaration,
        method=AttestationMethod.IN_PERSON, idempotency_key=idempotency_key,
        requested_by=_user(actor), result=result, answered_at=timezone.now(),
        attested_on=attested_on, attester_name=name, phone_tail=phone_tail, comment=comment,
    )  # fmt: skip
    _told(actor, attestation, events.ATTESTATION_IN_PERSON)
    return attestation


def _told(actor: Any, attestation: Attestation, action: str) -> None:
    declaration = attestation.declaration
    verdict = attestation.get_result_display()
    record(
        action, actor=actor, target=attestation, tenant_id=attestation.tenant_id,
        summary=f"申报 #{declaration.pk} 群众证实：{verdict}",
    )  # fmt: skip
    notify(
        recipients=holders_of(Perm.REVIEW_DECLARATION, declaration.branch_id),
        kind=NotificationKind.DECLARATION_TO_REVIEW,
        message=(
            f"{declaration.member.name} 的申报（{declaration.occurred_on}）群众证实结果：{verdict}"
        ),
        link=f"declaration:{declaration.pk}",
        tenant_id=attestation.tenant_id,
    )
