"""The demo year's 三会一课 as meetings with attendance, posted through `jifen.meetings`.

Every branch holds a 主题党日 on the 10th and a 支部党员大会 on the 25th of each month, and
one 组织生活会 in January. Attendance is drawn per member from a seeded generator (mostly
出席; 请假 and 缺席 more often for the less diligent and for 流动党员). The meetings service
posts what `attendance.toml` maps (absences, and 请假 in s001); the generic ledger therefore
leaves out the items meetings produce (`meeting_items`), so no absence counts twice. The
last month's meetings keep their attendance unposted: the scorekeeper has something to do.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from jifen.demo.activity import DemoYear
from jifen.demo.roster import ROSTER_SEED, MemberPlan
from jifen.meetings import config
from jifen.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from jifen.meetings.services import create_meeting, post_attendance, save_attendance
from jifen.members.models import Member, MemberStatus
from jifen.orgs.models import Organisation

NAMESPACE = uuid.UUID("6f1c2b8e-4d3a-5e7f-9a0b-1c2d3e4f5a6b")  # fixed: the forms' keys

THEME_TITLES = (
    "学习贯彻党的二十届三中全会精神", "重温入党誓词", "学习《中国共产党纪律处分条例》",
    "清明祭英烈", "走访慰问困难党员群众", "志愿服务进社区", "庆祝建党节", "防汛知识学习",
    "学习《习近平谈治国理政》", "国庆主题教育", "法治宣传进万家", "年终党建工作回顾",
)  # fmt: skip
ASSEMBLY_TITLES = (
    "部署年度党建工作", "讨论发展党员工作", "通报党费收缴情况", "学习新修订的党章",
    "研究积分管理细则", "讨论入党积极分子培养", "半年工作总结", "组织生活制度学习",
    "讨论预备党员转正", "通报上季度积分情况", "讨论为民办实事项目", "年度工作总结",
)  # fmt: skip


@dataclass(frozen=True)
class Planned:
    kind: str
    held_on: dt.date
    title: str


def meeting_items(scheme_code: str) -> set[str]:
    """The items attendance produces in this scheme (by any kind of meeting)."""
    return {
        item.code
        for kind in MeetingKind.values
        for item in config.rules_for(scheme_code, kind).values()
    }


def year_of_meetings(year: DemoYear) -> list[Planned]:
    planned = []
    for month, _start, _end in year.months():
        theme = dt.date(year.year, month, 10)
        if year.has(theme):
            planned.append(Planned(MeetingKind.THEME_DAY, theme, THEME_TITLES[month - 1]))
        assembly = dt.date(year.year, month, 25)
        if year.has(assembly):
            planned.append(
                Planned(MeetingKind.BRANCH_ASSEMBLY, assembly, ASSEMBLY_TITLES[month - 1])
            )
    life = dt.date(year.year, 1, 20)
    if year.has(life):
        planned.append(Planned(MeetingKind.ORG_LIFE, life, "年度专题组织生活会"))
    return sorted(planned, key=lambda p: (p.held_on, p.kind))


def _status(rng: random.Random, plan: MemberPlan) -> str:
    d = plan.diligence
    absent = 0.01 + 0.06 * (1 - d) + (0.04 if plan.category == "C" else 0)
    leave = 0.04 + (0.25 if plan.category in ("C", "D") else 0)
    draw = rng.random()
    if draw < absent:
        return AttendanceStatus.ABSENT
    if draw < absent + leave:
        return AttendanceStatus.LEAVE
    return AttendanceStatus.PRESENT


@dataclass
class MeetingLoad:
    meetings: int = 0
    attendance: int = 0
    posted: int = 0


def load_meetings(
    *,
    year: DemoYear,
    today: dt.date,
    branches: dict[str, Organisation],
    sheets: Callable[[str, dt.date], list[tuple[MemberPlan, Member]]],
) -> MeetingLoad:
    """`sheets(branch key, day)` gives who belongs on the sheet that day."""
    rng = random.Random(f"{ROSTER_SEED}-meetings-{year.year}")
    schedule = year_of_meetings(year)
    last_month = schedule[-1].held_on.month if schedule else 0  # its meetings stay unposted
    load = MeetingLoad()
    for planned in schedule:
        for key, branch in branches.items():
            statuses = {
                member.pk: _status(rng, plan)
                for plan, member in sheets(key, planned.held_on)
                if plan.status != MemberStatus.ACTIVIST
            }
            if not statuses:
                continue
            meeting = create_meeting(
                actor=None, branch=branch, kind=planned.kind, held_on=planned.held_on,
                title=planned.title, today=today,
                idempotency_key=uuid.uuid5(NAMESPACE, f"{branch.code}/{planned.kind}/"
                                           f"{planned.held_on}"),
            )  # fmt: skip
            load.meetings += 1
            load.attendance += save_attendance(actor=None, meeting=meeting, statuses=statuses)
            if planned.held_on.month != last_month:
                load.posted += post_attendance(actor=None, meeting=meeting, today=today).posted
    return load


def correct_one_absence(*, branch: Organisation, today: dt.date) -> bool:
    """The village's correction (冲正): a member recorded absent had sick leave. Correcting
    the attendance and posting again makes the service reverse the absence entry."""
    row = (
        Attendance.objects.filter(
            meeting__branch=branch,
            meeting__posted_at__isnull=False,
            status=AttendanceStatus.ABSENT,
        )
        .select_related("meeting")
        .order_by("-meeting__held_on", "member_id")
        .first()
    )
    if row is None:
        return False
    meeting: Meeting = row.meeting
    save_attendance(actor=None, meeting=meeting, statuses={row.member_id: AttendanceStatus.LEAVE})
    return post_attendance(actor=None, meeting=meeting, today=today).reversed > 0
