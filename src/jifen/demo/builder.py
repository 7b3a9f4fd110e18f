"""Loads the demo tenant 青山区委 (QS) through the services, in one transaction.

Every domain row goes through its service with `actor=None` (the operator at the command
line): organisations, role grants, members, the transfer, the exemption, the periods and
the ledger, the meetings, scheme versions, year end, the period flow (summary, publicity,
archive, filing) and the API token. The attestations are the village scorekeeper's (their
service wants a keeper, not the operator). Only login users are created directly
(`create_user`): they are not domain rows. The load ends with a `demo.load` audit event:
that event is how a second run knows the tenant is a complete demo and leaves it alone.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from jifen.core.audit import Action, record
from jifen.core.models import AuditEvent
from jifen.demo import lastyear, showcase
from jifen.demo.activity import DemoYear, Profile, demo_year, year_of_acts
from jifen.demo.flow import run_period_flow
from jifen.demo.meetings import correct_one_absence, load_meetings, meeting_items
from jifen.demo.roster import (
    DEMO_PASSWORD,
    ROSTER_SEED,
    SCORING_PERIOD,
    TENANT_CODE,
    LoginPlan,
    MemberPlan,
    Roster,
    build_roster,
)
from jifen.engine.periods import spans_of_year
from jifen.ledger.models import LedgerEntry, Source
from jifen.ledger.services import (
    EntryDraft,
    open_period,
    post_entries,
    reverse_entry,
)
from jifen.members.models import ExemptionApproval, Member
from jifen.members.services import (
    create_member,
    decide_exemption,
    request_exemption,
    transfer_member,
)
from jifen.orgs.models import Organisation, Role
from jifen.orgs.services import create_organisation, grant_role

Say = Callable[[str], None]


class DemoConflict(Exception):
    """The database holds something the demo would collide with; the message says what."""


@dataclass(frozen=True)
class LoginRow:
    username: str
    password: str
    role: str
    organisation: str


@dataclass
class LoadResult:
    tenant: Organisation
    created: bool
    logins: list[LoginRow]
    seconds: float = 0.0


# Corrections the demo makes (冲正): (branch, items to look for in order, reason).
REVERSALS = (
    ("village", ("absent_unexcused",), "经核实当日因病请假，撤销无故缺席扣分"),
    ("steel", ("service_complaint", "service_dress_deadline", "study_absent"),
     "经调查该扣分事项不属实，予以撤销"),
    ("community", ("volunteer",), "同一次志愿服务重复登记，予以冲正"),
)  # fmt: skip


def find_demo_tenant(code: str) -> Organisation | None:
    """The complete demo tenant of that code, None if there is none, or DemoConflict when
    the code is taken by something else (real data, or a load that was cut short)."""
    tenant = Organisation.objects.filter(parent__isnull=True, code=code).first()
    if tenant is None:
        return None
    if not AuditEvent.objects.filter(tenant_id=tenant.pk, action=Action.DEMO_LOAD).exists():
        raise DemoConflict(
            f"租户代码 {code} 已被占用，但不是一次完整的演示数据载入"
            "（真实数据，或上次载入被中断）。"
            f"请在新的数据库中载入演示数据。 (Tenant code {code} exists but is not a complete "
            "demo load; use a fresh database.)"
        )
    return tenant


def check_usernames(usernames: list[str]) -> None:
    taken = list(
        get_user_model()
        .objects.filter(username__in=usernames)
        .order_by("username")
        .values_list("username", flat=True)
    )
    if taken:
        raise DemoConflict(
            f"演示账号 {', '.join(taken)} 已存在，演示数据未载入。 "
            f"(Demo usernames already taken: {', '.join(taken)}; nothing was loaded.)"
        )


def role_label(role: str) -> str:
    if role == "member":
        return "党员 member"
    return f"{Role(role).label} {role}"


def login_rows(plans: list[LoginPlan], organisations: dict[str, Organisation]) -> list[LoginRow]:
    return [
        LoginRow(
            plan.username,
            DEMO_PASSWORD,
            role_label(plan.role),
            f"{organisations[plan.organisation].name} ({organisations[plan.organisation].code})",
        )
        for plan in plans
    ]


def create_login(plan: LoginPlan) -> object:
    user_model = get_user_model()
    user = user_model(username=plan.username, first_name=plan.display_name[:150])
    validate_password(DEMO_PASSWORD, user)  # the documented password must pass the rules
    return user_model.objects.create_user(
        plan.username,
        password=DEMO_PASSWORD,
        is_staff=plan.is_staff,
        first_name=plan.display_name[:150],
    )


# --- the default demo ---------------------------------------------------------------------


def load_demo(*, scale: float = 1.0, today: dt.date | None = None, say: Say = print) -> LoadResult:
    today = today or timezone.localdate()
    year = demo_year(today)
    roster = build_roster(scale=scale, reference=year.last)
    existing = find_demo_tenant(TENANT_CODE)
    if existing is not None:
        orgs = {o.code: o for o in Organisation.objects.filter(tenant=existing)}
        by_key = {plan.key: orgs[plan.code] for plan in roster.organisations if plan.code in orgs}
        return LoadResult(existing, False, login_rows(roster.logins, by_key))
    check_usernames([plan.username for plan in roster.logins])
    started = time.monotonic()
    with transaction.atomic():
        loader = _Loader(roster, year, say, today)
        loader.run()
    return LoadResult(
        loader.orgs["district"],
        True,
        login_rows(roster.logins, loader.orgs),
        time.monotonic() - started,
    )


class _Loader:
    def __init__(self, roster: Roster, year: DemoYear, say: Say, today: dt.date) -> None:
        self.roster, self.year, self.say, self.today = roster, year, say, today
        self.orgs: dict[str, Organisation] = {}
        self.members: dict[int, Member] = {}  # id(plan) -> Member
        self.transfer_on: dt.date | None = None
        self.users: dict[str, Any] = {}
        self.refinement_from = showcase.refinement_starts(year, today)

    def run(self) -> None:
        self.say(f"演示年度 demo year: {self.year.first} – {self.year.last}")
        self.organisations()
        users = {plan.username: create_login(plan) for plan in self.roster.logins}
        self.users = users
        self.people(users)
        for plan in self.roster.logins:
            if plan.role != "member":
                grant_role(
                    actor=None,
                    user=users[plan.username],
                    role=plan.role,
                    organisation=self.orgs[plan.organisation],
                )
        self.say(
            f"组织 {len(self.orgs)} 个、党员 {len(self.members)} 名、账号 {len(users)} 个已创建"
        )
        self.transfer()
        self.exemption()
        self.periods()
        self.schemes()
        count = self.ledger()
        self.say(f"台账记录 {count} 条已登记 (ledger entries posted)")
        self.meetings()
        self.reversals()
        self.waiting_work()
        self.year_end()
        self.period_flow()  # last of the demo year's writes: archiving locks periods
        self.token()
        tenant = self.orgs["district"]
        record(
            Action.DEMO_LOAD,
            actor=None,
            target=tenant,
            tenant_id=tenant.pk,
            summary=f"演示数据 {tenant.name} ({tenant.code})",
            changes={
                "kind": "default",
                "members": len(self.members),
                "entries": count,
                "year": self.year.year,
            },
        )

    def organisations(self) -> None:
        for plan in self.roster.organisations:
            self.orgs[plan.key] = create_organisation(
                actor=None,
                name=plan.name,
                code=plan.code,
                kind=plan.kind,
                parent=self.orgs[plan.parent] if plan.parent else None,
                sector=plan.sector,
                leader_name=plan.leader_name,
                scheme_code=plan.scheme_code,
            )

    def people(self, users: dict[str, object]) -> None:
        user_of = {
            plan.member_tag: users[plan.username] for plan in self.roster.logins if plan.member_tag
        }
        for plan in self.roster.members:
            user = next((user_of[tag] for tag in sorted(plan.tags) if tag in user_of), None)
            person = plan.person
            self.members[id(plan)] = create_member(
                actor=None,
                branch=self.orgs[plan.branch],
                name=person.name,
                gender=person.gender,
                id_number=person.id_number,
                phone=person.phone,
                status=plan.status,
                join_date=plan.join_date,
                birth_date=person.birth_date,
                category=plan.category,
                group=self.orgs[plan.group] if plan.group else None,
                is_floating=plan.is_floating,
                sending_organisation_name=plan.sending_organisation_name,
                user=user,
            )

    def transfer(self) -> None:
        """One member leaves the logistics company for the steel company in mid-year."""
        plan = self.roster.member("transfer")
        june = dt.date(self.year.year, 6, 1)
        first, last = self.year.first, self.year.last
        self.transfer_on = (
            june if june + dt.timedelta(days=30) <= last else first + (last - first) // 2
        )
        transfer_member(
            actor=None,
            member=self.members[id(plan)],
            to_branch=self.orgs["steel"],
            on=self.transfer_on,
            reason="工作调动，组织关系随转",
        )

    def exemption(self) -> None:
        member = self.members[id(self.roster.member("exempt"))]
        exemption = request_exemption(
            actor=None,
            member=member,
            starts_on=self.year.first,
            reason="年满七十周岁，年老体弱，本人申请不纳入积分管理",
        )
        decide_exemption(
            actor=None,
            exemption=exemption,
            level=ExemptionApproval.Level.BRANCH,
            approve=True,
            note="经支部委员会研究，同意",
        )
        decide_exemption(
            actor=None,
            exemption=exemption,
            level=ExemptionApproval.Level.COMMITTEE,
            approve=True,
            note="同意备案",
        )

    def periods(self) -> None:
        for plan in self.roster.organisations:
            if not plan.scheme_code:
                continue
            for span in spans_of_year(SCORING_PERIOD[plan.scheme_code], self.year.year):
                open_period(
                    actor=None,
                    organisation=self.orgs[plan.key],
                    label=span.key,
                    starts_on=span.start,
                    ends_on=span.end,
                )

    def ledger(self) -> int:
        """A year of acts per member, posted one call per branch and month, month by month
        across the tenant as a district's scorekeepers would."""
        rng = random.Random(f"{ROSTER_SEED}-ledger-{self.year.year}")
        schemes = {plan.key: plan.scheme_code for plan in self.roster.organisations}
        # Attendance items come from the meetings (`demo.meetings`): never twice.
        from_meetings = {key: meeting_items(code) for key, code in schemes.items() if code}
        batches: dict[tuple[int, str], list[EntryDraft]] = defaultdict(list)
        for plan in self.roster.members:
            profile = Profile(plan.category, plan.diligence)
            acts = year_of_acts(schemes[plan.branch], rng, profile, self.year)
            if "exempt" in plan.tags:
                continue  # left out of the scoring from the year's start (the draws still count)
            member = self.members[id(plan)]
            for act in acts:
                if (
                    plan.status == "probationary"
                    and plan.join_date
                    and act.occurred_on < plan.join_date
                ):
                    continue
                branch = self._branch_on(plan, act.occurred_on)
                if act.item_code in from_meetings[branch]:
                    continue
                points = act.points
                if branch == "village":  # the refinement's value from its effective date
                    refined = showcase.refined_points(
                        act.item_code, act.occurred_on, self.refinement_from
                    )
                    points = points if refined is None else refined
                batches[(act.occurred_on.month, branch)].append(
                    EntryDraft(
                        member_id=member.pk,
                        organisation_id=self.orgs[branch].pk,
                        item_code=act.item_code,
                        points=points,
                        occurred_on=act.occurred_on,
                        honor_key=act.honor_key,
                        note=act.note,
                        source=act.source,
                    )
                )
        tenant_id = self.orgs["district"].pk
        total = 0
        for (month, branch), drafts in sorted(
            batches.items(), key=lambda item: (item[0][0], self.orgs[item[0][1]].code)
        ):
            drafts.sort(key=lambda draft: draft.occurred_on)
            summary = f"{self.orgs[branch].code} {self.year.year}年{month}月积分登记"
            total += post_entries(
                actor=None, tenant_id=tenant_id, drafts=drafts, summary=summary
            ).count
        return total

    def _branch_on(self, plan: MemberPlan, day: dt.date) -> str:
        if "transfer" in plan.tags and self.transfer_on is not None and day >= self.transfer_on:
            return "steel"
        return plan.branch

    def reversals(self) -> None:
        """The village's correction is an attendance corrected at its meeting (the meetings
        service reverses the absence); the others reverse an entry of the generic ledger."""
        tenant = self.orgs["district"]
        for branch, items, reason in REVERSALS:
            if branch == "village":
                correct_one_absence(branch=self.orgs[branch], today=self.today)
                continue
            for item in items:
                entry = (
                    LedgerEntry.objects.filter(
                        tenant=tenant,
                        organisation=self.orgs[branch],
                        item_code=item,
                        reverses__isnull=True,
                    )
                    .exclude(source=Source.ATTENDANCE)
                    .order_by("-seq")
                    .first()
                )
                if entry is not None:
                    reverse_entry(actor=None, entry=entry, reason=reason)
                    break

    # --- the parts added for meetings, schemes, waiting work, year end and the API -------

    def schemes(self) -> None:
        template, refinement = showcase.load_schemes(
            committee=self.orgs["bajifu"], village=self.orgs["village"], year=self.year,
            today=self.today,
        )  # fmt: skip
        self.refinement_from = refinement.effective_from
        self.say(
            f"积分办法版本：{template.code} 模板 v{template.version}、"
            f"团结村细则 v{refinement.version}（{refinement.effective_from} 起）"
        )

    def _sheet(self, key: str, day: dt.date) -> list[tuple[MemberPlan, Member]]:
        """Who is on a branch's attendance sheet that day (members already admitted, not
        exempt, in the branch that day and still there: the service's own sheet)."""
        rows = []
        for plan in self.roster.members:
            if "exempt" in plan.tags or (plan.join_date and plan.join_date > day):
                continue
            if self._branch_on(plan, day) != key:
                continue
            member = self.members[id(plan)]
            if member.branch_id == self.orgs[key].pk:
                rows.append((plan, member))
        return rows

    def meetings(self) -> None:
        branches = {
            plan.key: self.orgs[plan.key] for plan in self.roster.organisations if plan.scheme_code
        }
        load = load_meetings(
            year=self.year, today=self.today, branches=branches, sheets=self._sheet
        )
        self.say(
            f"会议 {load.meetings} 次、考勤 {load.attendance} 人次、会议积分 {load.posted} 条"
            "（最后一个月的会议待登记积分）"
        )

    def waiting_work(self) -> None:
        village = [
            self.members[id(plan)]
            for plan in self.roster.members
            if plan.branch == "village"
            and not plan.tags
            and plan.status == "full"
            and plan.category in ("A", "B")
        ]
        showcase.load_attestations(
            keeper=self.users["demo-village-keeper"],
            members=village[:3], year=self.year, today=self.today,
            refinement_from=self.refinement_from,
        )  # fmt: skip
        elders = sorted(
            (p for p in self.roster.members if p.branch in ("village", "qinghe") and not p.tags),
            key=lambda p: (p.person.birth_date, p.person.name),
        )
        first = {p.branch: p for p in reversed(elders)}  # the oldest of each branch
        showcase.load_exemptions(
            branch_waits=self.members[id(first["village"])],  # demo-village-keeper's turn
            committee_waits=self.members[id(first["qinghe"])],  # demo-committee's turn
            starts=self.year.last,
        )
        self.say("待办：群众证实的申报 3 件、待审批的不纳入积分管理申请 2 件")

    def year_end(self) -> None:
        keys = [plan.key for plan in self.roster.organisations
                if plan.parent == "bajifu" and plan.scheme_code]  # fmt: skip
        done = lastyear.load_previous_year(
            year=self.year, today=self.today,
            branches={key: self.orgs[key] for key in keys},
            people=[(plan, self.members[id(plan)]) for plan in self.roster.members],
            scheme_of={plan.key: plan.scheme_code for plan in self.roster.organisations},
        )  # fmt: skip
        self.say(
            f"{done.year} 年度：{done.entries} 条台账，{done.graded} 个支部已定等，"
            f"不合格党员 {done.unqualified} 名（已作处置），预备党员 {done.probationary} 名"
        )

    def token(self) -> None:
        token = showcase.api_token("demo-village-keeper")
        if token is not None:
            self.say(f"API 令牌 demo-village-keeper（只显示这一次 shown once）: {token}")

    def period_flow(self) -> None:
        """Every ended period of the demo year through the workflow's period flow
        (`demo/flow.py`): summary, publicity, archive, filing, the committee's answers.
        团结村's months before and after its refinement are summarised under their own
        version (the flow resolves the scope as the summary page does)."""
        branches = {
            plan.key: self.orgs[plan.key] for plan in self.roster.organisations if plan.scheme_code
        }
        done = run_period_flow(branches=branches, year=self.year, today=self.today)
        self.say(
            f"期间汇总 {done.summarised} 次、公示 {done.publicised} 次、归档 {done.archived} 次、"
            f"上报 {done.filed} 次（备案 {done.accepted}、待审核 {done.waiting}、"
            f"退回 {done.returned}）"
        )
