"""Meetings and attendance: the scheme's configuration decides the entries; posting is
explicit, happens once, and a correction is a reversal plus a new entry."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jifen.ledger.models import LedgerEntry
from jifen.ledger.verify import verify_tenant
from jifen.meetings import config
from jifen.meetings.models import Meeting, MeetingKind
from jifen.meetings.services import create_meeting, post_attendance, save_attendance

from .conftest import TODAY, add_members, archived_period, login

pytestmark = pytest.mark.django_db


def meeting(personas: Any, branch: Any = None, kind: str = "branch_assembly", **extra: Any) -> Any:
    return create_meeting(
        actor=personas.sam, branch=branch or personas.branch_a, kind=kind,
        held_on=extra.pop("held_on", dt.date(2026, 5, 8)), title="五月支部党员大会",
        idempotency_key=uuid.uuid4(), today=TODAY, **extra,
    )  # fmt: skip


def ledger() -> list[tuple[int, str, Decimal, str, int | None]]:
    return [
        (e.member_id, e.item_code, e.points, e.source, e.reverses_id)
        for e in LedgerEntry.objects.order_by("seq")
    ]


# --- configuration ------------------------------------------------------------------------------


def test_the_configuration_names_only_known_kinds_and_fixed_items_of_each_scheme() -> None:
    assert set(MeetingKind.values) == config.KINDS
    mapping = config.load()
    assert {"s001", "s002", "s003", "s004"} <= set(mapping)
    assert config.item_for("s001", "party_lecture", "leave").code == "absent_leave"
    assert config.item_for("s002", "org_life", "absent").code == "duty_orglife_dues"
    assert config.item_for("s002", "theme_day", "absent").code == "study_absent"
    assert config.item_for("s000a", "theme_day", "absent") is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[s001."*"]\nabsent = "no_such_item"', "积分办法中没有项目 'no_such_item'"),
        ('[s001."*"]\nabsent = "misconduct"', "不是固定分值项目"),
        ('[s001.picnic]\nabsent = "absent_leave"', "未知的会议类型"),
        ('[s001."*"]\nlate = "absent_leave"', "未知的出勤情况 'late'"),
        ('[nope."*"]\nabsent = "absent_leave"', "未知的积分办法 'nope'"),
    ],
)
def test_a_bad_configuration_is_refused_when_loaded(text: str, problem: str) -> None:
    with pytest.raises(config.BadAttendanceConfig, match=problem):
        config.parse(text)


# --- entries from attendance ----------------------------------------------------------------------


def test_attendance_under_scheme_002_gives_its_absence_items(personas) -> None:
    bo, chen = add_members(personas.branch_a, 2)
    alice = personas.alice
    assembly = meeting(personas)
    statuses = {alice.pk: "present", bo.pk: "leave", chen.pk: "absent"}
    save_attendance(actor=personas.sam, meeting=assembly, statuses=statuses)
    assert not LedgerEntry.objects.exists()  # saving the sheet posts nothing
    done = post_attendance(actor=personas.sam, meeting=assembly, today=TODAY)
    assert (done.posted, done.reversed) == (1, 0)
    assert ledger() == [(chen.pk, "study_absent", Decimal("-1"), "attendance", None)]
    entry = LedgerEntry.objects.get()
    assert entry.occurred_on == dt.date(2026, 5, 8) and entry.recorded_by_id == personas.sam.pk

    life = meeting(personas, kind="org_life")
    save_attendance(actor=personas.sam, meeting=life, statuses=statuses)
    post_attendance(actor=personas.sam, meeting=life, today=TODAY)
    assert ledger()[-1] == (chen.pk, "duty_orglife_dues", Decimal("-2"), "attendance", None)


def test_attendance_under_scheme_001_deducts_for_leave_and_absence(personas, branch_s001) -> None:
    here, away, gone = add_members(branch_s001, 3)
    lecture = meeting(personas, branch=branch_s001, kind="party_lecture")
    save_attendance(
        actor=personas.sam, meeting=lecture,
        statuses={here.pk: "present", away.pk: "leave", gone.pk: "absent"},
    )  # fmt: skip
    post_attendance(actor=personas.sam, meeting=lecture, today=TODAY)
    assert sorted(ledger()) == sorted(
        [
            (away.pk, "absent_leave", Decimal("-1"), "attendance", None),
            (gone.pk, "absent_unexcused", Decimal("-2"), "attendance", None),
        ]
    )


def test_posting_twice_posts_once(personas) -> None:
    (bo,) = add_members(personas.branch_a, 1)
    assembly = meeting(personas)
    save_attendance(actor=personas.sam, meeting=assembly, statuses={bo.pk: "absent"})
    post_attendance(actor=personas.sam, meeting=assembly, today=TODAY)
    again = post_attendance(actor=personas.sam, meeting=assembly, today=TODAY)
    assert again.nothing
    assert LedgerEntry.objects.count() == 1


def test_a_correction_reverses_the_old_entry_and_posts_the_new_one(personas, branch_s001) -> None:
    (bo,) = add_members(branch_s001, 1)
    lecture = meeting(personas, branch=branch_s001, kind="party_lecture")
    save_attendance(actor=personas.sam, meeting=lecture, statuses={bo.pk: "absent"})
    post_attendance(actor=personas.sam, meeting=lecture, today=TODAY)
    first = LedgerEntry.objects.get()
    # He had asked for leave after all: −2 becomes −1.
    save_attendance(actor=personas.sam, meeting=lecture, statuses={bo.pk: "leave"})
    done = post_attendance(actor=personas.sam, meeting=lecture, today=TODAY)
    assert (done.posted, done.reversed) == (1, 1)
    assert ledger() == [
        (bo.pk, "absent_unexcused", Decimal("-2"), "attendance", None),
        (bo.pk, "absent_unexcused", Decimal("2"), "correction", first.pk),
        (bo.pk, "absent_leave", Decimal("-1"), "attendance", None),
    ]
    # And he was there: the leave entry is reversed, nothing new.
    save_attendance(actor=personas.sam, meeting=lecture, statuses={bo.pk: "present"})
    done = post_attendance(actor=personas.sam, meeting=lecture, today=TODAY)
    assert (done.posted, done.reversed) == (0, 1)
    assert sum(e.points for e in LedgerEntry.objects.all()) == 0
    assert verify_tenant(branch_s001.tenant_id) is None
    assert lecture.entries.count() == 4  # the detail page lists all four


def test_posting_into_an_archived_period_is_refused_and_writes_nothing(personas) -> None:
    (bo,) = add_members(personas.branch_a, 1)
    archived_period(personas.branch_a, "2026-Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assembly = meeting(personas)
    save_attendance(actor=personas.sam, meeting=assembly, statuses={bo.pk: "absent"})
    with pytest.raises(ValidationError, match="已归档的期间 2026-Q2"):
        post_attendance(actor=personas.sam, meeting=assembly, today=TODAY)
    assert not LedgerEntry.objects.exists() and not assembly.entries.exists()


def test_bob_cannot_keep_branch_as_meetings(personas) -> None:
    assembly = meeting(personas)
    with pytest.raises(ValidationError, match="无权限"):
        save_attendance(
            actor=personas.bob, meeting=assembly, statuses={personas.alice.pk: "absent"}
        )
    with pytest.raises(ValidationError, match="无权限"):
        create_meeting(
            actor=personas.bob, branch=personas.branch_a, kind="theme_day",
            held_on=dt.date(2026, 5, 1), title="x", idempotency_key=uuid.uuid4(), today=TODAY,
        )  # fmt: skip


def test_a_member_of_another_branch_is_not_on_the_sheet(personas) -> None:
    assembly = meeting(personas)
    with pytest.raises(ValidationError, match="不在本次会议的考勤名单中"):
        save_attendance(
            actor=personas.sam, meeting=assembly, statuses={personas.member_b.pk: "absent"}
        )


# --- pages --------------------------------------------------------------------------------------


def test_a_meeting_is_created_once_however_often_the_form_is_sent(personas) -> None:
    sam = login(personas.sam)
    data = {
        "kind": "theme_day", "held_on": "2026-05-01", "title": "五月主题党日",
        "notes": "", "idempotency_key": str(uuid.uuid4()),
    }  # fmt: skip
    first = sam.post(reverse("meeting_create"), data)
    second = sam.post(reverse("meeting_create"), data)
    assert Meeting.objects.count() == 1
    assert first["Location"] == second["Location"]
    future = sam.post(reverse("meeting_create"), {**data, "held_on": "2999-01-01"})
    assert future.context["form"].errors["held_on"] == ["会议日期不能晚于今天：请在会后登记"]


def test_the_sheet_defaults_to_present_and_posts_from_the_page(personas) -> None:
    (bo,) = add_members(personas.branch_a, 1)
    assembly = meeting(personas)
    sam = login(personas.sam)
    url = reverse("meeting_attendance", args=[assembly.pk])
    page = sam.get(url).content.decode()
    assert page.count('value="present" checked') == 2  # Alice and Bo
    response = sam.post(
        url,
        {f"status-{personas.alice.pk}": "present", f"status-{bo.pk}": "absent",
         "action": "save_and_post"},
    )  # fmt: skip
    assert response.status_code == 302
    detail = sam.get(reverse("meeting_detail", args=[assembly.pk])).content.decode()
    assert "党员000" in detail and "-1.00" in detail and "台账中的积分与考勤一致" in detail
    bad = sam.post(url, {f"status-{personas.alice.pk}": "late", f"status-{bo.pk}": "present"})
    assert bad.status_code == 400 and "出勤情况无效" in bad.content.decode()
    assert LedgerEntry.objects.count() == 1


def test_bob_gets_404_for_branch_as_meeting_and_writes_nothing(personas) -> None:
    assembly = meeting(personas)
    save_attendance(actor=personas.sam, meeting=assembly, statuses={personas.alice.pk: "absent"})
    bob = login(personas.bob)
    assert bob.get(reverse("meeting_detail", args=[assembly.pk])).status_code == 404
    assert (
        bob.post(reverse("meeting_detail", args=[assembly.pk]), {"action": "post"}).status_code
        == 404
    )
    sheet = reverse("meeting_attendance", args=[assembly.pk])
    assert bob.post(sheet, {f"status-{personas.alice.pk}": "present"}).status_code == 404
    assert not LedgerEntry.objects.exists()
    assert "五月支部党员大会" not in bob.get(reverse("meeting_list")).content.decode()


def test_the_sheet_and_the_list_cost_the_same_queries_however_many_members(
    personas, django_assert_max_num_queries
) -> None:
    members = add_members(personas.branch_a, 120)
    assembly = meeting(personas)
    save_attendance(
        actor=personas.sam, meeting=assembly,
        statuses={m.pk: ("absent" if i % 3 == 0 else "present") for i, m in enumerate(members)},
    )  # fmt: skip
    post_attendance(actor=personas.sam, meeting=assembly, today=TODAY)
    for day in range(1, 30):
        meeting(personas, held_on=dt.date(2026, 4, day))
    sam = login(personas.sam)
    with django_assert_max_num_queries(20):
        sheet = sam.get(reverse("meeting_attendance", args=[assembly.pk]))
    assert sheet.content.decode().count('type="radio"') == 3 * 121
    with django_assert_max_num_queries(20):
        listing = sam.get(reverse("meeting_list"))
    assert listing.content.decode().count("<tr>") == 31  # the header and 30 meetings
    with django_assert_max_num_queries(25):
        detail = sam.get(reverse("meeting_detail", args=[assembly.pk]))
    assert detail.content.decode().count("study_absent") == 0  # names, not codes
    assert len(detail.context["entries"]) == 40


def test_keepers_find_the_pages_in_the_header_and_the_admin_is_scoped(personas) -> None:
    assembly = meeting(personas)
    sam_home = login(personas.sam).get(reverse("home")).content.decode()
    assert reverse("meeting_list") in sam_home and reverse("register_entries") in sam_home
    alice_home = login(personas.alice_user).get(reverse("home")).content.decode()
    assert reverse("meeting_list") not in alice_home
    admin_list = reverse("admin:meetings_meeting_changelist")
    assert assembly.title in login(personas.sam).get(admin_list).content.decode()
    bob_admin = login(personas.bob).get(admin_list)
    assert bob_admin.status_code == 200 and assembly.title not in bob_admin.content.decode()


def test_a_branch_refinement_in_force_on_the_meeting_day_sets_the_points(personas) -> None:
    from importlib import resources

    from jifen.schemes.services import create_version

    text = resources.files("jifen.engine.presets").joinpath("s002.toml").read_text("utf-8")
    old = 'code = "study_absent"\nname = "缺席三会一课、培训或主题教育实践活动（每次）"\n'
    old += 'dimension = "study"\nkind = "fixed"\npoints = -1\n'
    assert old in text
    create_version(
        actor=personas.carol, organisation=personas.branch_a,
        text=text.replace(old, old.replace("points = -1", "points = -1.5")),
        effective_from=dt.date(2026, 5, 1), today=dt.date(2026, 1, 5),
    )  # fmt: skip
    (chen,) = add_members(personas.branch_a, 1)
    before = meeting(personas, held_on=dt.date(2026, 4, 28))
    after = meeting(personas, held_on=dt.date(2026, 5, 8))
    for held in (before, after):
        save_attendance(actor=personas.sam, meeting=held, statuses={chen.pk: "absent"})
        post_attendance(actor=personas.sam, meeting=held, today=TODAY)
    points = [row[2] for row in ledger() if row[0] == chen.pk]
    assert points == [
        Decimal("-1"),
        Decimal("-1.5"),
    ]  # the preset before 1 May, then the refinement
