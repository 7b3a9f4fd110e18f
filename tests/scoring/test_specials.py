"""The specials a scope reads: one veto row per (member, period, item), also where a
period has several entries of a veto item (read apart) and another period has one."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jifen.engine import load_scheme
from jifen.engine.fast import layout
from jifen.engine.scheme import Item
from jifen.scoring.scope import resolve_scope

pytestmark = pytest.mark.django_db


def some_points(item: Item, rng: random.Random) -> Decimal:
    if item.kind == "fixed":
        return item.fixed_points
    if item.kind in ("range", "assessed") and item.max is not None:
        low = item.min if item.min is not None else Decimal(0)
        return (low + (item.max - low) * Decimal(rng.randint(0, 4)) / 4).quantize(Decimal("0.01"))
    return Decimal(rng.choice(["0.5", "1", "2.25"])) * (1 if item.sign == "+" else -1)


SCHEMES = ["s002", "s000b", "s001", str(Path(__file__).resolve().parent / "fast_mixed.toml")]


@pytest.fixture(params=SCHEMES, ids=lambda code: code.rsplit("/", 1)[-1])
def district(request: pytest.FixtureRequest, world: Any) -> tuple[Any, Any]:
    """A branch of 30 members with deductions, honors, a veto, annual-only items where
    the scheme has them, and reversals."""
    scheme = load_scheme(request.param)
    shape = layout(scheme)
    rng = random.Random(7)
    branch = world.branch(request.param)
    members = [world.member(branch, category=rng.choice("ABCD")) for _ in range(30)]
    honors = [scheme.item(code) for code in shape.honor_items] or [None]
    vetoes = [scheme.item(code) for code in shape.veto_items]
    summed = [scheme.item(code) for column in shape.columns for code in column.items]
    rows = []
    for member in members:
        for _ in range(6):
            item = rng.choice(summed if rng.random() < 0.8 else honors) or summed[0]
            day = dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))
            key = rng.choice(["优秀党员", "先进个人"]) if item in honors else ""
            rows.append((member, item.code, some_points(item, rng), day, 1, key))
    # Annual-only items in both halves of the year: their bucket spans the cut.
    for item in (item for item in scheme.items if item.annual_only):
        for member in members[:5]:
            for day in (dt.date(2025, 2, 3), dt.date(2025, 10, 9)):
                rows.append((member, item.code, some_points(item, rng), day, 1, ""))
    # A veto; and several entries of one veto item in a period (read apart from the
    # others) with one more in the other half of the year.
    veto = vetoes[0]
    for member, day in [
        (members[3], dt.date(2025, 5, 1)),
        *((members[4], dt.date(2025, month, 1)) for month in (2, 3, 8)),
    ]:
        rows.append((member, veto.code, some_points(veto, rng), day, 1, ""))
    posted = world.post(rows)
    for entry in posted[::17]:
        world.reverse(entry)
    return world, branch


def test_one_veto_row_per_member_period_and_item(district) -> None:
    from jifen.scoring.sums import read_sums

    world, branch = district
    scope = resolve_scope(tenant=world.tenant, organisation=branch, period="2025")
    _, _, vetoes = read_sums(scope, layout(scope.scheme))
    keys = [(member, row[1], row[2]) for member, rows in vetoes.items() for row in rows]
    assert keys and len(keys) == len(set(keys))


def test_honor_keys_with_separators_of_other_formats_are_read_exactly(world: Any) -> None:
    """The scan concatenates honor entries; a key full of punctuation comes back whole."""
    from jifen.scoring.sums import read_sums

    scheme = load_scheme("s002")
    honor = scheme.item(layout(scheme).honor_items[0])
    assert honor is not None
    branch = world.branch("s002")
    member = world.member(branch)
    keys = ["优秀,党员;2025", 'a|b\\"c', "  空格  "]
    world.post(
        [
            (member, honor.code, some_points(honor, random.Random(1)), dt.date(2025, 3, 1), 1, key)
            for key in keys
        ]  # fmt: skip
    )
    scope = resolve_scope(tenant=world.tenant, organisation=branch, period="2025")
    _, honors, _ = read_sums(scope, layout(scope.scheme))
    assert sorted(row[2] for row in honors[member.pk]) == sorted(keys)


def test_the_ledger_refuses_control_characters_in_an_honor_key(world: Any) -> None:
    from jifen.ledger.models import LedgerEntry
    from jifen.ledger.services import LedgerRefused

    scheme = load_scheme("s002")
    honor = scheme.item(layout(scheme).honor_items[0])
    assert honor is not None
    member = world.member(world.branch("s002"))
    before = LedgerEntry.objects.count()
    with pytest.raises(LedgerRefused, match="荣誉标识含有控制字符"):
        world.post([(member, honor.code, honor.fixed_points or Decimal(1), dt.date(2025, 3, 1), 1,
                     "优秀\x1e党员")])  # fmt: skip
    assert LedgerEntry.objects.count() == before


def test_reversed_entries_are_taken_out_of_the_sums_honors_and_vetoes(world: Any) -> None:
    """The scan counts reversed entries and takes them out afterwards: a period left with
    no entry disappears, as if it had never been read."""
    from jifen.scoring.sums import read_sums

    scheme = load_scheme("s002")
    shape = layout(scheme)
    honor, veto = scheme.item(shape.honor_items[0]), scheme.item(shape.veto_items[0])
    deduction = scheme.item(shape.columns[0].items[0])
    assert honor is not None and veto is not None and deduction is not None
    branch = world.branch("s002")
    alone, honoured, vetoed = (world.member(branch) for _ in range(3))
    rng = random.Random(2)
    may, june = dt.date(2025, 5, 1), dt.date(2025, 6, 1)
    posted = world.post(
        [
            (alone, deduction.code, some_points(deduction, rng), may, 1, ""),
            (honoured, honor.code, some_points(honor, rng), may, 1, "优秀党员"),
            (honoured, honor.code, some_points(honor, rng), june, 1, "先进个人"),
            (vetoed, veto.code, some_points(veto, rng), may, 1, ""),
            (vetoed, deduction.code, some_points(deduction, rng), june, 2, ""),
        ]
    )
    for index in (0, 1, 3):
        world.reverse(posted[index], on=dt.date(2025, 11, 2))  # dated in another quarter
    scope = resolve_scope(tenant=world.tenant, organisation=branch, period="2025")
    sums, honors, vetoes = read_sums(scope, shape)
    assert alone.pk not in sums and alone.pk not in honors
    assert [row[2] for row in honors[honoured.pk]] == ["先进个人"]
    # An honor under highest-only is in no summed column: its period's sums are zeros.
    assert [row[2:] for row in sums[honoured.pk]] == [(0,) * len(shape.columns)]
    assert vetoed.pk not in vetoes
    assert [row[1] for row in sums[vetoed.pk]] == [1]  # Q2, the deduction only
    assert sums[vetoed.pk][0][2] == 2 * deduction.fixed_points * 100
