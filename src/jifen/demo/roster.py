"""The plan of the demo tenant 青山区委 (QS): organisations, members and logins.

The plan is pure data drawn from a seeded `random.Random`: nothing here writes. The
builder (`jifen.demo.builder`) turns it into rows through the services. Keeping the two
apart makes the roster the same on every machine and easy to test.

The tenant has one branch per preset of schemes.md, ten in all, about 300 members:

    QS       青山区委
    QS-01    八吉府街道党工委        团结村 (s004, 村小组), 白沙洲村 (s000b),
                                      红卫路社区 (s001, 党小组), 青和居社区 (s003 社区)
    QS-02    区直机关工委            区财政局 (s000c), 区妇联 (s000a), 区第一中学 (s003 学校)
    QS-03    区两新组织综合党委      青山钢构 (s002, 党小组), 青山物流 (s002), 律师行业 (s003)
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from jifen.demo.names import Person, PersonFactory, join_date
from jifen.engine.periods import PeriodKind
from jifen.members.models import MemberStatus
from jifen.orgs.models import OrgKind, Role, Sector

TENANT_CODE = "QS"
ROSTER_SEED = 20260701  # the roster never depends on the date the demo is loaded

# One password for every demo login, printed by the command and documented in the README:
# ≥10 characters, four character classes, unlike any username.
DEMO_PASSWORD = "Jifen-demo-2026"

# The scoring period of each preset (schemes.md §2): the periods a branch opens.
SCORING_PERIOD: dict[str, PeriodKind] = {
    "s000a": "month",
    "s000b": "month",
    "s000c": "year",
    "s001": "year",
    "s002": "quarter",
    "s003": "year",
    "s004": "month",
}


@dataclass(frozen=True)
class OrgPlan:
    key: str  # the plan's handle, used by members and logins
    code: str
    name: str
    kind: str
    parent: str | None = None
    sector: str = ""
    scheme_code: str = ""
    leader_name: str = ""


@dataclass(frozen=True)
class BranchSpec:
    key: str
    code: str
    name: str
    parent: str
    sector: str
    scheme_code: str
    size: int
    born: tuple[int, int]
    female_share: float
    category: str = ""  # s003 branches: the district category their members rank in
    groups: tuple[str, ...] = ()  # names of 党小组 / 村小组
    group_kind: str = OrgKind.PARTY_GROUP
    clan: str = ""  # villages: the family name a good part of the village carries


COMMITTEES = (
    ("bajifu", "QS-01", "八吉府街道党工委", OrgKind.WORKING_COMMITTEE),
    ("organs", "QS-02", "区直机关工委", OrgKind.WORKING_COMMITTEE),
    ("twonew", "QS-03", "区两新组织综合党委", OrgKind.COMMITTEE),
)

BRANCHES = (
    BranchSpec(
        "village", "QS-01-01", "团结村党支部", "bajifu", Sector.VILLAGE, "s004", 50,
        (1950, 1998), 0.25, groups=("第一村民小组", "第二村民小组", "第三村民小组", "第四村民小组"),
        group_kind=OrgKind.VILLAGE_GROUP, clan="李",
    ),
    BranchSpec(
        "baisha", "QS-01-02", "白沙洲村党支部", "bajifu", Sector.VILLAGE, "s000b", 28,
        (1950, 1996), 0.25, clan="陈",
    ),
    BranchSpec(
        "community", "QS-01-03", "红卫路社区党支部", "bajifu", Sector.COMMUNITY, "s001", 36,
        (1950, 2000), 0.5, groups=("第一党小组", "第二党小组"),
    ),
    BranchSpec(
        "qinghe", "QS-01-04", "青和居社区党支部", "bajifu", Sector.COMMUNITY, "s003", 30,
        (1950, 2001), 0.55, category="社区",
    ),
    BranchSpec(
        "finance", "QS-02-01", "区财政局机关党支部", "organs", Sector.AGENCY, "s000c", 26,
        (1966, 2000), 0.45,
    ),
    BranchSpec(
        "women", "QS-02-02", "区妇联机关党支部", "organs", Sector.AGENCY, "s000a", 12,
        (1968, 2001), 0.85,
    ),
    BranchSpec(
        "school", "QS-02-03", "区第一中学党支部", "organs", Sector.SCHOOL, "s003", 32,
        (1963, 2003), 0.6, category="学校", groups=("文科党小组", "理科党小组"),
    ),
    BranchSpec(
        "steel", "QS-03-01", "武汉青山钢构有限公司党支部", "twonew", Sector.COMPANY, "s002", 42,
        (1966, 2001), 0.2, groups=("生产一组党小组", "生产二组党小组", "经营管理党小组"),
    ),
    BranchSpec(
        "logistics", "QS-03-02", "青山物流有限公司党支部", "twonew", Sector.COMPANY, "s002", 24,
        (1970, 2001), 0.3,
    ),
    BranchSpec(
        "lawyers", "QS-03-03", "青山区律师行业联合党支部", "twonew", Sector.NEW_ORGANISATION,
        "s003", 20, (1972, 2000), 0.45, category="两新组织",
    ),
)  # fmt: skip

# Floating members (流动党员) received from organisations outside the system: the receiving
# branch, the sending organisation's name, and the region their ID number comes from.
FLOATING = (
    ("steel", "湖北省黄梅县小池镇滨江村党支部", "421127"),
    ("community", "河南省濮阳县城关镇东关村党支部", "410928"),
)


@dataclass(frozen=True)
class LoginPlan:
    username: str
    role: str  # a Role value, or "member" for the plain member login
    organisation: str  # an org key
    display_name: str
    member_tag: str = ""  # the member this login belongs to, if any

    @property
    def is_staff(self) -> bool:
        return self.role != "member"


@dataclass
class MemberPlan:
    person: Person
    branch: str
    group: str | None = None
    status: str = MemberStatus.FULL
    join_date: dt.date | None = None
    category: str = ""
    is_floating: bool = False
    sending_organisation_name: str = ""
    diligence: float = 0.7  # 0..1: how rarely deductions come, how often good acts do
    tags: set[str] = field(default_factory=set)


@dataclass
class Roster:
    organisations: list[OrgPlan]
    members: list[MemberPlan]
    logins: list[LoginPlan]

    def member(self, tag: str) -> MemberPlan:
        return next(m for m in self.members if tag in m.tags)


def village_category(rng: random.Random, born: dt.date) -> str:
    """s004's classes: A 村组干部, B 有履职能力, C 外出流动, D 年老体弱."""
    if born.year < 1958 and rng.random() < 0.6:
        return "D"
    draw = rng.random()
    return "A" if draw < 0.14 else "C" if draw < 0.32 else "B"


def build_roster(*, scale: float = 1.0, reference: dt.date) -> Roster:
    """The whole tenant. `reference` is the last day of demo data: probationary members
    joined within the year before it. Every random draw comes from ROSTER_SEED in a fixed
    order, so names and ID numbers do not depend on the date."""
    rng = random.Random(ROSTER_SEED)
    people = PersonFactory(rng)
    district_leader = people.person(born_from=1965, born_to=1975).name
    organisations = [
        OrgPlan("district", TENANT_CODE, "青山区委", OrgKind.DISTRICT, leader_name=district_leader)
    ]
    for key, code, name, kind in COMMITTEES:
        leader = people.person(born_from=1966, born_to=1980).name
        organisations.append(OrgPlan(key, code, name, kind, "district", leader_name=leader))

    members: list[MemberPlan] = []
    for spec in BRANCHES:
        size = max(6, round(spec.size * scale))
        roster = [_member(rng, people, spec, reference) for _ in range(size)]
        _shape_branch(rng, spec, roster, reference)
        secretary = roster[0]
        organisations.append(
            OrgPlan(
                spec.key,
                spec.code,
                spec.name,
                OrgKind.BRANCH,
                spec.parent,
                spec.sector,
                spec.scheme_code,
                secretary.person.name,
            )
        )
        for number, group_name in enumerate(spec.groups, start=1):
            group_key = f"{spec.key}-g{number}"
            # The secretary sits in the first group; each group is led by someone else.
            in_group = roster[number :: len(spec.groups)]
            if number == 1:
                secretary.group = group_key
            for plan in in_group:
                plan.group = group_key
            organisations.append(
                OrgPlan(
                    group_key,
                    f"{spec.code}-{number:02d}",
                    _group_name(spec, group_name),
                    spec.group_kind,
                    spec.key,
                    leader_name=in_group[0].person.name,
                )
            )
            in_group[0].tags.add(f"group-leader:{group_key}")
        members.extend(roster)
    _special_members(rng, people, members, reference)
    return Roster(organisations, members, _logins(members))


def _group_name(spec: BranchSpec, group_name: str) -> str:
    return f"{spec.name.removesuffix('党支部')}{group_name}"


def _member(
    rng: random.Random, people: PersonFactory, spec: BranchSpec, reference: dt.date
) -> MemberPlan:
    family = spec.clan if spec.clan and rng.random() < 0.4 else None
    person = people.person(
        born_from=spec.born[0],
        born_to=spec.born[1],
        female_share=spec.female_share,
        family_name=family,
    )
    plan = MemberPlan(
        person=person,
        branch=spec.key,
        join_date=join_date(rng, person.birth_date, reference),
        category=spec.category,
        diligence=round(rng.uniform(0.35, 1.0), 3),
    )
    if spec.scheme_code == "s004":
        plan.category = village_category(rng, person.birth_date)
    # About one in twenty is in the probationary year (预备期); the draw comes first so that
    # the roster does not depend on the reference date.
    days_ago = rng.randint(20, 340)
    if rng.random() < 0.05 and person.birth_date.year >= 1975:
        plan.status = MemberStatus.PROBATIONARY
        plan.join_date = reference - dt.timedelta(days=days_ago)
    return plan


def _shape_branch(
    rng: random.Random, spec: BranchSpec, roster: list[MemberPlan], reference: dt.date
) -> None:
    """The people a branch needs: a secretary (full member, able, diligent); in s004 the
    secretary is a 村组干部 (A)."""
    secretary = roster[0]
    secretary.status = MemberStatus.FULL
    secretary.join_date = join_date(rng, secretary.person.birth_date, reference)
    secretary.diligence = 0.95
    secretary.tags.add(f"secretary:{spec.key}")
    if spec.scheme_code == "s004":
        secretary.category = "A"
    if spec.key == "school":
        # 入党积极分子: young teachers not yet admitted; s003 scores them like members.
        for plan in roster[-4:]:
            plan.status = MemberStatus.ACTIVIST
            plan.join_date = None
            plan.tags.add("activist")


def _special_members(
    rng: random.Random, people: PersonFactory, members: list[MemberPlan], reference: dt.date
) -> None:
    by_branch: dict[str, list[MemberPlan]] = {}
    for plan in members:
        by_branch.setdefault(plan.branch, []).append(plan)
    # The member with the plain login lives in the first village group, under its leader.
    village = by_branch["village"]
    login_member = next(
        m for m in village[1:] if m.group == "village-g1" and not _tagged(m, "group-leader")
    )
    login_member.tags.add("login-member")
    login_member.category = "B"
    login_member.status = MemberStatus.FULL
    # The reviewer (支委) of the company branch: its second member.
    by_branch["steel"][1].tags.add("reviewer:steel")
    # One member moves from the logistics company to the steel company in the year.
    by_branch["logistics"][-1].tags.add("transfer")
    # One elderly member of 青和居社区 asks to be left out (s003: aged 70+, on request).
    elder = by_branch["qinghe"][-1]
    elder.person = people.person(born_from=1950, born_to=1953, female_share=0.5)
    elder.join_date = join_date(rng, elder.person.birth_date, reference)
    elder.status = MemberStatus.FULL
    elder.tags.add("exempt")
    for branch, sender, region in FLOATING:
        spec = next(s for s in BRANCHES if s.key == branch)
        plan = MemberPlan(
            person=people.person(born_from=1978, born_to=1995, region=region, female_share=0.3),
            branch=branch,
            category=spec.category,
            is_floating=True,
            sending_organisation_name=sender,
            diligence=round(rng.uniform(0.5, 0.9), 3),
            tags={"floating"},
        )
        plan.join_date = join_date(rng, plan.person.birth_date, reference)
        members.append(plan)


def _tagged(plan: MemberPlan, prefix: str) -> bool:
    return any(tag.startswith(prefix) for tag in plan.tags)


def _logins(members: list[MemberPlan]) -> list[LoginPlan]:
    def name_of(tag: str) -> str:
        return next(m.person.name for m in members if tag in m.tags)

    return [
        LoginPlan("demo-member", "member", "village", name_of("login-member"), "login-member"),
        LoginPlan(
            "demo-village-keeper",
            Role.SCOREKEEPER,
            "village",
            name_of("secretary:village"),
            "secretary:village",
        ),
        LoginPlan(
            "demo-company-keeper",
            Role.SCOREKEEPER,
            "steel",
            name_of("secretary:steel"),
            "secretary:steel",
        ),
        LoginPlan(
            "demo-reviewer", Role.REVIEWER, "steel", name_of("reviewer:steel"), "reviewer:steel"
        ),
        LoginPlan(
            "demo-group-leader",
            Role.GROUP_LEADER,
            "village-g1",
            name_of("group-leader:village-g1"),
            "group-leader:village-g1",
        ),
        LoginPlan("demo-committee", Role.COMMITTEE, "bajifu", "八吉府街道党工委组织委员"),
        LoginPlan("demo-district", Role.COMMITTEE, "district", "青山区委组织部"),
        LoginPlan("demo-admin", Role.ADMINISTRATOR, "district", "系统管理员"),
    ]
