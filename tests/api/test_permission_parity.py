"""The API answers each persona as the pages do: the same scope, 404 for branch A's
objects outside one's reach, and nothing of branch A in any answer Bob gets.

One difference, on purpose: where a page refuses a whole list to someone without the role
(the workbench, the filing list: 403), the API answers the list with what that person's
scope holds — nothing — so that a client needs no special case."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from web.matrix_common import PERSONAS

pytestmark = pytest.mark.django_db

ALL_200 = dict.fromkeys(PERSONAS, 200) | {"anonymous": 401}


def meeting(world: Any) -> Any:
    """A theme day of branch A with Alice absent."""
    from jifen.meetings.services import create_meeting, save_attendance

    made = create_meeting(
        actor=None, branch=world.personas.branch_a, kind="theme_day",
        held_on=dt.date(2025, 5, 10), title="主题党日", idempotency_key=uuid.uuid4(),
        today=dt.date(2025, 5, 10),
    )  # fmt: skip
    save_attendance(actor=None, meeting=made, statuses={world.personas.alice.pk: "absent"})
    return made


def exemption(world: Any) -> Any:
    from jifen.members.services import request_exemption

    return request_exemption(
        actor=world.personas.sam, member=world.personas.alice, reason="长期患病",
        starts_on=dt.date(2025, 1, 1),
    )  # fmt: skip


def row(status: int, **exceptions: int) -> dict[str, int]:
    return {**dict.fromkeys(PERSONAS, status), "anonymous": 401, **exceptions}


# path (from the world) → status per persona; the page each mirrors is named.
READS: dict[str, tuple[Callable[[Any], str], dict[str, int]]] = {
    "me": (lambda w: "/api/me", ALL_200),
    "my card (my_card)": (lambda w: "/api/me/card", ALL_200),
    "my years (my_year)": (lambda w: "/api/me/years", ALL_200),
    "roster (member_list)": (lambda w: "/api/members", ALL_200),
    "member (member_detail)": (
        lambda w: f"/api/members/{w.personas.alice.pk}",
        row(404, alice=200, sam=200, carol=200),
    ),
    "results": (
        lambda w: f"/api/members/{w.personas.alice.pk}/results",
        row(404, alice=200, sam=200, carol=200),
    ),
    "my declarations": (lambda w: "/api/declarations/mine", ALL_200),
    "to review (workbench)": (lambda w: "/api/declarations/to-review", ALL_200),
    "declaration (declaration_review)": (
        lambda w: f"/api/declarations/{w.pending.pk}",
        row(404, alice=200, sam=200),
    ),
    "evidence (evidence_file)": (
        lambda w: f"/api/declarations/evidence/{w.evidence.pk}",
        row(404, alice=200, sam=200),
    ),
    "attestations (attestation_request)": (
        lambda w: f"/api/declarations/{w.pending.pk}/attestations",
        row(404, alice=200, sam=200),
    ),
    "declarable items (declare)": (lambda w: "/api/items/declarable", ALL_200),
    "registrable items (register_entries)": (
        lambda w: f"/api/items/registrable?branch_id={w.personas.branch_a.pk}",
        row(404, sam=200),
    ),
    "ledger": (lambda w: "/api/ledger/entries", ALL_200),
    "entry": (
        lambda w: f"/api/ledger/entries/{w.approved.ledger_entry_id}",
        row(404, alice=200, sam=200, carol=200),
    ),
    "periods (workbench)": (lambda w: "/api/periods", ALL_200),
    "period (period_detail)": (lambda w: f"/api/periods/{w.period.pk}", row(404, sam=200)),
    "period results": (lambda w: f"/api/periods/{w.period.pk}/results", row(404, sam=200)),
    "my appeals": (lambda w: "/api/appeals/mine", ALL_200),
    "appeals to handle": (lambda w: "/api/appeals/to-handle", ALL_200),
    "appeal (appeal_handle)": (
        lambda w: f"/api/appeals/{w.appeal.pk}",
        row(404, alice=200, sam=200),
    ),
    "filings (filing_list)": (lambda w: "/api/filings", ALL_200),
    "filing (filing_review)": (lambda w: f"/api/filings/{w.filing.pk}", row(404, carol=200)),
    "notifications": (lambda w: "/api/notifications", ALL_200),
    "years (year_index)": (lambda w: "/api/years", ALL_200),
    "year (year_overview)": (
        lambda w: f"/api/years/{w.personas.branch_a.pk}/2025",
        row(404, sam=200, carol=200),
    ),
    "year results (year_results)": (
        lambda w: f"/api/years/{w.personas.branch_a.pk}/2025/results",
        row(404, sam=200, carol=200),
    ),
    "year lists (year_list)": (
        lambda w: f"/api/years/{w.personas.branch_a.pk}/2025/lists",
        row(404, sam=200, carol=200),
    ),
    "exemptions (exemption_list)": (lambda w: "/api/exemptions", ALL_200),
    "exemption (exemption_decide)": (
        lambda w: f"/api/exemptions/{exemption(w).pk}",
        row(404, sam=200, carol=200),
    ),
    "meetings (meeting_list)": (lambda w: "/api/meetings", ALL_200),
    "meeting (meeting_detail)": (lambda w: f"/api/meetings/{meeting(w).pk}", row(404, sam=200)),
    "attendance (meeting_attendance)": (
        lambda w: f"/api/meetings/{meeting(w).pk}/attendance",
        row(404, sam=200),
    ),
    "meeting entries": (lambda w: f"/api/meetings/{meeting(w).pk}/entries", row(404, sam=200)),
    "board (publicity_board)": (
        lambda w: f"/api/board/{w.period.pk}",
        dict.fromkeys(PERSONAS, 200),
    ),
    "board rows": (lambda w: f"/api/board/{w.period.pk}/rows", dict.fromkeys(PERSONAS, 200)),
    "branch boards (branch_boards)": (
        lambda w: f"/api/board/branch/{w.personas.branch_a.pk}",
        dict.fromkeys(PERSONAS, 200),
    ),
}
PUBLIC = {"board (publicity_board)", "board rows", "branch boards (branch_boards)"}


@pytest.mark.parametrize("name", sorted(READS))
def test_each_persona_gets_what_the_pages_give(name: str, callers: Any, world: Any) -> None:
    path_of, expected = READS[name]
    path = path_of(world)
    got = {persona: callers[persona].get(path).status_code for persona in PERSONAS}
    assert got == expected
    if name not in PUBLIC:
        answer = callers.bob.get(path).content.decode()
        assert "甲支部" not in answer and "王爱丽" not in answer


def test_every_read_operation_of_the_document_is_in_the_table(world: Any) -> None:
    from jifen.api.main import api

    paths = api.get_openapi_schema()["paths"]
    gets = {p for p, ops in paths.items() if "get" in ops}
    covered = set()
    for path_of, _ in READS.values():
        concrete = path_of(world).split("?")[0]
        for template in gets:
            parts, real = template.split("/"), concrete.split("/")
            if len(parts) == len(real) and all(
                a == b or a.startswith("{") for a, b in zip(parts, real, strict=True)
            ):
                covered.add(template)
    assert covered == gets
