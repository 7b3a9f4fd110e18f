"""Attestations over the API: a one-time link whose token is shown once and never stored
(not even in the idempotency record), and the scorekeeper's in-person attestation."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from jifen.api.models import IdempotencyRecord
from jifen.meetings.models import Attestation

pytestmark = pytest.mark.django_db


def test_the_link_token_is_shown_once_and_only_its_hash_is_kept(callers: Any, world: Any) -> None:
    path = f"/api/declarations/{world.pending.pk}/attestations/link"
    first = callers.alice.post(path, {"days": 3}, key="link-1")
    assert first.status_code == 201
    token = first.json()["token"]
    assert token and first.json()["attestation"]["method"] == "link"
    stored = Attestation.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    record = IdempotencyRecord.objects.get(key="link-1")
    assert token not in str(record.response_body)
    replay = callers.alice.post(path, {"days": 3}, key="link-1")
    assert replay.json()["token"] is None
    assert replay.json()["attestation"] == first.json()["attestation"]
    assert Attestation.objects.count() == 1


def test_a_decided_declaration_takes_no_attestation(callers: Any, world: Any) -> None:
    path = f"/api/declarations/{world.approved.pk}/attestations/link"
    response = callers.alice.post(path, {"days": 3})
    assert response.status_code == 422
    assert "待审核" in response.json()["detail"]


def test_sam_records_an_in_person_attestation(callers: Any, world: Any) -> None:
    path = f"/api/declarations/{world.pending.pk}/attestations/in-person"
    body = {"name": "张邻居", "attested_on": "2025-05-06", "result": "confirmed"}
    response = callers.sam.post(path, body)
    assert response.status_code == 201
    assert response.json()["result"] == "confirmed"
    assert callers.alice.post(path, body).status_code == 403
    listed = callers.alice.get(f"/api/declarations/{world.pending.pk}/attestations").json()
    assert [a["attester_name"] for a in listed["items"]] == ["张邻居"]


def test_bob_cannot_reach_the_declaration(callers: Any, world: Any) -> None:
    base = f"/api/declarations/{world.pending.pk}/attestations"
    assert callers.bob.get(base).status_code == 404
    assert callers.bob.post(f"{base}/link", {"days": 3}).status_code == 404
    assert not Attestation.objects.exists()
