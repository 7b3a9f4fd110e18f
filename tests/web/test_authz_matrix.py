"""Who may open which page: every URL of `jifen.web.urls`, called with branch A's objects
by every persona. Nothing of branch A is ever shown to Bob (branch B) except on the
public board, which anybody may read once a period is publicised."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from jifen.web import urls as web_urls
from jifen.workflow.models import Appeal, Declaration, FilingReview
from web import (
    matrix_committee,
    matrix_exchange,
    matrix_meetings,
    matrix_reports,
    matrix_yearend,
)
from web.matrix_common import AWAY, LOGIN, PERSONAS, everyone, signed_in

pytestmark = pytest.mark.django_db

AREAS = (matrix_meetings, matrix_committee, matrix_yearend, matrix_reports, matrix_exchange)

# url name → (the arguments, built from the world) and the status for each persona.
ARGS: dict[str, Callable[[Any], list[Any]]] = {
    "member_detail": lambda w: [w.personas.alice.pk],
    "appeal_file": lambda w: [w.period.pk],
    "declaration_edit": lambda w: [w.pending.pk],
    "declaration_review": lambda w: [w.pending.pk],
    "evidence_file": lambda w: [w.evidence.pk],
    "period_detail": lambda w: [w.period.pk],
    "appeal_handle": lambda w: [w.appeal.pk],
    "filing_review": lambda w: [w.filing.pk],
    "publicity_board": lambda w: [w.period.pk],
    "branch_boards": lambda w: [w.personas.branch_a.pk],
}
MEMBER_ONLY = signed_in(403, alice=200)
MATRIX: dict[str, dict[str, int | str]] = {
    "home": signed_in(200),
    "login": {**everyone(AWAY), "anonymous": 200},
    "logout": everyone(405),  # POST only
    "member_list": signed_in(200),  # scoped: Bob's list holds branch B only
    "member_detail": signed_in(404, alice=200, sam=200, carol=200),
    "notifications": signed_in(200),
    "my_card": MEMBER_ONLY,
    "declare": MEMBER_ONLY,
    "my_declarations": MEMBER_ONLY,
    "declaration_edit": MEMBER_ONLY,
    "appeal_file": MEMBER_ONLY,
    "workbench": signed_in(403, sam=200, bob=200),
    "declaration_review": signed_in(404, sam=200),
    "evidence_file": signed_in(404, alice=200, sam=200),
    "period_detail": signed_in(404, sam=200),
    "appeal_handle": signed_in(404, sam=200),
    "filing_list": signed_in(403, carol=200),
    "filing_review": signed_in(404, carol=200),
    "publicity_board": everyone(200),
    "branch_boards": everyone(200),
    "healthz": everyone(200),
}
for _area in AREAS:
    ARGS.update(_area.ARGS)
    MATRIX.update(_area.ROWS)
PUBLIC = {"publicity_board", "branch_boards", "login", "healthz"}
for _area in AREAS:
    PUBLIC |= set(getattr(_area, "PUBLIC", ()))


def url_names() -> set[str]:
    return {p.name for p in web_urls.urlpatterns if isinstance(p, URLPattern) and p.name}


def test_the_matrix_covers_every_url_and_every_persona() -> None:
    assert set(MATRIX) == url_names()
    assert all(set(row) == set(PERSONAS) for row in MATRIX.values())


def client_for(world: Any, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        user = world.personas.alice_user if persona == "alice" else getattr(world.personas, persona)
        client.force_login(user)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_each_persona_as_the_matrix_says(world, persona: str) -> None:
    client = client_for(world, persona)
    alice = world.personas.alice
    wrong = []
    for name, row in sorted(MATRIX.items()):
        url = reverse(name, args=ARGS.get(name, lambda w: [])(world))
        response = client.get(url)
        expected = row[persona]
        if expected == LOGIN:
            ok = response.status_code == 302 and response["Location"].startswith(reverse("login"))
        elif expected == AWAY:
            ok = response.status_code == 302
        else:
            ok = response.status_code == expected
        if not ok:
            wrong.append((name, expected, response.status_code))
        if persona == "bob" and response.status_code == 200 and name not in PUBLIC:
            page = b"".join(response) if response.streaming else response.content
            text = page.decode(errors="replace")
            assert alice.name not in text and "甲支部" not in text, name
    assert wrong == []


def test_the_public_board_shows_names_and_scores_but_no_id_number_or_phone(world) -> None:
    alice = world.personas.alice
    page = Client().get(reverse("publicity_board", args=[world.period.pk])).content.decode()
    assert alice.name in page and "101.00" in page
    for secret in ("11010519491231002X", "13900001111", alice.id_number_masked, alice.phone_masked):
        assert secret not in page


def test_the_board_of_a_period_not_yet_publicised_is_not_found(personas) -> None:
    import datetime as dt

    from jifen.ledger.services import open_period
    from jifen.workflow.services import summarise_period

    q2 = open_period(
        actor=None, organisation=personas.branch_a, label="2025-Q2",
        starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2025, 6, 30),
    )  # fmt: skip
    assert Client().get(reverse("publicity_board", args=[q2.pk])).status_code == 404
    summarise_period(actor=personas.sam, period=q2, today=dt.date(2025, 7, 1))
    assert Client().get(reverse("publicity_board", args=[q2.pk])).status_code == 404


def rows() -> tuple[int, ...]:
    return (
        Declaration.objects.filter(state="submitted").count(),
        Appeal.objects.exclude(state="dismissed").count(),
        FilingReview.objects.exclude(state="submitted").count(),
    )


@pytest.mark.parametrize(
    ("name", "action", "extra"),
    [
        ("declaration_review", "approve", {}),
        ("declaration_review", "reject", {"reject-reason": "不符合"}),
        ("period_detail", "archive", {}),
        ("appeal_handle", "dismiss", {"dismiss-reason": "x"}),
        ("filing_review", "accept", {}),
        ("filing_review", "return", {"return-reason": "x"}),
    ],
)
def test_bob_cannot_act_on_branch_a_and_nothing_is_written(world, name, action, extra) -> None:
    client = client_for(world, "bob")
    before = rows()
    url = reverse(name, args=ARGS[name](world))
    response = client.post(url, {"action": action, **extra})
    assert response.status_code == 404
    assert rows() == before


def test_csrf_is_required_for_actions(world) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.personas.sam)
    url = reverse("declaration_review", args=[world.pending.pk])
    assert client.post(url, {"action": "approve"}).status_code == 403
    world.pending.refresh_from_db()
    assert world.pending.state == "submitted"
