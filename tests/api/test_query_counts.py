"""No list issues a query per row: the number of queries of each list is the same with a
few rows as with many more."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jifen.ledger.services import open_period
from jifen.members.services import create_member
from jifen.workflow.services import create_declaration

pytestmark = pytest.mark.django_db

SAM_LISTS = [
    "/api/members",
    "/api/declarations/to-review",
    "/api/ledger/entries",
    "/api/periods",
    "/api/notifications",
    "/api/meetings",
]
ALICE_LISTS = ["/api/declarations/mine", "/api/notifications"]


def counts(caller: Any, paths: list[str]) -> dict[str, tuple[int, int]]:
    """path → (queries, rows on the page)."""
    out = {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = caller.get(path, page_size=200)
        assert response.status_code == 200, path
        out[path] = (len(queries), len(response.json()["items"]))
    return out


def grow(personas: Any) -> None:
    """More of everything the lists show."""
    from jifen.meetings.services import create_meeting

    branch = personas.branch_a
    ids = [
        create_member(actor=None, branch=branch, name=f"新成员{n}", gender="M").pk for n in range(6)
    ]
    for n in range(6):
        create_declaration(
            actor=personas.alice_user, member=personas.alice, item_code="honor_company",
            occurred_on=dt.date(2025, 6, 1 + n), description="表彰", honor_key=f"荣誉{n}",
            idempotency_key=uuid.uuid4(),
        )  # fmt: skip
        open_period(
            actor=None, organisation=branch, label=f"2024-{n + 1:02d}",
            starts_on=dt.date(2024, n + 1, 1), ends_on=dt.date(2024, n + 1, 28),
        )  # fmt: skip
        create_meeting(
            actor=None, branch=branch, kind="theme_day", held_on=dt.date(2025, 6, 1 + n),
            title=f"第{n}次", idempotency_key=uuid.uuid4(), today=dt.date(2025, 7, 1),
        )  # fmt: skip
    from jifen.meetings.registration import register_entries
    from jifen.workflow.notifications import notify
    from jifen.workflow.states import NotificationKind

    for n in range(6):
        notify(
            recipients=[personas.sam.pk, personas.alice_user.pk],
            kind=NotificationKind.DECLARATION_TO_REVIEW, message=f"通知{n}",
        )  # fmt: skip

    register_entries(
        actor=personas.sam, branch=branch, member_ids=ids, item_code="service_activity",
        occurred_on=dt.date(2025, 6, 1), points=None, reason="缺席",
        idempotency_key=uuid.uuid4(), today=dt.date(2025, 7, 1),
    )  # fmt: skip


def test_lists_cost_the_same_queries_whatever_their_length(callers: Any, world: Any) -> None:
    callers.sam.get("/api/me")  # the token's last-used stamp is written once a minute
    callers.alice.get("/api/me")
    before = counts(callers.sam, SAM_LISTS), counts(callers.alice, ALICE_LISTS)
    grow(world.personas)
    after = counts(callers.sam, SAM_LISTS), counts(callers.alice, ALICE_LISTS)
    for small, large in zip(before, after, strict=True):
        for path in small:
            assert large[path][1] > small[path][1], f"{path} did not grow"
            assert large[path][0] == small[path][0], f"{path}: {small[path]} → {large[path]}"
