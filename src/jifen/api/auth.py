"""`Authorization: Bearer <token>`: the token's user becomes `request.user`, so that the
permission module and the services see the same person the pages would."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from jifen.api.tokens import user_for


class TokenAuth(HttpBearer):
    openapi_description = "接口令牌：jifen apitoken create 用户名"

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = user_for(token)
        if user is not None:
            request.user = user
        return user


def caller_id(request: HttpRequest) -> int:
    """The id of the token's user (every route but the public board needs a token)."""
    user_id: int = request.user.pk  # type: ignore[assignment]
    return user_id
