"""Helpers of the meetings tests: more members for a branch, a branch under scheme 001,
clients signed in as a persona."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from jifen.ledger.services import advance_period, open_period
from jifen.members.models import Member
from jifen.orgs.services import create_organisation, grant_role

TODAY = dt.date(2026, 6, 30)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_members(branch: Any, count: int, prefix: str = "党员") -> list[Member]:
    """Plain members, written in one statement (the roster's own rules are not the point)."""
    Member.objects.bulk_create(
        Member(tenant_id=branch.tenant_id, branch=branch, name=f"{prefix}{i:03d}", gender="M")
        for i in range(count)
    )
    return list(Member.objects.filter(branch=branch, name__startswith=prefix).order_by("name"))


def archived_period(branch: Any, label: str, starts_on: dt.date, ends_on: dt.date) -> Any:
    period = open_period(
        actor=None, organisation=branch, label=label, starts_on=starts_on, ends_on=ends_on
    )
    for state in ("summarised", "publicised", "archived"):
        period = advance_period(actor=None, period=period, to=state)
    return period


@pytest.fixture
def branch_s001(personas: Any) -> Any:
    """A third branch, under scheme 001 (absent −2, on leave −1), kept by Sam too."""
    branch = create_organisation(
        actor=None, name="丙村支部", code="D-1-C", kind="branch", parent=personas.committee,
        sector="village", scheme_code="s001",
    )  # fmt: skip
    grant_role(actor=None, user=personas.sam, role="scorekeeper", organisation=branch)
    return branch
