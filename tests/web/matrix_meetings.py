"""Authorisation-matrix rows for the pages of `jifen.web.urls_meetings`.

ARGS: url name → a function of the test world returning the URL's arguments (it may create
the objects of branch A it needs). ROWS: url name → status per persona (see test_authz_matrix).
The attestation link is public by its token: anyone holding a valid one may open it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from jifen.meetings.attestations import issue_link
from jifen.meetings.services import create_meeting
from web.matrix_common import everyone, signed_in


def _meeting(world: Any) -> list[Any]:
    meeting = create_meeting(
        actor=world.personas.sam, branch=world.personas.branch_a, kind="branch_assembly",
        held_on=dt.date(2025, 5, 6), title="甲支部党员大会", idempotency_key=uuid.uuid4(),
        today=dt.date(2025, 6, 1),
    )  # fmt: skip
    return [meeting.pk]


def _token(world: Any) -> list[Any]:
    issued = issue_link(
        actor=world.personas.sam, declaration=world.pending, idempotency_key=uuid.uuid4()
    )
    return [issued.token]


ARGS: dict[str, Callable[[Any], list[Any]]] = {
    "meeting_detail": _meeting,
    "meeting_attendance": _meeting,
    "attestation_request": lambda w: [w.pending.pk],
    "attest": _token,
    "attest_qr": _token,
}
KEEPERS = signed_in(403, sam=200, bob=200)  # Bob sees his own branch B only
ROWS: dict[str, dict[str, int | str]] = {
    "register_entries": KEEPERS,
    "meeting_list": KEEPERS,
    "meeting_create": KEEPERS,
    "meeting_detail": signed_in(404, sam=200),
    "meeting_attendance": signed_in(404, sam=200),
    "attestation_request": signed_in(404, sam=200, alice=200),  # Alice: her own declaration
    "attest": everyone(200),
    "attest_qr": everyone(200),
}
PUBLIC = {"attest", "attest_qr"}
