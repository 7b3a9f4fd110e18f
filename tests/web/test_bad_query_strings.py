"""Garbage in a page's query string is answered with a page (a message, or the default
choice), never a server error, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jifen.ledger.models import LedgerEntry
from jifen.reports.catalogue import REPORTS

pytestmark = pytest.mark.django_db

GARBAGE = [
    "",
    "abc",
    "-1",
    "99999999999999999999",
    "2025-13",
    "'; DROP TABLE x; --",
    "\x00",
    "中文",
]


def client_of(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def urls(world: Any) -> list[tuple[str, str, list[str]]]:
    """(persona, url, query parameters the page reads)."""
    branch = world.personas.branch_a.pk
    rows = [
        ("carol", reverse("dashboard"), ["year", "period"]),
        ("carol", reverse("scheme_list"), ["organisation"]),
        ("sam", reverse("register_entries"), ["branch"]),
        ("sam", reverse("exchange_import"), ["organisation"]),
        ("sam", reverse("exemption_request"), ["member"]),
        ("sam", reverse("report_card", args=[world.personas.alice.pk]), ["as"]),
    ]
    for slug in REPORTS:
        rows.append(
            ("sam", reverse(f"report_{slug}", args=[branch]), ["as", "period", "year", "threshold"])
        )
    return rows


def test_no_query_string_makes_a_server_error_or_writes(world) -> None:
    clients = {"carol": client_of(world.personas.carol), "sam": client_of(world.personas.sam)}
    before = LedgerEntry.objects.count()
    errors = []
    for persona, url, params in urls(world):
        for name in params:
            for value in GARBAGE:
                status = clients[persona].get(url, {name: value}).status_code
                if status >= 500:
                    errors.append((url, name, value, status))
    assert errors == []
    assert LedgerEntry.objects.count() == before


def test_a_nul_character_in_the_query_string_is_refused_with_a_reason(world) -> None:
    page = client_of(world.personas.sam).get(reverse("reports_index"), {"period": "2025\x00"})
    assert page.status_code == 400 and "空字符" in page.content.decode()
