"""Evaluating a tenant or a subtree over the database: scope, effective entries, queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from jifen.scoring.scope import ScopeError, find_organisations, resolve_scope
from jifen.scoring.selectors import evaluate_scope

D = Decimal


def result_of(evaluation: Any, member: Any) -> Any:
    found = evaluation.evaluation.result(str(member.pk))
    assert found is not None
    return found


@pytest.mark.django_db
def test_a_reversed_entry_and_its_reversal_both_leave_the_result(world: Any, personas: Any) -> None:
    alice = personas.alice
    posted = world.post(
        [
            (alice, "study_absent", D(-1), dt.date(2025, 2, 3), 1, ""),
            (alice, "perf_delay_key", D(-15), dt.date(2025, 2, 4), 1, ""),
            (alice, "service_complaint", D(-2), dt.date(2025, 5, 6), 2, ""),
        ]
    )
    # One reversal in the same quarter, one dated in the next year: both cancel.
    world.reverse(posted[1])
    world.reverse(posted[2], on=dt.date(2026, 1, 15))
    scope = resolve_scope(tenant=world.tenant, organisation=None, period="2025-Q1")
    result = result_of(evaluate_scope(scope), alice)
    assert result.dimensions["study"] == D(9)
    assert result.dimensions["performance"] == D(30)
    year = result_of(
        evaluate_scope(resolve_scope(tenant=world.tenant, organisation=None, period="2025")),
        alice,
    )
    assert year.dimensions["service"] == D(20)


@pytest.mark.django_db
def test_the_earliest_veto_is_the_one_with_the_earliest_entry_not_the_smallest_seq(
    world: Any, personas: Any
) -> None:
    alice = personas.alice
    # veto_discipline's smallest seq is on 10 March, but its earliest entry (3 March) was
    # recorded after veto_safety's entry of the same day: veto_safety came first.
    world.post([(alice, "veto_discipline", D(0), dt.date(2025, 3, 10), 1, "")])
    world.post([(alice, "veto_safety", D(0), dt.date(2025, 3, 3), 1, "")])
    world.post([(alice, "veto_discipline", D(0), dt.date(2025, 3, 3), 1, "")])
    scope = resolve_scope(tenant=world.tenant, organisation=None, period="2025-Q1")
    result = result_of(evaluate_scope(scope), alice)
    assert (result.veto, result.total, result.grade) == ("veto_safety", D(0), "不合格")


@pytest.mark.django_db
def test_a_subtree_evaluates_the_members_of_its_branches_under_the_scheme(
    world: Any, personas: Any
) -> None:
    village = world.branch("s004")
    villager = world.member(village, category="B")
    world.post([(villager, "flood_control", D(3), dt.date(2025, 7, 9), 1, "")])

    with pytest.raises(ScopeError, match="多个积分办法"):
        resolve_scope(tenant=world.tenant, organisation=None, period="2025")
    company = evaluate_scope(
        resolve_scope(tenant=world.tenant, organisation=None, period="2025", scheme_code="s002")
    )
    assert {r.member.id for r in company.results} == {
        str(personas.alice.pk),
        str(personas.member_b.pk),
    }
    only_a = evaluate_scope(
        resolve_scope(tenant=world.tenant, organisation=personas.branch_a, period="2025")
    )
    assert [r.member.id for r in only_a.results] == [str(personas.alice.pk)]
    committee = personas.committee
    villagers = evaluate_scope(
        resolve_scope(
            tenant=world.tenant, organisation=committee, period="2025-07", scheme_code="s004"
        )
    )
    [result] = villagers.results
    assert (result.total, result.rank, result.category_rank) == (D(63), 1, 1)


@pytest.mark.django_db
def test_bad_scopes_are_refused_in_chinese(world: Any, personas: Any) -> None:
    with pytest.raises(ScopeError, match="没有代码为 'X' 的租户"):
        find_organisations("X")
    with pytest.raises(ScopeError, match="没有代码为 'nope' 的党组织"):
        find_organisations("D", "nope")
    with pytest.raises(ScopeError, match="没有使用积分办法 's001'"):
        resolve_scope(tenant=world.tenant, organisation=None, period="2025", scheme_code="s001")
    with pytest.raises(ScopeError, match="期间 '2025-Q5' 无效"):
        resolve_scope(tenant=world.tenant, organisation=None, period="2025-Q5")


@pytest.mark.django_db
def test_a_filed_exemption_that_overlaps_the_period_leaves_the_member_unscored(
    world: Any, personas: Any
) -> None:
    world.exempt(personas.alice, dt.date(2025, 5, 1), dt.date(2025, 6, 30))
    q2 = evaluate_scope(resolve_scope(tenant=world.tenant, organisation=None, period="2025-Q2"))
    exempt = result_of(q2, personas.alice)
    assert (exempt.total, exempt.grade, exempt.rank) == (None, None, None)
    q3 = evaluate_scope(resolve_scope(tenant=world.tenant, organisation=None, period="2025-Q3"))
    assert result_of(q3, personas.alice).total == D(100)


@pytest.mark.django_db
def test_the_same_ledger_gives_the_same_inputs_hash_and_a_new_entry_changes_it(
    world: Any, personas: Any
) -> None:
    world.post([(personas.alice, "study_absent", D(-1), dt.date(2025, 2, 3), 1, "")])
    scope = resolve_scope(tenant=world.tenant, organisation=None, period="2025")
    first, again = evaluate_scope(scope), evaluate_scope(scope)
    assert first.inputs_hash == again.inputs_hash and len(first.inputs_hash) == 64
    world.post([(personas.alice, "study_absent", D(-1), dt.date(2025, 2, 4), 1, "")])
    assert evaluate_scope(scope).inputs_hash != first.inputs_hash


def _subtree_with(world: Any, personas: Any, count: int) -> Any:
    branch = world.branch("s002")
    members = [world.member(branch) for _ in range(count)]
    world.post(
        [
            (member, item, points, dt.date(2025, 1 + i % 12, 1 + i % 28), 1, key)
            for i, member in enumerate(members)
            for item, points, key in (
                ("study_absent", D(-1), ""),
                ("honor_municipal", D(3), "先进"),
                ("veto_safety", D(0), ""),
            )
        ]
    )
    world.exempt(members[0], dt.date(2025, 1, 1))
    return branch


@pytest.mark.django_db
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "full"])
@pytest.mark.parametrize("count", [10, 60])
def test_the_number_of_queries_does_not_grow_with_the_members(
    world: Any, personas: Any, count: int, fast: bool, django_assert_max_num_queries: Any
) -> None:
    branch = _subtree_with(world, personas, count)
    # Scope: 3 (tenant tree, schemes); then members, exemptions, and the ledger: one scan
    # (fast path; on SQLite 3 more statements fill its temporary item table) or the
    # aggregates and the row items (full path).
    item_table = 3 if fast and connection.vendor == "sqlite" else 0
    with django_assert_max_num_queries(7 + item_table):
        scope = resolve_scope(tenant=world.tenant, organisation=branch, period="2025")
        evaluation = evaluate_scope(scope, fast=fast)
    assert evaluation.fast is fast
    assert len(evaluation.results) == count
