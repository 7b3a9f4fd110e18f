"""Builders for the year-end tests.

- `year_a`: branch A (s002: quarters averaged; 优秀 ≥ 98, 良好 ≥ 95, 合格 ≥ 92, else 不合格)
  in 2025: Alice, Ann and Andy have no deductions (100); Dora lost 10 in Q1 (97.5, 良好);
  Paul, a probationary member, lost 15 in Q1 and Q2 (92.5, 合格); Victor broke discipline
  (veto: 0, 不合格).
- `village`: a branch under the same committee on s000b (0.7 × daily + 0.3 × appraisal),
  run by Sam, with three members and no entries (daily 100 each).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from helpers.ledger import draft
from jifen.ledger.services import post_entry
from jifen.members.models import MemberStatus
from jifen.members.services import create_member
from jifen.orgs.services import create_organisation, grant_role

NEXT_YEAR = dt.date(2026, 1, 5)


def member(branch: Any, name: str, **extra: Any) -> Any:
    return create_member(actor=None, branch=branch, name=name, gender="M", **extra)


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def year_a(personas: Any) -> dict[str, Any]:
    branch = personas.branch_a
    people = {
        "alice": personas.alice,
        "ann": member(branch, "安妮"),
        "andy": member(branch, "安迪"),
        "dora": member(branch, "朵拉"),
        "paul": member(branch, "保罗", status=MemberStatus.PROBATIONARY),
        "victor": member(branch, "维克多"),
    }
    for entry in (
        draft(people["dora"], item="perf_delay_daily", points="-10", month=2),
        draft(people["paul"], item="perf_delay_key", points="-15", month=2),
        draft(people["paul"], item="perf_delay_key", points="-15", month=5),
        draft(people["victor"], item="veto_discipline", points="0", month=6),
    ):
        post_entry(actor=None, draft=entry)
    return people


@pytest.fixture
def village(personas: Any) -> Any:
    branch = create_organisation(
        actor=None, name="白沙村支部", code="D-1-V", kind="branch", parent=personas.committee,
        sector="village", scheme_code="s000b",
    )  # fmt: skip
    grant_role(actor=None, user=personas.sam, role="scorekeeper", organisation=branch)
    branch.people = [member(branch, name) for name in ("张一", "张二", "张三")]
    return branch
