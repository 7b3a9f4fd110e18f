"""Making, revoking and checking API tokens. Only a token's SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jifen.api.models import ApiToken
from jifen.core.audit import record

TOKEN_CREATE = "api.token_create"
TOKEN_REVOKE = "api.token_revoke"
PREFIX = "jf_"
# `last_used_at` is a hint for operators, not an access log: one write a minute at most.
TOUCH_EVERY = dt.timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def create_token(*, actor: Any, username: str, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `username`; the token itself is returned once and never stored."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError(f"没有启用的用户 {username!r}")
    if len(name) > 100:
        raise ValidationError("令牌名称最多 100 字")
    token = PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken.objects.create(user=user, name=name, token_sha256=digest(token))
    record(
        TOKEN_CREATE,
        actor=actor,
        target=api_token,
        summary=f"{username} {name}".strip(),
    )
    return api_token, token


@transaction.atomic
def revoke_tokens(*, actor: Any, username: str, name: str | None = None) -> int:
    """Revoke the user's live tokens (only those called `name` when given)."""
    tokens = ApiToken.objects.filter(user__username=username, revoked_at__isnull=True)
    if name is not None:
        tokens = tokens.filter(name=name)
    ids = list(tokens.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(f"用户 {username!r} 没有可撤销的令牌")
    ApiToken.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
    record(TOKEN_REVOKE, actor=actor, summary=f"{username} 撤销令牌 {len(ids)} 个")
    return len(ids)


def user_for(token: str) -> Any | None:
    """The active user a live token belongs to, or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    api_token = (
        ApiToken.objects.filter(
            token_sha256=digest(token), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if api_token is None:
        return None
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user
