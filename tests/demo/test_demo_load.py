"""`jifen demo` loads a realistic tenant once, through the services.

The default demo (~300 members, a year of entries) takes a few seconds, so it is loaded
once for the module inside a transaction that is rolled back at the end; each test then
runs in its own savepoint (the `db` fixture).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import RequestFactory
from django.utils import timezone

from jifen.api.models import ApiToken
from jifen.core import crypto
from jifen.core.models import AuditEvent
from jifen.demo.flow import RETURN_REASON
from jifen.demo.meetings import meeting_items
from jifen.demo.roster import DEMO_PASSWORD, TENANT_CODE
from jifen.demo.showcase import ADDED_ITEM, CHANGED_ITEM
from jifen.ledger.models import LedgerEntry, Period, PeriodState, Source
from jifen.ledger.verify import verify_tenant
from jifen.meetings.models import (
    Attendance,
    AttendanceStatus,
    Attestation,
    AttestationMethod,
    Meeting,
    MeetingEntry,
    MeetingKind,
)
from jifen.members import idcard
from jifen.members.models import (
    ID_CONTEXT,
    Exemption,
    ExemptionState,
    Member,
    MemberStatus,
    MemberTransfer,
)
from jifen.orgs.models import Organisation, OrgKind, RoleGrant
from jifen.schemes.diff import structured_diff
from jifen.schemes.models import SchemeVersion, VersionKind
from jifen.schemes.registry import parse_stored
from jifen.scoring.models import MemberResult, ResultSnapshot
from jifen.workflow.models import (
    Declaration,
    FilingReview,
    Notification,
    PeriodRecord,
    YearAppraisal,
    YearEvaluation,
    YearListEntry,
)
from jifen.workflow.states import (
    DeclarationState,
    FilingState,
    NotificationKind,
    YearListKind,
    YearState,
)

ID_IN_CLEAR = re.compile(r"\b\d{17}[\dX]\b")


def login_request() -> Any:
    # django-axes wants the request a login comes with.
    return RequestFactory().post("/accounts/login/")


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        # The first of January: the demo shows last year in full, whatever today is.
        as_of = dt.date(timezone.localdate().year, 1, 1).isoformat()
        call_command("demo", "--as-of", as_of, stdout=out)
        tenant = Organisation.objects.get(parent__isnull=True, code=TENANT_CODE)
        yield {"tenant": tenant, "output": out.getvalue()}
        transaction.set_rollback(True)


@pytest.fixture
def tenant(demo: dict[str, Any], db: None) -> Organisation:
    return demo["tenant"]


def test_the_tenant_has_ten_branches_of_every_preset_and_about_300_members(tenant):
    branches = Organisation.objects.filter(tenant=tenant, kind=OrgKind.BRANCH)
    assert branches.count() == 10
    assert set(branches.values_list("scheme_code", flat=True)) == {
        "s000a", "s000b", "s000c", "s001", "s002", "s003", "s004",
    }  # fmt: skip
    assert all(b.sector and b.leader_name for b in branches)
    assert Organisation.objects.filter(tenant=tenant, kind=OrgKind.VILLAGE_GROUP).count() == 4
    assert Organisation.objects.filter(tenant=tenant, kind=OrgKind.PARTY_GROUP).exists()
    assert 280 <= Member.objects.filter(tenant=tenant).count() <= 320


def test_org_codes_are_hierarchical(tenant):
    for org in Organisation.objects.filter(tenant=tenant).select_related("parent"):
        if org.parent is not None:
            assert org.code.startswith(org.parent.code + "-"), org.code


def test_members_have_the_categories_and_statuses_their_schemes_use(tenant):
    members = Member.objects.filter(tenant=tenant)
    village = members.filter(branch__scheme_code="s004")
    assert set(village.values_list("category", flat=True)) == {"A", "B", "C", "D"}
    school = members.filter(branch__sector="school")
    assert set(school.values_list("category", flat=True)) == {"学校"}
    assert school.filter(status=MemberStatus.ACTIVIST).count() >= 3
    assert members.filter(status=MemberStatus.PROBATIONARY).exists()
    floating = members.filter(is_floating=True)
    assert floating.count() == 2
    assert all(m.sending_organisation_name for m in floating)


def test_every_id_number_is_valid_and_stored_only_encrypted(tenant):
    for row in Member.objects.filter(tenant=tenant).values():
        assert not ID_IN_CLEAR.search(" ".join(str(v) for v in row.values())), row["name"]
        assert row["id_number_cipher"].startswith("v1:")
        number = crypto.decrypt(row["id_number_cipher"], context=ID_CONTEXT)
        assert idcard.validate(number) == number
        assert idcard.birth_date(number) == row["birth_date"]
        assert idcard.mask(number) == row["id_number_masked"]
        assert int(number[16]) % 2 == (1 if row["gender"] == "M" else 0)
        assert 1950 <= row["birth_date"].year <= 2003


def test_each_login_authenticates_with_its_printed_password(demo, tenant):
    output = demo["output"]
    usernames = re.findall(r"^\| (demo-[\w-]+)\s+\| (\S+)", output, flags=re.M)
    assert len(usernames) == 8
    for username, password in usernames:
        assert password == DEMO_PASSWORD
        user = authenticate(login_request(), username=username, password=password)
        assert user is not None, username
        assert user.is_staff == (username != "demo-member")
    member_user = authenticate(login_request(), username="demo-member", password=DEMO_PASSWORD)
    assert Member.objects.get(user=member_user).branch.code == "QS-01-01"
    roles = set(RoleGrant.objects.filter(tenant=tenant).values_list("role", flat=True))
    assert roles == {"scorekeeper", "reviewer", "group_leader", "committee", "administrator"}


def test_the_ledger_holds_a_year_of_entries_and_verifies(tenant):
    entries = LedgerEntry.objects.filter(tenant=tenant)
    members = Member.objects.filter(tenant=tenant).count()
    assert entries.count() >= 12 * members
    assert entries.filter(reverses__isnull=False).count() == 3
    assert entries.exclude(honor_key="").filter(item_code__startswith="honor_").exists()
    assert not entries.filter(item_code__startswith="honor_", honor_key="").exists()
    assert verify_tenant(tenant.pk) is None


def test_a_transfer_an_exemption_and_an_archived_period_are_there(tenant):
    transfer = MemberTransfer.objects.get(tenant=tenant)
    earned = set(
        LedgerEntry.objects.filter(member=transfer.member).values_list(
            "organisation__code", flat=True
        )
    )
    assert earned == {transfer.from_branch.code, transfer.to_branch.code}
    exemption = Exemption.objects.get(tenant=tenant, state=ExemptionState.FILED)
    assert exemption.approvals.count() == 2
    assert not LedgerEntry.objects.filter(member=exemption.member).exists()
    assert Period.objects.filter(tenant=tenant, state=PeriodState.ARCHIVED).count() == 2


def test_a_second_run_adds_nothing_and_prints_the_logins(demo, tenant):
    def counts() -> tuple[int, ...]:
        return tuple(
            model.objects.count()
            for model in (
                Organisation, Member, LedgerEntry, AuditEvent, Meeting, Attendance,
                SchemeVersion, Declaration, Attestation, Exemption, YearEvaluation,
                YearListEntry, ResultSnapshot, ApiToken,
            )
        )  # fmt: skip

    before = counts()
    out = io.StringIO()
    call_command("demo", stdout=out)
    after = counts()
    assert after == before
    assert "已存在" in out.getvalue()
    assert "demo-admin" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()


# --- meetings, schemes, waiting work, year end, API ---------------------------------------


def test_every_branch_holds_the_years_meetings_with_attendance(tenant):
    branches = Organisation.objects.filter(tenant=tenant, kind=OrgKind.BRANCH)
    for branch in branches:
        kinds = set(Meeting.objects.filter(branch=branch).values_list("kind", flat=True))
        assert kinds == {MeetingKind.THEME_DAY, MeetingKind.BRANCH_ASSEMBLY, MeetingKind.ORG_LIFE}
        assert Meeting.objects.filter(branch=branch, kind=MeetingKind.THEME_DAY).count() == 12
    meetings = Meeting.objects.filter(tenant=tenant)
    assert not meetings.filter(attendance__isnull=True).exists()  # every sheet is filled in
    statuses = Attendance.objects.filter(tenant=tenant)
    total = statuses.count()
    present = statuses.filter(status=AttendanceStatus.PRESENT).count()
    assert total >= 200 * 25
    assert 0.75 * total < present < total
    assert statuses.filter(status=AttendanceStatus.LEAVE).exists()
    assert statuses.filter(status=AttendanceStatus.ABSENT).exists()
    exempt = Exemption.objects.get(tenant=tenant, state=ExemptionState.FILED).member
    assert not statuses.filter(member=exempt).exists()


def test_meetings_post_the_attendance_items_and_the_last_month_waits(tenant):
    december = Meeting.objects.filter(tenant=tenant, held_on__month=12)
    assert december.exists()
    assert not december.filter(posted_at__isnull=False).exists()
    assert (
        not Meeting.objects.filter(tenant=tenant, posted_at__isnull=True)
        .exclude(held_on__month=12)
        .exists()
    )
    linked = LedgerEntry.objects.filter(
        pk__in=MeetingEntry.objects.filter(tenant=tenant).values("entry_id")
    )
    assert linked.filter(source=Source.ATTENDANCE, points_hundredths__lt=0).count() >= 50
    assert set(linked.values_list("item_code", flat=True)) >= {
        "absent_unexcused", "absent_leave", "study_absent", "base_absent",
    }  # fmt: skip
    # The 团结村 correction went through its meeting: absent → leave, the entry reversed.
    assert linked.filter(reverses__isnull=False, organisation__code="QS-01-01").count() == 1


def test_no_absence_is_counted_twice_in_the_demo_year(tenant):
    from_meetings = set(
        MeetingEntry.objects.filter(tenant=tenant).values_list("entry_id", flat=True)
    )
    year = Meeting.objects.filter(tenant=tenant).earliest("held_on").held_on.year
    for branch in Organisation.objects.filter(tenant=tenant, kind=OrgKind.BRANCH):
        items = meeting_items(branch.scheme_code)
        generic = LedgerEntry.objects.filter(
            organisation=branch, item_code__in=items, occurred_on__year=year
        ).exclude(pk__in=from_meetings)
        assert not generic.exists(), (branch.code, list(generic.values_list("item_code")[:3]))


def test_the_committee_template_and_the_village_refinement_differ_by_one_value_and_one_item(
    tenant,
):
    template = SchemeVersion.objects.get(tenant=tenant, kind=VersionKind.TEMPLATE)
    refinement = SchemeVersion.objects.get(tenant=tenant, kind=VersionKind.REFINEMENT)
    assert template.organisation.code == "QS-01" and template.code == "s004"
    assert refinement.organisation.code == "QS-01-01"
    assert refinement.based_on == template
    diff = structured_diff(parse_stored(template), parse_stored(refinement))
    rows = {row.code: row for row in diff.items}
    assert set(rows) == {CHANGED_ITEM, ADDED_ITEM}
    assert rows[ADDED_ITEM].status == "added"
    assert rows[CHANGED_ITEM].status == "changed"
    assert [(c.old, c.new) for c in rows[CHANGED_ITEM].changes] == [("2", "3")]


def test_village_declarations_wait_with_attestations_in_three_states(tenant):
    waiting = Declaration.objects.filter(
        tenant=tenant, branch__code="QS-01-01", state=DeclarationState.SUBMITTED
    )
    assert waiting.count() == 3
    attestations = Attestation.objects.filter(declaration__in=waiting)
    links = attestations.filter(method=AttestationMethod.LINK)
    assert links.filter(result="confirmed", answered_at__isnull=False).count() == 1
    assert links.filter(answered_at__isnull=True, expires_at__isnull=False).count() == 1
    assert attestations.filter(method=AttestationMethod.IN_PERSON, result="confirmed").count() == 1
    assert all(len(a.token_hash or "") in (0, 64) for a in attestations)


def test_exemptions_wait_for_the_branch_and_for_the_committee(tenant):
    states = sorted(Exemption.objects.filter(tenant=tenant).values_list("state", flat=True))
    assert states == sorted(
        [ExemptionState.REQUESTED, ExemptionState.BRANCH_APPROVED, ExemptionState.FILED]
    )
    waiting = dict(
        Exemption.objects.filter(tenant=tenant).values_list("state", "member__branch__code")
    )
    assert waiting[ExemptionState.REQUESTED] == "QS-01-01"  # demo-village-keeper's turn
    assert waiting[ExemptionState.BRANCH_APPROVED] == "QS-01-04"  # demo-committee's turn


def test_the_previous_year_of_the_village_committee_is_graded_with_lists(tenant):
    evaluations = YearEvaluation.objects.filter(tenant=tenant).select_related("branch")
    assert {e.branch.code for e in evaluations} == {"QS-01-01", "QS-01-02", "QS-01-03", "QS-01-04"}
    years = {e.year for e in evaluations}
    first_meeting = Meeting.objects.filter(tenant=tenant).earliest("held_on")
    assert years == {first_meeting.held_on.year - 1}
    assert all(e.state == YearState.GRADED and e.snapshot_id for e in evaluations)
    lists = YearListEntry.objects.filter(tenant=tenant)
    assert set(lists.values_list("kind", flat=True)) == set(YearListKind.values)
    unqualified = lists.filter(kind=YearListKind.UNQUALIFIED)
    assert unqualified.exists()
    assert not unqualified.filter(handling="").exists()
    assert lists.filter(kind=YearListKind.PROBATIONARY, member__status=MemberStatus.PROBATIONARY)
    # 白沙洲村 (s000b) counts the democratic appraisal: recorded, and in the results.
    baisha = evaluations.get(branch__code="QS-01-02")
    assert YearAppraisal.objects.filter(evaluation=baisha).count() >= 20
    assert MemberResult.objects.filter(snapshot=baisha.snapshot, grade="不合格").exists()


def test_ended_periods_are_summarised_for_the_dashboard(tenant):
    snapshots = ResultSnapshot.objects.filter(tenant=tenant)
    codes = set(snapshots.values_list("organisation__code", flat=True))
    assert {"QS-01-01", "QS-01-02", "QS-03-01", "QS-02-02"} <= codes
    village = snapshots.filter(organisation__code="QS-01-01").exclude(period__regex=r"^\d{4}$")
    assert village.count() == 24  # the demo year's months and the year before's


def test_the_village_keeper_has_one_api_token_shown_once(demo, tenant):
    tokens = ApiToken.objects.filter(user__username="demo-village-keeper")
    assert tokens.count() == 1
    printed = re.findall(r"jf_[\w-]{40,}", demo["output"])
    assert len(printed) == 1
    assert tokens.get().token_sha256 not in demo["output"]


def _page(username: str, url: str) -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get(url)
    assert response.status_code == 200, (username, url, response.status_code)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_new_pages_show_the_demo_content(tenant):
    village = Organisation.objects.get(tenant=tenant, code="QS-01-01")
    baisha = Organisation.objects.get(tenant=tenant, code="QS-01-02")
    waiting = Meeting.objects.filter(branch=village, posted_at__isnull=True).first()
    assert waiting is not None
    refinement = SchemeVersion.objects.get(tenant=tenant, kind=VersionKind.REFINEMENT)
    year = YearEvaluation.objects.get(branch=baisha).year
    keeper, committee = "demo-village-keeper", "demo-committee"

    meetings = _page(keeper, "/work/meetings/")
    assert "主题党日" in meetings and "组织生活会" in meetings
    assert "未登记" in meetings and "已登记" in meetings
    assert "积分尚未记入台账" in _page(keeper, f"/work/meetings/{waiting.pk}/")
    diff = _page(committee, f"/committee/schemes/{refinement.pk}/diff/")
    assert "结对帮扶困难群众 新增" in diff and "2 → 3" in diff
    assert "待支部审批 1" in _page(keeper, "/exemptions/")
    assert "待上级党组织备案 1" in _page(committee, "/exemptions/")
    dashboard = _page(committee, "/committee/dashboard/")
    assert "团结村党支部" in dashboard and "平均分走势" in dashboard
    assert "已定等次" in _page(committee, "/year/")
    overview = _page(committee, f"/year/{baisha.pk}/{year}/")
    recorded = re.search(r"已记录 (\d+) / (\d+) 名党员", overview)
    assert recorded is not None  # all but members admitted after that year
    assert 20 <= int(recorded[1]) <= int(recorded[2])
    assert "不合格党员处置 1" in overview


# --- the period flow (demo/flow.py) -------------------------------------------------------


def _branches(tenant: Organisation) -> list[Organisation]:
    return list(
        Organisation.objects.filter(tenant=tenant, kind=OrgKind.BRANCH).exclude(scheme_code="")
    )


def test_each_branch_publicises_its_latest_ended_period_with_the_window_open(demo, tenant):
    as_of = dt.date(timezone.localdate().year, 1, 1)  # the demo fixture's today
    boards = 0
    for branch in _branches(tenant):
        # The previous year's periods too (the four branches of 八吉府街道党工委).
        ended = Period.objects.filter(organisation=branch, ends_on__lt=as_of).order_by("ends_on")
        latest = ended.last()
        assert latest is not None, branch.code  # the demo year is last year in full
        if branch.code == "QS-03-01":  # 青山钢构: its latest quarter waits (待汇总)
            assert latest.state == PeriodState.OPEN
            continue
        assert latest.state == PeriodState.PUBLICISED, branch.code
        record = PeriodRecord.objects.get(period=latest)
        assert record.snapshot is not None
        assert record.publicity_starts_on is not None and record.publicity_ends_on is not None
        assert latest.ends_on < record.publicity_starts_on <= as_of <= record.publicity_ends_on
        # Only the latest period of a branch is in its publicity.
        assert not ended.exclude(pk=latest.pk).filter(state=PeriodState.PUBLICISED).exists()
        assert not ended.exclude(pk=latest.pk).filter(state=PeriodState.OPEN).exists()
        boards += 1
    assert boards == 9


def test_older_periods_are_archived_after_their_window_and_filed(tenant):
    village = Organisation.objects.get(tenant=tenant, code="QS-01-01")
    as_of = dt.date(timezone.localdate().year, 1, 1)
    months = list(
        Period.objects.filter(organisation=village, starts_on__year=as_of.year - 1).order_by(
            "starts_on"
        )
    )
    assert len(months) == 12
    assert months[0].state == PeriodState.ARCHIVED  # not filed yet: the keeper's 待上报
    assert {m.state for m in months[1:11]} == {PeriodState.FILED}
    for month in months[:11]:
        record = PeriodRecord.objects.get(period=month)
        assert record.publicity_starts_on == month.ends_on + dt.timedelta(days=1)
        assert record.archived_at is not None and record.window_closed_notified
    # Locked: the ledger refuses an entry dated in an archived month.
    assert all(m.is_locked for m in months[:11])
    # The other branches' older periods are filed too (the steel company's first quarter
    # stays archived, like the village's first month).
    assert Period.objects.filter(tenant=tenant, state=PeriodState.ARCHIVED).count() == 2
    assert Period.objects.filter(tenant=tenant, state=PeriodState.FILED).count() > 30


def test_the_committee_accepted_most_filings_returned_one_and_two_wait(tenant):
    filings = FilingReview.objects.filter(tenant=tenant)
    states = {state: filings.filter(state=state).count() for state in FilingState.values}
    assert states[FilingState.SUBMITTED] == 2
    assert states[FilingState.RETURNED] == 1
    assert states[FilingState.ACCEPTED] == filings.count() - 3 > 30
    waiting = filings.filter(state=FilingState.SUBMITTED)
    assert set(waiting.values_list("period__organisation__code", flat=True)) == {
        "QS-01-01",
        "QS-01-02",
    }
    assert {f.committee.code for f in waiting} == {"QS-01"}  # demo-committee's work
    returned = filings.get(state=FilingState.RETURNED)
    assert returned.reason and returned.period.organisation.code == "QS-01-01"
    # Each filing went to the branch's own higher committee.
    assert not filings.exclude(committee=F("period__organisation__parent")).exists()


def test_members_are_told_their_results_and_the_publicity(tenant):
    notes = Notification.objects.filter(recipient__username="demo-member")
    # Her village's months of the demo year and of the year before (graded, all filed).
    assert notes.filter(kind=NotificationKind.RESULT_READY).count() == 24
    assert notes.filter(kind=NotificationKind.APPEAL_WINDOW_OPEN).count() == 24
    assert notes.filter(kind=NotificationKind.APPEAL_WINDOW_CLOSED).count() == 23


def test_the_boards_filings_and_workbench_show_the_flow(tenant):
    from django.test import Client

    village = Organisation.objects.get(tenant=tenant, code="QS-01-01")
    published = Period.objects.filter(
        tenant=tenant, state__in=(PeriodState.PUBLICISED, PeriodState.ARCHIVED, PeriodState.FILED)
    )
    publicised = published.filter(state=PeriodState.PUBLICISED)
    anonymous = Client()
    for period in publicised:
        assert anonymous.get(f"/board/{period.pk}/").status_code == 200, period.organisation.code
    latest = publicised.get(organisation=village)
    board = _text(anonymous.get(f"/board/{latest.pk}/"))
    assert village.name in board and latest.label in board
    assert publicised.count() == 9  # every branch but the steel company's
    filed = published.filter(organisation=village, state=PeriodState.FILED).first()
    assert filed is not None  # a filed period's board stays readable
    assert anonymous.get(f"/board/{filed.pk}/").status_code == 200
    filings = _page("demo-committee", "/filings/")
    waiting_part = filings.split("已审核")[0]
    assert "团结村党支部" in waiting_part and "白沙洲村党支部" in waiting_part
    assert "没有待审核的上报" not in filings
    returned = FilingReview.objects.get(tenant=tenant, state=FilingState.RETURNED)
    assert RETURN_REASON in _page("demo-committee", f"/filings/{returned.pk}/")
    workbench = _page("demo-company-keeper", "/work/")
    assert "待汇总" in workbench
    assert "待汇总" not in _page("demo-village-keeper", "/work/")


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
