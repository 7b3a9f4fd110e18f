"""Builders for the workflow tests: files, periods, declarations, and row counts.

Uploaded files go to a temporary MEDIA_ROOT per test. Dates lie in 2025: the ledger
refuses dates after today, and `today=` arguments stand in for the clock.
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
import zlib
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from jifen.core.models import AuditEvent
from jifen.ledger.models import LedgerEntry, Period
from jifen.ledger.services import open_period
from jifen.orgs.services import grant_role
from jifen.workflow.models import (
    Appeal,
    Declaration,
    Evidence,
    FilingReview,
    Notification,
    YearEvaluation,
    YearListEntry,
)
from jifen.workflow.services import create_declaration

Q1_START, Q1_END = dt.date(2025, 1, 1), dt.date(2025, 3, 31)
AFTER_Q1 = dt.date(2025, 4, 2)


def tiny_png() -> bytes:
    """A valid 1×1 PNG, made here so that no binary fixture is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def png_upload(name: str = "奖状.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_png(), content_type="image/png")


def counts() -> dict[str, int]:
    """Rows of everything a workflow action may write: unchanged means nothing written."""
    models: list[Any] = [
        Declaration, Evidence, LedgerEntry, AuditEvent, Notification, Appeal, FilingReview,
        YearEvaluation, YearListEntry,
    ]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def q1(personas: Any) -> Period:
    return open_period(
        actor=None, organisation=personas.branch_a, label="2025-Q1",
        starts_on=Q1_START, ends_on=Q1_END,
    )  # fmt: skip


@pytest.fixture
def rita(personas: Any) -> Any:
    """Rita sits on branch A's committee (支委): she appraises declarations."""
    user = get_user_model().objects.create_user("rita", password="Test-pass-2026")
    grant_role(actor=None, user=user, role="reviewer", organisation=personas.branch_a)
    return user


def declare(personas: Any, *, actor: Any = None, member: Any = None, **fields: Any) -> Any:
    """Alice declares a company-level honor (fixed, 1 point) unless told otherwise."""
    values: dict[str, Any] = {
        "item_code": "honor_company",
        "occurred_on": dt.date(2025, 2, 10),
        "description": "获公司级先进个人",
        "honor_key": "2025-先进个人",
        "idempotency_key": uuid.uuid4(),
    }
    values.update(fields)
    return create_declaration(
        actor=actor or personas.alice_user, member=member or personas.alice, **values
    )


PUBLICITY_START, PUBLICITY_END = dt.date(2025, 4, 3), dt.date(2025, 4, 7)


@pytest.fixture
def publicised_q1(personas: Any, q1: Period) -> Period:
    """Q1 summarised on 2 April and publicised 3–7 April 2025."""
    from jifen.workflow.services import publicise_period, summarise_period

    summarise_period(actor=personas.sam, period=q1, today=AFTER_Q1)
    publicise_period(actor=personas.sam, period=q1, today=PUBLICITY_START)
    q1.refresh_from_db()
    return q1
