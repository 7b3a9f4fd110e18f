"""Idempotency keys: the same key and body replay the first answer and write nothing;
the same key with another body is refused; without a key a create is refused."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from jifen.api.models import IdempotencyRecord
from jifen.core.models import AuditEvent
from jifen.ledger.models import LedgerEntry
from jifen.workflow.models import Declaration

pytestmark = pytest.mark.django_db

HONOR = {
    "item_code": "honor_company",
    "occurred_on": "2025-02-10",
    "description": "获公司级先进个人",
    "honor_key": "2025-先进个人",
}


def test_the_same_key_twice_returns_the_first_answer_and_writes_once(callers: Any) -> None:
    first = callers.alice.post("/api/declarations", HONOR, key="decl-1")
    audit_rows = AuditEvent.objects.count()
    again = callers.alice.post("/api/declarations", HONOR, key="decl-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert first["Idempotent-Replayed"] == "false"
    assert again["Idempotent-Replayed"] == "true"
    assert Declaration.objects.count() == 1
    assert IdempotencyRecord.objects.filter(key="decl-1").count() == 1
    assert AuditEvent.objects.count() == audit_rows  # the replay wrote nothing


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(callers: Any) -> None:
    callers.alice.post("/api/declarations", HONOR, key="decl-2")
    other = {**HONOR, "honor_key": "2025-另一个荣誉"}
    refused = callers.alice.post("/api/declarations", other, key="decl-2")
    assert refused.status_code == 422
    assert "Idempotency-Key" in refused.json()["detail"]
    assert Declaration.objects.count() == 1


def test_the_same_key_on_another_operation_is_refused(callers: Any, world: Any) -> None:
    callers.sam.post(
        f"/api/declarations/{world.pending.pk}/return", {"reason": "补充材料"}, key="k"
    )
    refused = callers.sam.post(
        f"/api/declarations/{world.pending.pk}/reject", {"reason": "补充材料"}, key="k"
    )
    assert refused.status_code == 422
    world.pending.refresh_from_db()
    assert world.pending.state == "returned"


def test_key_order_and_spacing_of_the_json_do_not_make_another_request(callers: Any) -> None:
    first = callers.alice.post("/api/declarations", HONOR, key="decl-3")
    reordered = dict(reversed(list(HONOR.items())))
    again = callers.alice.post("/api/declarations", reordered, key="decl-3")
    assert again.json() == first.json()
    assert Declaration.objects.count() == 1


def test_keys_belong_to_their_user(callers: Any, personas: Any) -> None:
    callers.alice.post("/api/declarations", HONOR, key="shared")
    register = {
        "branch_id": personas.branch_a.pk, "member_ids": [personas.alice.pk],
        "item_code": "service_activity", "occurred_on": "2025-03-01", "reason": "缺席",
    }  # fmt: skip
    response = callers.sam.post("/api/ledger/entries", register, key="shared")
    assert response.status_code == 201
    assert IdempotencyRecord.objects.filter(key="shared").count() == 2


def test_a_create_without_a_key_is_refused_with_400(callers: Any) -> None:
    response = callers.alice.post("/api/declarations", HONOR, key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert Declaration.objects.count() == 0


def test_a_refused_request_stores_no_answer_so_the_key_may_be_retried(callers: Any) -> None:
    late = {**HONOR, "occurred_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}
    refused = callers.alice.post("/api/declarations", late, key="retry")
    assert refused.status_code == 422
    assert not IdempotencyRecord.objects.filter(key="retry").exists()


def test_a_retried_approval_writes_one_ledger_entry(callers: Any, world: Any) -> None:
    before = LedgerEntry.objects.count()
    path = f"/api/declarations/{world.pending.pk}/approve"
    first = callers.sam.post(path, {"note": "属实"}, key="approve-1")
    again = callers.sam.post(path, {"note": "属实"}, key="approve-1")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["state"] == "approved"
    assert LedgerEntry.objects.count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_have_one_effect(personas: Any) -> None:
    from api.conftest import Caller, token_for

    token = token_for(personas.sam)
    body = {
        "branch_id": personas.branch_a.pk, "member_ids": [personas.alice.pk],
        "item_code": "service_activity", "occurred_on": "2025-03-01", "reason": "并发",
    }  # fmt: skip
    answers: list[Any] = []
    start = threading.Barrier(4)

    def press() -> None:
        try:
            start.wait()
            answers.append(Caller(token).post("/api/ledger/entries", body, key="same-press"))
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 4
    # The same answer (PostgreSQL's jsonb keeps the keys in its own order, so compare values).
    assert all(a.json() == answers[0].json() for a in answers)
    assert sorted(a["Idempotent-Replayed"] for a in answers) == ["false", "true", "true", "true"]
    assert LedgerEntry.objects.filter(note="并发").count() == 1
    assert IdempotencyRecord.objects.filter(key="same-press").count() == 1


def test_old_records_are_pruned_and_recent_ones_kept(callers: Any) -> None:
    import io

    from django.core.management import call_command
    from django.utils import timezone

    callers.alice.post("/api/declarations", HONOR, key="old")
    callers.alice.post("/api/declarations", {**HONOR, "honor_key": "新"}, key="new")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    out = io.StringIO()
    call_command("idempotency", "prune", stdout=out)
    assert "1" in out.getvalue()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
