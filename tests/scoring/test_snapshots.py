"""Result snapshots: written whole with an audit row, read back as written, append-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from jifen.core.models import AuditEvent
from jifen.members.models import Member
from jifen.scoring import selectors, services
from jifen.scoring.models import MemberResult, ResultSnapshot
from jifen.scoring.scope import resolve_scope
from jifen.scoring.selectors import snapshot_results, snapshots_of
from jifen.scoring.services import RESULT_SNAPSHOT, summarise

D = Decimal


def rows_of(snapshot: ResultSnapshot) -> list[tuple[Any, ...]]:
    return list(
        snapshot_results(snapshot).values_list(
            "member_id",
            "total_hundredths",
            "grade",
            "veto",
            "rank",
            "category_rank",
            "dimensions",
            "bonus_hundredths",
            "deductions_hundredths",
        )  # fmt: skip
    )


@pytest.fixture
def q1(world: Any, personas: Any) -> Any:
    world.post(
        [
            (personas.alice, "study_absent", D(-1), dt.date(2025, 2, 3), 1, ""),
            (personas.alice, "honor_provincial", D(5), dt.date(2025, 3, 3), 1, "先进个人"),
            (personas.member_b, "perf_delay_temp", D(-5), dt.date(2025, 1, 9), 1, ""),
        ]
    )
    return resolve_scope(tenant=world.tenant, organisation=personas.committee, period="2025-Q1")


@pytest.mark.django_db
def test_a_summary_writes_the_snapshot_its_rows_and_an_audit_row(q1: Any, personas: Any) -> None:
    done = summarise(actor=None, scope=q1)
    snapshot = done.snapshot
    assert (snapshot.scheme_code, snapshot.scheme_version) == ("s002", 1)
    assert snapshot.period == "2025-Q1"
    assert snapshot.organisation == personas.committee and snapshot.member_count == 2
    assert snapshot.inputs_hash == done.evaluation.inputs_hash
    assert rows_of(snapshot) == [
        (
            personas.alice.pk, 10400, "优秀", "", 1, 1,
            {"study": "9.00", "service": "20.00", "duty": "20.00", "performance": "30.00",
             "integrity": "10.00", "promise": "10.00"},
            500, 0,
        ),
        (
            personas.member_b.pk, 9500, "良好", "", 2, 2,
            {"study": "10.00", "service": "20.00", "duty": "20.00", "performance": "25.00",
             "integrity": "10.00", "promise": "10.00"},
            0, 0,
        ),
    ]  # fmt: skip
    alice = snapshot_results(snapshot).first()
    assert alice is not None and alice.total == D("104.00") and alice.branch == personas.branch_a
    event = AuditEvent.objects.get(action=RESULT_SNAPSHOT)
    assert event.target_id == str(snapshot.pk)
    assert event.changes["inputs_hash"] == snapshot.inputs_hash


@pytest.mark.django_db
def test_a_snapshot_does_not_change_when_entries_are_posted_later(
    q1: Any, world: Any, personas: Any
) -> None:
    snapshot = summarise(actor=None, scope=q1).snapshot
    before = rows_of(snapshot)
    posted = world.post([(personas.alice, "veto_safety", D(0), dt.date(2025, 2, 9), 1, "")])
    world.post([(personas.member_b, "study_notes", D(-1), dt.date(2025, 3, 9), 1, "")])
    world.reverse(posted[0])
    world.post([(personas.alice, "perf_delay_key", D(-15), dt.date(2025, 1, 20), 1, "")])
    assert rows_of(snapshot) == before
    again = summarise(actor=None, scope=q1).snapshot
    assert again.pk != snapshot.pk and again.inputs_hash != snapshot.inputs_hash
    assert rows_of(again) != before
    assert list(snapshots_of(personas.committee, period="2025-Q1")) == [again, snapshot]


@pytest.mark.django_db
def test_snapshot_rows_refuse_changes_in_python_and_in_the_database(q1: Any) -> None:
    snapshot = summarise(actor=None, scope=q1).snapshot
    row = snapshot_results(snapshot).first()
    assert row is not None
    with pytest.raises(PermissionError, match="只可追加"):
        row.save()
    with pytest.raises(PermissionError, match="只可追加"):
        MemberResult.objects.filter(snapshot=snapshot).update(rank=9)
    with pytest.raises(PermissionError, match="只可追加"):
        snapshot.delete()
    for table, column, value in (
        ("scoring_memberresult", "rank", 9),
        ("scoring_resultsnapshot", "member_count", 0),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET {column} = %s", [value])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table}")
    assert rows_of(snapshot)[0][4] == 1


@pytest.mark.django_db
def test_only_a_scorekeeper_of_the_subtree_may_summarise(world: Any, personas: Any) -> None:
    scope = resolve_scope(tenant=world.tenant, organisation=personas.branch_a, period="2025")
    with pytest.raises(PermissionDenied):
        summarise(actor=personas.bob, scope=scope)
    assert not ResultSnapshot.objects.exists()
    snapshot = summarise(actor=personas.sam, scope=scope).snapshot
    assert snapshot.created_by == personas.sam and snapshot.member_count == 1


@pytest.mark.django_db
def test_the_full_path_writes_the_same_snapshot_rows_as_the_fast_path(
    q1: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheme with item limits summarises through `evaluate_scope`'s full path and its own
    row builder; forced here on s002, whose rows the fast path wrote above."""
    fast = summarise(actor=None, scope=q1)
    monkeypatch.setattr(services, "fast_path_supported", lambda scheme: False)
    monkeypatch.setattr(selectors, "fast_path_supported", lambda scheme: False)
    full = summarise(actor=None, scope=q1)
    assert not full.evaluation.fast  # type: ignore[union-attr]
    assert full.snapshot.inputs_hash != fast.snapshot.inputs_hash  # another canonical form
    assert rows_of(full.snapshot) == rows_of(fast.snapshot)
    ids = list(MemberResult.objects.filter(snapshot=full.snapshot).values_list("member_id", "pk"))
    assert ids == sorted(ids)  # written in member order


@pytest.mark.django_db
def test_free_text_reaches_the_snapshot_as_it_is(
    q1: Any, personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the rows go in as COPY text, rendered by each part (fast path) or by
    the writer (full path): a backslash, a tab or a line end in a member's category must
    not shift or change a column."""
    odd = "机关\\N\t第一\\支部\r\n"
    Member.objects.filter(pk=personas.alice.pk).update(category=odd)
    fast = summarise(actor=None, scope=q1).snapshot
    monkeypatch.setattr(services, "fast_path_supported", lambda scheme: False)
    monkeypatch.setattr(selectors, "fast_path_supported", lambda scheme: False)
    full = summarise(actor=None, scope=q1).snapshot
    for snapshot in (fast, full):
        row = MemberResult.objects.get(snapshot=snapshot, member=personas.alice)
        assert (row.category, row.total_hundredths, row.rank) == (odd, 10400, 1)
    assert rows_of(full) == rows_of(fast)
