"""Evaluating over the database gives exactly what the pure engine gives on the same entries.

Hypothesis draws members (categories, management dates, exemptions) and entries valid for
the scheme, posts them to the ledger through `post_entries`, reverses a few through
`reverse_entry` (sometimes dated later, even the next year), evaluates over the database for
a random period of the year, and compares with `jifen.engine.evaluate` over the effective
raw entries (neither reversed nor reversals). The same test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen.engine import Member, Scheme, evaluate, load_scheme
from jifen.engine.fast import fast_path_supported
from jifen.engine.scheme import Item
from jifen.scoring.scope import resolve_scope
from jifen.scoring.selectors import evaluate_for_snapshot, evaluate_scope

from .compact import compact_rows, compact_rows_of

YEAR = 2025
PERIODS = [
    str(YEAR),
    f"{YEAR}-H1",
    f"{YEAR}-H2",
    *(f"{YEAR}-Q{q}" for q in range(1, 5)),
    *(f"{YEAR}-{m:02d}" for m in range(1, 13)),
]
HONOR_KEYS = ["先进个人", "优秀党员"]
# A scheme file with item limits and per-occurrence honors (none of the presets has them).
LIMITS_SCHEME = str(Path(__file__).resolve().parent / "limits.toml")
# The fast path's rarer rules over the database (see the file).
FAST_SCHEME = str(Path(__file__).resolve().parent / "fast_mixed.toml")
SCHEMES = ["s002", "s001", "s004", "s000c", "s000b", LIMITS_SCHEME, FAST_SCHEME]


def hundredths(low: Decimal, high: Decimal) -> st.SearchStrategy[Decimal]:
    """Points with at most two places in [low, high]."""
    return st.integers(int(low * 100), int(high * 100)).map(lambda n: Decimal(n).scaleb(-2))


def points_of(item: Item) -> st.SearchStrategy[Decimal]:
    if item.kind == "fixed":
        return st.just(item.fixed_points)
    if item.kind == "range":
        assert item.min is not None and item.max is not None
        return hundredths(item.min, item.max)
    if item.kind == "assessed":
        assert item.max is not None
        return hundredths(Decimal(0), item.max)
    high = item.max if item.max is not None else Decimal(15)
    if item.sign == "+":
        return hundredths(Decimal("0.01"), high)
    return hundredths(-high, Decimal("-0.01"))


def day_in(year: int) -> st.SearchStrategy[dt.date]:
    return st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31))


def optional_day() -> st.SearchStrategy[dt.date | None]:
    return st.one_of(st.none(), day_in(YEAR))


@st.composite
def ledger_case(draw: st.DrawFn, scheme: Scheme) -> dict[str, Any]:
    categories = [c.code for c in scheme.categories] or [""]
    members = []
    for _ in range(draw(st.integers(2, 5))):
        start, end = draw(optional_day()), draw(optional_day())
        if start and end and start > end:
            start, end = end, start
        exemption = draw(st.one_of(st.none(), st.tuples(day_in(YEAR), optional_day())))
        if exemption and exemption[1] and exemption[1] < exemption[0]:
            exemption = (exemption[1], exemption[0])
        members.append(
            {
                "category": draw(st.sampled_from(categories)),
                "managed_from": start,
                "managed_to": end,
                "exemption": exemption if draw(st.integers(0, 5)) == 0 else None,
            }
        )
    vetoes = [item for item in scheme.items if item.veto]
    others = [item for item in scheme.items if not item.veto]
    entries = []
    for _ in range(draw(st.integers(0, 24))):
        who = draw(st.integers(0, len(members) - 1))
        # Vetoes are rare in a real ledger; one in twelve keeps most members unvetoed.
        pool = vetoes if vetoes and draw(st.integers(0, 11)) == 0 else others
        category = members[who]["category"]
        pool = [i for i in pool if not i.categories or category in i.categories] or others
        item = draw(st.sampled_from(pool))
        entries.append(
            {
                "member": who,
                "item": item.code,
                "points": draw(points_of(item)),
                "day": draw(day_in(YEAR)),
                "quantity": 1 if item.honor else draw(st.sampled_from([1, 1, 1, 2, 3])),
                "honor_key": draw(st.sampled_from(HONOR_KEYS)) if item.honor else "",
            }
        )
    reversals = draw(
        st.lists(
            st.tuples(
                st.integers(0, max(len(entries) - 1, 0)),
                st.one_of(st.none(), day_in(YEAR), st.just(dt.date(YEAR + 1, 1, 15))),
            ),
            max_size=3 if entries else 0,
            unique_by=lambda pair: pair[0],
        )
    )
    return {
        "members": members,
        "entries": entries,
        "reversals": reversals,
        "period": draw(st.sampled_from(PERIODS)),
    }


def comparable(evaluation: Any) -> list[tuple[Any, ...]]:
    return [
        (
            r.member.id,
            r.total,
            r.grade,
            r.veto,
            r.rank,
            r.category_rank,
            dict(r.dimensions),
            r.bonus,
            r.deductions,
        )
        for r in evaluation.results
    ]


def check_case(world: Any, scheme_code: str, case: dict[str, Any]) -> None:
    scheme = load_scheme(scheme_code)
    branch = world.branch(scheme_code)
    members = []
    for spec in case["members"]:
        member = world.member(
            branch,
            category=spec["category"],
            managed_from=spec["managed_from"],
            managed_to=spec["managed_to"],
        )
        if spec["exemption"]:
            world.exempt(member, *spec["exemption"])
        members.append(member)
    rows = [
        (members[e["member"]], e["item"], e["points"], e["day"], e["quantity"], e["honor_key"])
        for e in case["entries"]
    ]
    posted = world.post(rows) if rows else []
    reversed_seqs = set()
    for index, on in case["reversals"]:
        world.reverse(posted[index], on=on)
        reversed_seqs.add(posted[index].seq)

    scope = resolve_scope(tenant=world.tenant, organisation=branch, period=case["period"])
    start, end = scope.plan.request.start, scope.plan.request.end
    engine_members = []
    for spec, member in zip(case["members"], members, strict=True):
        # A filed exemption that overlaps the requested period makes the member exempt.
        exemption = spec["exemption"]
        exempt = bool(exemption) and exemption[0] <= end and (exemption[1] or end) >= start
        engine_members.append(
            Member(
                str(member.pk),
                category=spec["category"],
                status="exempt" if exempt else "",
                managed_from=spec["managed_from"],
                managed_to=spec["managed_to"],
            )
        )
    effective = [p.as_engine_entry() for p in posted if p.seq not in reversed_seqs]
    expected = evaluate(scheme, engine_members, effective, case["period"])

    # Small chunks, so that ranking across chunks is exercised too.
    full = evaluate_scope(scope, chunk_members=2, fast=False)
    assert comparable(full.evaluation) == comparable(expected)
    if fast_path_supported(scheme):
        fast = evaluate_scope(scope)
        assert fast.fast
        assert comparable(fast.evaluation) == comparable(expected)
        # The snapshot's shape (hundredths) is the same from both paths, too.
        assert fast.rows == full.rows
        # And the summary's own reading (members read per part, plain rows) gives the
        # same rows, ranks and inputs hash as the fast path.
        compact = evaluate_for_snapshot(scope)
        assert compact.inputs_hash == fast.inputs_hash
        assert compact_rows(compact) == compact_rows_of(fast)


@pytest.mark.django_db
@pytest.mark.parametrize("scheme_code", SCHEMES, ids=lambda code: code.rsplit("/", 1)[-1])
def test_evaluating_over_the_database_matches_the_engine(world: Any, scheme_code: str) -> None:
    """Both paths (fast where the scheme allows it, and full) against the pure engine."""
    scheme = load_scheme(scheme_code)

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(case=ledger_case(scheme))
    def run(case: dict[str, Any]) -> None:
        # Each example in a savepoint, rolled back: examples never see each other's rows.
        with transaction.atomic():
            check_case(world, scheme_code, case)
            transaction.set_rollback(True)

    run()


@pytest.mark.django_db
def test_a_veto_item_that_also_counts_points_counts_them_on_both_paths(world: Any) -> None:
    day = dt.date(YEAR, 2, 3)
    member = {"category": "X", "managed_from": None, "managed_to": None, "exemption": None}
    entries = [
        {"member": 0, "item": item, "points": points, "day": day, "quantity": 1, "honor_key": ""}
        for item, points in (("veto_zero", Decimal(-1)), ("penalty", Decimal("-0.5")))
    ]
    for period in (str(YEAR), f"{YEAR}-02", f"{YEAR}-Q1"):
        case = {"members": [member], "entries": entries, "reversals": [], "period": period}
        with transaction.atomic():
            check_case(world, FAST_SCHEME, case)
            transaction.set_rollback(True)
