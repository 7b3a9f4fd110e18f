"""`jifen demo` options: determinism, the benchmark tenant, bad input, missing keys."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import transaction

from jifen.core import keys
from jifen.demo.activity import demo_year
from jifen.demo.bulk import BIG_TENANT_CODE, layout
from jifen.ledger.models import LedgerEntry
from jifen.ledger.verify import verify_tenant
from jifen.members.models import Member
from jifen.orgs.models import Organisation, OrgKind


def roster_of_a_fresh_load(**options: Any) -> list[tuple[str, str, str, str]]:
    """Load a small demo, read its roster, and roll the load back."""
    with transaction.atomic():
        call_command("demo", stdout=io.StringIO(), **options)
        roster = list(
            Member.objects.order_by("branch__code", "id").values_list(
                "branch__code", "name", "id_number_masked", "id_number_index"
            )
        )
        transaction.set_rollback(True)
    return roster


def test_two_fresh_loads_give_the_same_members(db):
    first = roster_of_a_fresh_load(scale=0.2)
    second = roster_of_a_fresh_load(scale=0.2)
    assert len(first) >= 60
    assert first == second


def test_the_demo_year_never_reaches_today():
    for today in (dt.date(2026, 1, 1), dt.date(2026, 1, 20), dt.date(2026, 2, 2),
                  dt.date(2026, 7, 15), dt.date(2026, 12, 31)):  # fmt: skip
        year = demo_year(today)
        assert year.last < today
        assert year.first == dt.date(year.year, 1, 1)
    assert demo_year(dt.date(2026, 1, 20)).year == 2025  # January shows last year
    assert demo_year(dt.date(2026, 1, 20)).last == dt.date(2025, 12, 31)
    assert demo_year(dt.date(2026, 7, 15)).last == dt.date(2026, 7, 14)


def test_the_benchmark_tenant_has_town_sized_branches_and_24_entries_each(db):
    out = io.StringIO()
    call_command("demo", "--members", "95", stdout=out)
    tenant = Organisation.objects.get(parent__isnull=True, code=BIG_TENANT_CODE)
    members = Member.objects.filter(tenant=tenant)
    assert members.count() == 95
    assert Organisation.objects.filter(tenant=tenant, kind=OrgKind.BRANCH).count() == 3
    assert LedgerEntry.objects.filter(tenant=tenant).count() == 95 * 24
    assert not members.filter(id_number_cipher="").exists()
    assert verify_tenant(tenant.pk) is None
    assert "big-district" in out.getvalue()
    # Again: nothing added.
    call_command("demo", "--members", "95", stdout=io.StringIO())
    assert LedgerEntry.objects.filter(tenant=tenant).count() == 95 * 24


def test_100000_members_make_committees_of_about_3400_and_branches_of_about_30():
    committees = layout(100_000)
    sizes = [size for branches in committees for size in branches]
    assert sum(sizes) == 100_000
    assert set(sizes) <= {30, 31}
    assert all(3_300 <= sum(branches) <= 3_500 for branches in committees[:-1])


@pytest.mark.parametrize("value", ["0", "-5", "abc", "1.5", ""])
def test_bad_member_counts_are_refused_and_nothing_is_written(db, value):
    with pytest.raises(CommandError, match="党员人数应为正整数"):
        call_command("demo", "--members", value, stdout=io.StringIO())
    assert not Organisation.objects.exists()


def test_missing_keys_surface_as_a_configuration_error(db, monkeypatch):
    monkeypatch.delenv(keys.FIELD_KEY)
    keys.clear_cache()
    try:
        with pytest.raises(ImproperlyConfigured, match=keys.FIELD_KEY):
            call_command("demo", "--scale", "0.1", stdout=io.StringIO())
    finally:
        monkeypatch.undo()
        keys.clear_cache()
    assert not Organisation.objects.exists()
    assert not Member.objects.exists()
