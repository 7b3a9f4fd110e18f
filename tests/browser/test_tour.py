"""A tour of the demo tenant (青山区委) in a real browser (Debian's chromium, never a
downloaded one): the village scorekeeper's daily pages, the committee's dashboard and
schemes, the public notice, a citizen's attestation and one page in English. Each stop
asserts something read from the database and saves a screenshot to docs/screenshots/
(numbered from 12; members and the public at a phone's width, the others at 1280 px).

Pages of areas that are still being built (Excel import, reports) are visited only when
their URL names exist; otherwise that stop is skipped with a warning that says why.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import warnings
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from helpers.browser import BROWSER_TEST, DESKTOP, PHONE
from helpers.browser import Person as BrowserPerson
from jifen.demo.activity import DemoYear, demo_year
from jifen.demo.builder import load_demo
from jifen.demo.roster import DEMO_PASSWORD
from jifen.demo.showcase import ADDED_ITEM, CHANGED_ITEM
from jifen.ledger.models import LedgerEntry, Period, PeriodState
from jifen.meetings.attestations import issue_link
from jifen.meetings.models import Attendance, Meeting
from jifen.orgs.models import Organisation
from jifen.schemes.models import SchemeVersion, VersionKind
from jifen.scoring.models import MemberResult
from jifen.workflow.models import Declaration, PeriodRecord, YearListEntry

VILLAGE, COMMITTEE = "QS-01-01", "QS-01"

pytestmark = BROWSER_TEST


class Person(BrowserPerson):
    """One demo login's browser context; every page it opens must answer 200."""

    def __init__(self, browser: Any, base: str, username: str | None, viewport: dict[str, int]):
        super().__init__(browser, base, username, viewport, password=DEMO_PASSWORD)

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        return response

    def heading(self) -> str:
        return str(self.page.inner_text("main h1"))

    def rows(self, selector: str) -> int:
        return int(self.page.locator(selector).count())


def url_or_none(name: str, **kwargs: Any) -> str | None:
    """The path of a page of an area that may not be merged yet, or None (printed)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        # A warning, so that the skipped stop shows in pytest's summary (print is linted).
        warnings.warn(
            f"tour: skipped the page {name!r}, its URL name does not exist (yet)", stacklevel=2
        )
        return None


def test_a_tour_of_the_demo(browser, live_server, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_demo(say=lambda *args, **kwargs: None)
    base = live_server.url
    village = Organisation.objects.get(code=VILLAGE)
    today = timezone.localdate()
    year = demo_year(today)  # in January, the demo shows the previous full year

    keeper = Person(browser, base, "demo-village-keeper", DESKTOP)
    tour_keeper(keeper, village, year)
    tour_year_end(keeper, village, year)
    tour_exchange_and_reports(keeper, village)
    month = open_the_publicised_month(keeper, village, today)
    notice_path = url_or_none("publicity_notice", period_id=month.pk)

    committee = Person(browser, base, "demo-committee", DESKTOP)
    tour_committee(committee, village, year)

    # 公示 notice: a printable A4 sheet, so it is shown at the desktop's width.
    public = Person(browser, base, None, DESKTOP)
    if notice_path is not None:
        public.go(notice_path)
        title = str(public.page.inner_text("#notice h1"))
        assert "公示" in title and village.name in title
        # One row per saved result of the month's snapshot, and only plain values.
        record = PeriodRecord.objects.get(period=month)
        results = MemberResult.objects.filter(snapshot=record.snapshot)
        assert public.rows("#notice tbody tr") == results.count() > 10
        # No phone number and no ID number (runs of 11 or more digits) on the notice.
        assert re.search(r"\d{11}", str(public.page.inner_text("#notice"))) is None
        public.shot("28-public-notice")
    tour_attestation(Person(browser, base, None, PHONE), village)

    # The footer's language switch: the workbench in English, remembered by a cookie.
    keeper.go("/work/")
    with keeper.page.expect_navigation():
        keeper.page.locator("footer button[value=en]").click()
    assert keeper.page.locator("html").get_attribute("lang") == "en"
    assert keeper.heading() == "Workbench"
    keeper.shot("30-keeper-workbench-english")


def tour_keeper(keeper: Person, village: Organisation, year: DemoYear) -> None:
    # 待办: the three declarations of the demo wait for review.
    keeper.go("/work/")
    waiting = Declaration.objects.filter(branch=village, state="submitted")
    assert waiting.count() == 3
    text = keeper.text()
    assert all(d.member.name in text for d in waiting.select_related("member"))
    keeper.shot("12-keeper-workbench-demo")

    # 登记积分: one item for several members at once (here three), posted as a batch, on
    # the demo year's last day; the refinement's new item unless it starts after that.
    keeper.go(reverse("register_entries"))
    day = year.last
    refinement = SchemeVersion.objects.get(kind=VersionKind.REFINEMENT, organisation=village)
    item = ADDED_ITEM if refinement.effective_from <= day else CHANGED_ITEM
    before = LedgerEntry.objects.filter(organisation=village, item_code=item).count()
    keeper.page.select_option("#id_item_code", item)
    keeper.page.fill("#id_occurred_on", day.isoformat())
    keeper.page.fill("#id_reason", "结对帮扶困难户，送去过冬物资")
    picks = keeper.page.locator("#field-members .picks input[type=checkbox]")
    names = [str(keeper.page.locator("#field-members .picks label").nth(i).inner_text()).strip()
             for i in range(3)]  # fmt: skip
    for i in range(3):
        picks.nth(i).check()
    keeper.shot("13-keeper-register-several")
    keeper.press("登记")
    assert "已为 3 名党员登记" in keeper.text()
    after = LedgerEntry.objects.filter(organisation=village, item_code=item)
    assert after.count() == before + 3
    assert set(after.order_by("-id")[:3].values_list("member__name", flat=True)) == set(names)

    # 会议与考勤: the list (newest first) and the newest meeting's sheet, not posted yet.
    keeper.go(reverse("meeting_list"))
    meetings = Meeting.objects.filter(branch=village).order_by("-held_on", "-id")
    assert keeper.rows("main table tbody tr") == min(200, meetings.count())
    newest = meetings.first()
    assert newest is not None and newest.title in keeper.text()
    keeper.shot("14-keeper-meetings")
    keeper.go(reverse("meeting_attendance", kwargs={"meeting_id": newest.pk}))
    on_sheet = Attendance.objects.filter(meeting=newest).count()
    assert on_sheet > 10 and keeper.rows("table.attendance-sheet tbody tr") == on_sheet
    assert keeper.rows("table.attendance-sheet input[type=radio]:checked") == on_sheet
    keeper.shot("15-keeper-attendance")

    # 审核申报 with its attestations: the one a citizen answered 属实 through a link.
    confirmed = waiting.filter(attestations__result="confirmed", attestations__method="link")
    declaration = confirmed.order_by("pk").first()
    assert declaration is not None
    keeper.go(reverse("declaration_review", kwargs={"declaration_id": declaration.pk}))
    assert keeper.heading() == "审核申报"
    section = str(keeper.page.inner_text("section.attestations"))
    attestation = declaration.attestations.get(result="confirmed")
    assert "属实" in section and attestation.attester_name in section
    keeper.shot("16-keeper-review-attestations")


def tour_year_end(keeper: Person, village: Organisation, demo: DemoYear) -> None:
    # 年度评定 of the year before the demo year: grades and rankings, then the talk list.
    year = demo.year - 1
    keeper.go(reverse("year_results", kwargs={"branch_id": village.pk, "year": year}))
    assert str(year) in keeper.heading() and village.name in keeper.heading()
    keeper.shot("17-keeper-year-results")
    talks = YearListEntry.objects.filter(evaluation__branch=village, kind="talk")
    keeper.go(reverse("year_list", kwargs={"branch_id": village.pk, "year": year, "kind": "talk"}))
    assert keeper.rows("main table tbody tr") == talks.count() > 0
    keeper.shot("18-keeper-year-talk-list")


def tour_exchange_and_reports(keeper: Person, village: Organisation) -> None:
    path = url_or_none("exchange_import")
    if path is not None:
        keeper.go(path)
        assert keeper.heading() == "Excel 导入"
        assert keeper.rows("main input[type=file]") == 1
        keeper.shot("19-keeper-excel-import")
    path = url_or_none("reports_index")
    if path is not None:
        keeper.go(path)
        assert keeper.heading() == "报表" and village.name in keeper.text()
        keeper.shot("20-keeper-reports")
    path = url_or_none("report_ranking", org_id=village.pk)
    if path is not None:
        keeper.go(path)
        assert keeper.rows("main table tbody tr") > 0
        keeper.shot("21-keeper-report-ranking")


def open_the_publicised_month(keeper: Person, village: Organisation, today: dt.date) -> Period:
    """The demo ran its periods through the period flow: the village's latest ended month
    is in its publicity today (公示中). The keeper's period page and the public board show
    it; returns the month, whose printable notice the public opens later."""
    month = Period.objects.get(organisation=village, state=PeriodState.PUBLICISED)
    record = PeriodRecord.objects.get(period=month)
    assert record.publicity_starts_on is not None and record.publicity_ends_on is not None
    assert record.publicity_starts_on <= today <= record.publicity_ends_on
    keeper.go(reverse("period_detail", kwargs={"period_id": month.pk}))
    text = keeper.text()
    assert "公示中" in text and record.publicity_ends_on.isoformat() in text
    keeper.shot("22-keeper-period-publicised")
    # The board lists one row per saved result of the month's snapshot.
    keeper.go(reverse("publicity_board", kwargs={"period_id": month.pk}))
    results = MemberResult.objects.filter(snapshot=record.snapshot)
    assert keeper.rows("main table tbody tr") == results.count() > 10
    return month


def tour_committee(committee: Person, village: Organisation, year: DemoYear) -> None:
    # 统计看板: ECharts draws the three charts (svg or canvas) from the saved snapshots.
    committee.go(reverse("dashboard"))
    for chart in ("#chart-grades", "#chart-trend", "#chart-branches"):
        committee.page.wait_for_selector(f"{chart} svg, {chart} canvas", state="attached")
    graded = committee.page.locator("#table-grades tbody td.right").all_inner_texts()
    total = committee.page.inner_text("#table-grades tfoot td")
    assert sum(int(n) for n in graded) == int(total) > 0
    committee.shot("23-committee-dashboard")

    # 积分办法: the list, then the village's refinement against the committee's template.
    committee.go(reverse("scheme_list"))
    assert village.name in committee.text()
    committee.shot("24-committee-schemes")
    refinement = SchemeVersion.objects.get(kind=VersionKind.REFINEMENT, organisation=village)
    committee.go(reverse("scheme_diff", kwargs={"version_id": refinement.pk}))
    changed = str(committee.page.locator("main tr", has_text=CHANGED_ITEM).first.inner_text())
    assert "弘扬新风正气" in changed and "修改" in changed and "2" in changed and "3" in changed
    added = str(committee.page.locator("main tr", has_text=ADDED_ITEM).first.inner_text())
    assert "结对帮扶困难群众" in added and "新增" in added
    committee.shot("25-committee-scheme-diff")

    # 不纳入积分管理: one request approved by a branch waits for the committee.
    committee.go(reverse("exemption_list"))
    assert committee.page.locator("main h2 .badge").nth(1).inner_text() == "1"
    committee.shot("26-committee-exemptions")

    # 不合格党员名单 of the previous year, with the handling each branch decided.
    entry = (
        YearListEntry.objects.filter(kind="unqualified", evaluation__year=year.year - 1)
        .select_related("evaluation__branch", "member")
        .order_by("evaluation__branch__code")
        .first()
    )
    assert entry is not None and entry.handling
    committee.go(
        reverse(
            "year_list",
            kwargs={
                "branch_id": entry.evaluation.branch_id,
                "year": entry.evaluation.year,
                "kind": "unqualified",
            },
        )  # fmt: skip
    )
    row = str(committee.page.inner_text(f"#entry-{entry.pk}"))
    assert entry.member.name in row and entry.get_handling_display() in row
    assert entry.handling_helper in row
    committee.shot("27-committee-unqualified-list")


def tour_attestation(public: Person, village: Organisation) -> None:
    """A one-time link the keeper issues (the demo prints none), opened by a citizen."""
    keeper_user = get_user_model().objects.get(username="demo-village-keeper")
    declaration = (
        Declaration.objects.filter(branch=village, state="submitted")
        .select_related("member")
        .order_by("pk")
        .first()
    )
    assert declaration is not None
    issued = issue_link(actor=keeper_user, declaration=declaration, idempotency_key=uuid.uuid4())
    assert issued.token is not None
    public.go(reverse("attest", kwargs={"token": issued.token}))
    assert public.heading() == "群众证实" and declaration.member.name in public.text()
    public.page.get_by_label("属实", exact=True).check()
    public.page.fill("#id_name", "李秀兰")
    public.page.fill("#id_comment", "我是他的邻居，亲眼所见，属实")
    public.shot("29-public-attestation")
    public.press("提交")
    assert public.heading() == "感谢您的证实"
    issued.attestation.refresh_from_db()
    assert issued.attestation.result == "confirmed" and issued.attestation.attester_name == "李秀兰"
