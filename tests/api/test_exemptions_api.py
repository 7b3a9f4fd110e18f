"""Exemptions over the API, by `jifen.members.services`: the scorekeeper requests, the
branch approves, the committee files; each step by the right person only."""

from __future__ import annotations

from typing import Any

import pytest

from jifen.members.models import Exemption

pytestmark = pytest.mark.django_db

BODY = {"reason": "长期患病", "starts_on": "2025-01-01"}


def test_request_then_branch_then_committee(callers: Any, personas: Any) -> None:
    asked = callers.sam.post("/api/exemptions", {**BODY, "member_id": personas.alice.pk})
    assert asked.status_code == 201
    exemption_id = asked.json()["id"]
    early = callers.carol.post(f"/api/exemptions/{exemption_id}/decide", {"approve": True})
    assert early.status_code == 422
    assert "须先由支部" in early.json()["detail"]
    branch = callers.sam.post(f"/api/exemptions/{exemption_id}/decide", {"approve": True})
    assert branch.json()["state"] == "branch_approved"
    filed = callers.carol.post(f"/api/exemptions/{exemption_id}/decide", {"approve": True})
    assert filed.json()["state"] == "filed"
    assert callers.carol.get("/api/exemptions", state="filed").json()["count"] == 1


def test_a_refusal_needs_a_reason(callers: Any, personas: Any) -> None:
    exemption_id = callers.sam.post(
        "/api/exemptions", {**BODY, "member_id": personas.alice.pk}
    ).json()["id"]
    bare = callers.sam.post(f"/api/exemptions/{exemption_id}/decide", {"approve": False})
    assert bare.status_code == 422
    refused = callers.sam.post(
        f"/api/exemptions/{exemption_id}/decide", {"approve": False, "note": "可以参加活动"}
    )
    assert refused.json()["state"] == "rejected"


def test_the_same_open_request_twice_is_refused(callers: Any, personas: Any) -> None:
    callers.sam.post("/api/exemptions", {**BODY, "member_id": personas.alice.pk})
    again = callers.sam.post("/api/exemptions", {**BODY, "member_id": personas.alice.pk})
    assert again.status_code == 422
    assert Exemption.objects.count() == 1


def test_bob_and_alice_cannot_reach_branch_a(callers: Any, personas: Any) -> None:
    for persona in ("bob", "alice", "carol"):
        response = callers[persona].post(
            "/api/exemptions", {**BODY, "member_id": personas.alice.pk}
        )
        assert response.status_code == 404
    exemption_id = callers.sam.post(
        "/api/exemptions", {**BODY, "member_id": personas.alice.pk}
    ).json()["id"]
    assert callers.bob.get(f"/api/exemptions/{exemption_id}").status_code == 404
    decided = callers.bob.post(f"/api/exemptions/{exemption_id}/decide", {"approve": True})
    assert decided.status_code == 404
    assert Exemption.objects.get().state == "requested"
