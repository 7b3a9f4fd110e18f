"""API test set-up: a token per persona, JSON requests with an idempotency key, and the
quarter of branch A that the page tests use (`world`, from tests/web/conftest.py)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from jifen.api.tokens import create_token
from web.conftest import _media, world  # noqa: F401  (fixtures shared with the page tests)


@dataclass
class Caller:
    """One persona talking to the API with its own token."""

    token: str | None
    client: Client = field(default_factory=Client)

    def _headers(self, key: str | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self._headers(None))

    def post(self, path: str, body: Any = None, *, key: str | None = "fresh") -> Any:
        """POST JSON; `key="fresh"` sends a new idempotency key, None sends none."""
        if key == "fresh":
            key = str(uuid.uuid4())
        return self.client.post(
            path,
            data=json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self._headers(key),
        )


@dataclass
class Callers:
    anonymous: Caller
    alice: Caller
    sam: Caller
    bob: Caller
    carol: Caller
    adam: Caller

    def __getitem__(self, name: str) -> Caller:
        return getattr(self, name)  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def _api_only(settings: Any) -> None:
    settings.ROOT_URLCONF = "api.urlconf"


def token_for(user: Any) -> str:
    return create_token(actor=None, username=user.get_username(), name="测试")[1]


@pytest.fixture
def callers(personas: Any) -> Callers:
    p = personas
    return Callers(
        anonymous=Caller(None),
        alice=Caller(token_for(p.alice_user)),
        sam=Caller(token_for(p.sam)),
        bob=Caller(token_for(p.bob)),
        carol=Caller(token_for(p.carol)),
        adam=Caller(token_for(p.adam)),
    )
