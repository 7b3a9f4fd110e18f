"""Every class of change made behind the application's back is detected, and the first
bad entry named; an untouched ledger always verifies (reliability.md T1.2)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.ledger import post
from jifen.core.dbguards import GUARDED_TABLES, suspended
from jifen.ledger import chain
from jifen.ledger.models import ChainHead, LedgerEntry
from jifen.ledger.verify import Pin, checkpoint_document, make_checkpoint, verify_tenant

pytestmark = pytest.mark.django_db
ENTRIES = 120
BIG = 1_000_000_000


class Rollback(Exception):
    pass


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def change_value(tenant: int, k: int) -> None:
    sql("UPDATE ledger_ledgerentry SET points_hundredths = points_hundredths + 1"
        " WHERE tenant_id = %s AND seq = %s", [tenant, k])  # fmt: skip


def change_member(tenant: int, k: int) -> None:
    sql("UPDATE ledger_ledgerentry SET member_id = CASE"
        " WHEN member_id = (SELECT MIN(id) FROM members_member)"
        " THEN (SELECT MAX(id) FROM members_member) ELSE (SELECT MIN(id) FROM members_member)"
        " END WHERE tenant_id = %s AND seq = %s", [tenant, k])  # fmt: skip


def delete_row(tenant: int, k: int) -> None:
    sql("DELETE FROM ledger_ledgerentry WHERE tenant_id = %s AND seq = %s", [tenant, k])


def swap_rows(tenant: int, k: int) -> None:
    j = k + 3
    sql(
        "UPDATE ledger_ledgerentry SET seq = %s WHERE tenant_id = %s AND seq = %s", [BIG, tenant, k]
    )
    sql("UPDATE ledger_ledgerentry SET seq = %s WHERE tenant_id = %s AND seq = %s", [k, tenant, j])
    sql(
        "UPDATE ledger_ledgerentry SET seq = %s WHERE tenant_id = %s AND seq = %s", [j, tenant, BIG]
    )


def insert_forged(tenant: int, k: int) -> None:
    """Shift entries k.. up by one and put a forged entry at k, chained to k-1 but hashed
    with a guessed key."""
    sql("UPDATE ledger_ledgerentry SET seq = seq + %s WHERE tenant_id = %s AND seq >= %s",
        [BIG, tenant, k])  # fmt: skip
    sql("UPDATE ledger_ledgerentry SET seq = seq - %s WHERE tenant_id = %s AND seq >= %s",
        [BIG - 1, tenant, BIG])  # fmt: skip
    template = LedgerEntry.objects.filter(tenant_id=tenant, seq=k + 1).values()[0]
    prev = (
        LedgerEntry.objects.filter(tenant_id=tenant, seq=k - 1)
        .values_list("entry_hash", flat=True)
        .first()
    ) or chain.GENESIS
    import uuid

    forged = LedgerEntry(**{**template, "id": None, "seq": k, "uid": uuid.uuid4(),
                            "points_hundredths": 2000, "prev_hash": prev})  # fmt: skip
    forged.entry_hash = hmac.new(b"guess", b"forged", "sha256").hexdigest()
    forged.save()


def rewrite_without_key(tenant: int, k: int) -> None:
    """Change entry k, then re-hash everything from k on with a key that is not ours."""
    change_value(tenant, k)
    rows = LedgerEntry.objects.filter(tenant_id=tenant, seq__gte=k).order_by("seq")
    prev = (
        LedgerEntry.objects.filter(tenant_id=tenant, seq=k - 1)
        .values_list("entry_hash", flat=True)
        .first()
        or chain.GENESIS
    )
    for entry in rows:
        fields = chain.ChainFields(
            tenant, entry.seq, entry.uid, entry.member_id, entry.organisation_id,
            entry.item_code, entry.points_hundredths, entry.quantity, entry.occurred_on,
            entry.honor_key, entry.source, entry.evidence_sha256, None, entry.recorded_by_id,
            entry.approved_by_id, entry.recorded_at,
        )  # fmt: skip
        digest = chain.entry_hash(b"k" * 32, fields, prev)
        sql("UPDATE ledger_ledgerentry SET prev_hash = %s, entry_hash = %s WHERE id = %s",
            [prev, digest, entry.pk])  # fmt: skip
        prev = digest
    ChainHead.objects.filter(tenant_id=tenant).update(entry_hash=prev)


MUTATIONS: dict[str, Callable[[int, int], None]] = {
    "changed value": change_value,
    "changed member": change_member,
    "deleted row": delete_row,
    "two rows swapped": swap_rows,
    "forged row inserted": insert_forged,
    "history rewritten without the key": rewrite_without_key,
}


@pytest.fixture
def ledger(personas):
    post(personas.alice, ENTRIES // 2)
    post(personas.member_b, ENTRIES // 2, item="honor_company", honor_key="年度先进")
    return personas.district.pk


def tampered(tenant: int, mutate: Callable[[int, int], None], k: int) -> Any:
    """Apply one mutation with the triggers lifted (an attacker with owner rights), verify,
    and roll everything back."""
    problem = None
    try:
        with transaction.atomic():
            with suspended(GUARDED_TABLES):
                mutate(tenant, k)
            problem = verify_tenant(tenant)
            raise Rollback
    except Rollback:
        pass
    return problem


@pytest.mark.parametrize("name", MUTATIONS)
@pytest.mark.parametrize("k", [1, 37, ENTRIES - 4])
def test_each_class_of_tampering_is_detected_at_the_first_bad_entry(ledger, name, k) -> None:
    problem = tampered(ledger, MUTATIONS[name], k)
    assert problem is not None, name
    assert problem.seq == k, (name, str(problem))
    assert verify_tenant(ledger) is None  # rolled back: intact again


def test_the_tail_cut_behind_a_checkpoint_is_detected(ledger, personas) -> None:
    checkpoint = make_checkpoint(actor=None, tenant=personas.district, label="2025-Q1")
    exported = checkpoint_document(checkpoint, personas.district)
    pin = Pin(exported["seq"], exported["entry_hash"], "检查点文件")

    def cut_tail_and_cover_tracks(tenant: int, k: int) -> None:
        sql("DELETE FROM ledger_ledgerentry WHERE tenant_id = %s AND seq >= %s", [tenant, k])
        sql("DELETE FROM ledger_checkpoint WHERE tenant_id = %s", [tenant])
        last = LedgerEntry.objects.filter(tenant_id=tenant, seq=k - 1).get()
        ChainHead.objects.filter(tenant_id=tenant).update(seq=k - 1, entry_hash=last.entry_hash)

    cut_from = ENTRIES - 10
    try:
        with transaction.atomic():
            with suspended(GUARDED_TABLES):
                cut_tail_and_cover_tracks(ledger, cut_from)
            # Self-consistent without the exported checkpoint: why it is handed out.
            assert verify_tenant(ledger) is None
            problem = verify_tenant(ledger, [pin])
            raise Rollback
    except Rollback:
        pass
    assert problem is not None and problem.seq == cut_from
    assert "tail cut" in problem.reason


def test_the_stored_checkpoint_alone_catches_a_plain_tail_cut(ledger, personas) -> None:
    make_checkpoint(actor=None, tenant=personas.district, label="2025-Q1")
    from jifen.ledger.verify import stored_pins

    def cut(tenant: int, k: int) -> None:
        sql("DELETE FROM ledger_ledgerentry WHERE tenant_id = %s AND seq >= %s", [tenant, k])

    try:
        with transaction.atomic():
            with suspended(GUARDED_TABLES):
                cut(ledger, ENTRIES - 2)
            problem = verify_tenant(ledger, stored_pins(ledger))
            raise Rollback
    except Rollback:
        pass
    assert problem is not None and problem.seq == ENTRIES - 2


def test_an_untouched_ledger_verifies(ledger) -> None:
    assert verify_tenant(ledger) is None


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.sampled_from(sorted(MUTATIONS)), k=st.integers(1, ENTRIES - 4))
def test_any_single_random_mutation_is_detected(ledger, name: str, k: int) -> None:
    problem = tampered(ledger, MUTATIONS[name], k)
    assert problem is not None and problem.seq == k


def test_an_entry_moved_to_an_unknown_organisation_is_named(ledger) -> None:
    def orphan(tenant: int, k: int) -> None:
        sql("UPDATE ledger_ledgerentry SET organisation_id = 987654 WHERE tenant_id = %s"
            " AND seq = %s", [tenant, k])  # fmt: skip

    problem = tampered(ledger, orphan, 5)
    assert problem is not None and problem.seq == 5
