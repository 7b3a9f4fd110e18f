"""The demo's period flow on days where a period has just ended (the first of a month, of
a quarter): nothing the demo leaves waiting falls into a locked period, and every branch's
latest ended period is in its publicity on the day of the load."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from jifen.demo.activity import demo_year
from jifen.ledger.models import Period, PeriodState
from jifen.meetings.models import Meeting
from jifen.meetings.services import post_attendance
from jifen.orgs.models import Organisation
from jifen.workflow.declarations import approve_declaration
from jifen.workflow.models import Declaration, PeriodRecord
from jifen.workflow.states import DeclarationState

LAST_YEAR = timezone.localdate().year - 1


@pytest.mark.parametrize(
    "as_of", [dt.date(LAST_YEAR, 10, 1), dt.date(LAST_YEAR, 11, 1), dt.date(LAST_YEAR, 8, 17)]
)
def test_waiting_work_stays_open_and_the_latest_periods_are_publicised(db, as_of):
    call_command("demo", "--scale", "0.3", "--as-of", as_of.isoformat(), stdout=io.StringIO())
    year = demo_year(as_of)
    publicised = 0
    for branch in Organisation.objects.filter(code__startswith="QS-").exclude(scheme_code=""):
        latest = (
            Period.objects.filter(organisation=branch, ends_on__lte=year.last)
            .order_by("ends_on")
            .last()
        )
        if latest is None or branch.code == "QS-03-01":  # the steel company's stays due
            continue
        if latest.ends_on < year.first:  # a yearly scheme: only last year's period ended
            assert latest.state == PeriodState.FILED
            continue
        record = PeriodRecord.objects.get(period=latest)
        assert latest.state == PeriodState.PUBLICISED, branch.code
        assert record.publicity_starts_on is not None and record.publicity_ends_on is not None
        assert record.publicity_starts_on <= as_of <= record.publicity_ends_on
        publicised += 1
    # Three monthly branches and the logistics company's quarter; the yearly schemes have
    # no ended period in the demo year.
    assert publicised == 4

    # The village keeper's waiting work still goes into the ledger.
    keeper = get_user_model().objects.get(username="demo-village-keeper")
    village = Organisation.objects.get(code="QS-01-01")
    waiting = Meeting.objects.filter(branch=village, posted_at__isnull=True)
    assert waiting.exists()
    for meeting in waiting:
        post_attendance(actor=keeper, meeting=meeting, today=as_of)
    declaration = Declaration.objects.filter(
        branch=village, state=DeclarationState.SUBMITTED
    ).first()
    assert declaration is not None
    approved = approve_declaration(actor=keeper, declaration=declaration, today=as_of)
    assert approved.state == DeclarationState.APPROVED
