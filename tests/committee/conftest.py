"""Committee pages: a clean scheme parse cache per test, and a subtree of N branches with
saved snapshots for the dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from jifen.schemes import registry


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    registry.invalidate()
    yield
    registry.invalidate()


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
