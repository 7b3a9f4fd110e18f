"""A demo loaded mid-year: 团结村's refinement takes effect inside the demo year, and the
results on either side of it are those of their own scheme version, and stay consistent."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from jifen.demo.roster import TENANT_CODE
from jifen.demo.showcase import CHANGED_ITEM, CHANGED_POINTS
from jifen.ledger.models import LedgerEntry
from jifen.ledger.verify import verify_tenant
from jifen.orgs.models import Organisation
from jifen.schemes.models import SchemeVersion, VersionKind
from jifen.scoring.models import MemberResult, ResultSnapshot
from jifen.scoring.scope import resolve_scope
from jifen.scoring.services import summarise


def totals(snapshot: ResultSnapshot) -> dict[int, int | None]:
    return dict(
        MemberResult.objects.filter(snapshot=snapshot).values_list("member_id", "total_hundredths")
    )


def test_months_before_and_after_the_refinement_use_their_own_version(db):
    today = timezone.localdate()
    if today.month < 4:
        pytest.skip(reason="early in the year the demo has no months after the refinement")
    call_command("demo", "--scale", "0.3", stdout=io.StringIO())
    tenant = Organisation.objects.get(parent__isnull=True, code=TENANT_CODE)
    village = Organisation.objects.get(tenant=tenant, code="QS-01-01")
    template = SchemeVersion.objects.get(tenant=tenant, kind=VersionKind.TEMPLATE)
    refinement = SchemeVersion.objects.get(tenant=tenant, kind=VersionKind.REFINEMENT)
    starts = refinement.effective_from
    assert dt.date(today.year, 2, 1) <= starts < today

    snapshots = ResultSnapshot.objects.filter(
        organisation=village, period__startswith=f"{today.year}-"
    )
    before = [s for s in snapshots if s.period < starts.strftime("%Y-%m")]
    after = [s for s in snapshots if s.period >= starts.strftime("%Y-%m")]
    assert before and after
    assert {s.scheme_version for s in before} == {template.version}
    assert {s.scheme_version for s in after} == {refinement.version}

    entries = LedgerEntry.objects.filter(organisation=village, item_code=CHANGED_ITEM)
    assert set(
        entries.filter(occurred_on__lt=starts).values_list("points_hundredths", flat=True)
    ) == {200}
    assert set(
        entries.filter(occurred_on__gte=starts).values_list("points_hundredths", flat=True)
    ) == {int(CHANGED_POINTS * 100)}

    # Summarising again, now that every version is in place, gives the same results.
    for saved in (before[-1], after[-1]):
        scope = resolve_scope(tenant=tenant, organisation=village, period=saved.period)
        again = summarise(actor=None, scope=scope).snapshot
        assert again.scheme_version == saved.scheme_version
        assert totals(again) == totals(saved)
    assert verify_tenant(tenant.pk) is None
