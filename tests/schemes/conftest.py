"""Scheme-version helpers: s002's text with a change, and a clean parse cache per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jifen.schemes import registry


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    registry.invalidate()
    yield
    registry.invalidate()
