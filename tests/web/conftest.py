"""A quarter of branch A taken through every step by the services, for the page tests.

`world` leaves, in 2025-Q1 of branch A: an approved declaration with a photo, a summary,
a publicity window (3–7 April 2025), Alice's appeal (dismissed), the archive and a filing
waiting for Carol; plus a second declaration of Alice's still waiting for review.
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
import zlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jifen.ledger.models import Period
from jifen.ledger.services import open_period
from jifen.workflow.models import Appeal, Declaration, Evidence, FilingReview
from jifen.workflow.services import (
    approve_declaration,
    archive_period,
    create_declaration,
    dismiss_appeal,
    file_appeal,
    file_period,
    investigate_appeal,
    publicise_period,
    summarise_period,
)


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


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@dataclass
class World:
    personas: Any
    period: Period
    approved: Declaration
    pending: Declaration
    evidence: Evidence
    appeal: Appeal
    filing: FilingReview


def declare(personas: Any, **fields: Any) -> Declaration:
    values: dict[str, Any] = {
        "item_code": "honor_company",
        "occurred_on": dt.date(2025, 2, 10),
        "description": "获公司级先进个人",
        "honor_key": "2025-先进个人",
        "idempotency_key": uuid.uuid4(),
    }
    values.update(fields)
    return create_declaration(actor=personas.alice_user, member=personas.alice, **values)


@pytest.fixture
def world(personas: Any) -> World:
    sam, alice = personas.sam, personas.alice_user
    q1 = open_period(
        actor=None, organisation=personas.branch_a, label="2025-Q1",
        starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31),
    )  # fmt: skip
    approved = declare(personas, evidence=[png_upload()])
    approve_declaration(actor=sam, declaration=approved, today=dt.date(2025, 4, 1))
    summarise_period(actor=sam, period=q1, today=dt.date(2025, 4, 2))
    publicise_period(actor=sam, period=q1, today=dt.date(2025, 4, 3))
    appeal = file_appeal(
        actor=alice, period=q1, reason="分数有误", idempotency_key=uuid.uuid4(),
        today=dt.date(2025, 4, 5),
    )  # fmt: skip
    investigate_appeal(actor=sam, appeal=appeal)
    dismiss_appeal(actor=sam, appeal=appeal, reason="核查无误", today=dt.date(2025, 4, 6))
    archive_period(actor=sam, period=q1, today=dt.date(2025, 4, 8))
    filing = file_period(actor=sam, period=q1)
    pending = declare(
        personas, item_code="honor_municipal", occurred_on=dt.date(2025, 5, 4),
        honor_key="2025-市优秀党员", description="获市级优秀党员",
    )  # fmt: skip
    q1.refresh_from_db()
    appeal.refresh_from_db()
    return World(personas, q1, approved, pending, approved.evidence.get(), appeal, filing)
