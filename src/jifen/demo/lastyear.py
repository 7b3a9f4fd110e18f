"""A compact previous year for the branches of 八吉府街道党工委, taken through year end.

The branches get the previous year's periods and a lighter ledger (every member's acts,
keeping one month in three of the preset's generator: a quarter of the volume), then the
year end of `jifen.workflow.years`: the democratic appraisal where the scheme counts it
(s000b: an annual assessed item), evaluation, grading (talk, award, unqualified and
probationary lists), and the branch's handling decision for each unqualified member.
One member of 白沙洲村 carries a veto (一票否决) so that the unqualified list is not empty.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from jifen.demo.activity import Act, DemoYear, Profile, year_of_acts
from jifen.demo.roster import ROSTER_SEED, SCORING_PERIOD, MemberPlan
from jifen.engine.periods import spans_of_year
from jifen.ledger.services import EntryDraft, open_period, post_entries
from jifen.members.models import Member, MemberStatus
from jifen.orgs.models import Organisation
from jifen.schemes.registry import preset
from jifen.workflow.models import Handling, YearListEntry
from jifen.workflow.states import YearListKind
from jifen.workflow.years import (
    AppraisalInput,
    appraisal_mode,
    decide_handling,
    evaluate_year,
    grade_year,
    record_appraisal,
)

NAMESPACE = uuid.UUID("9d2e4f6a-8b1c-5d3e-a7f9-0c1b2d3e4f5a")  # fixed: the forms' keys
KEPT_MONTHS = (3, 6, 9, 12)  # the compact year keeps these months' acts
VETO = {"s000b": "veto_serious", "s001": "veto_other", "s003": "veto_serious"}
VETO_NOTE = "受到留党察看处分"


@dataclass
class YearEnd:
    year: int
    entries: int = 0
    graded: int = 0
    unqualified: int = 0
    probationary: int = 0


def previous_year(year: DemoYear) -> DemoYear:
    prior = year.year - 1
    return DemoYear(prior, dt.date(prior, 1, 1), dt.date(prior, 12, 31))


def load_previous_year(
    *,
    year: DemoYear,
    today: dt.date,
    branches: dict[str, Organisation],
    people: Iterable[tuple[MemberPlan, Member]],
    scheme_of: dict[str, str],
) -> YearEnd:
    prior = previous_year(year)
    result = YearEnd(prior.year)
    tenant_id = next(iter(branches.values())).tenant_id
    for key, branch in branches.items():
        for span in spans_of_year(SCORING_PERIOD[scheme_of[key]], prior.year):
            open_period(actor=None, organisation=branch, label=span.key,
                        starts_on=span.start, ends_on=span.end)  # fmt: skip
    rng = random.Random(f"{ROSTER_SEED}-previous-{prior.year}")
    drafts: dict[str, list[EntryDraft]] = {key: [] for key in branches}
    appraisal: dict[str, list[AppraisalInput]] = {key: [] for key in branches}
    vetoed: set[str] = set()
    for plan, member in people:
        if plan.branch not in branches or "exempt" in plan.tags or "transfer" in plan.tags:
            continue
        code = scheme_of[plan.branch]
        acts = year_of_acts(code, rng, Profile(plan.category, plan.diligence), prior)
        for act in acts:
            if act.occurred_on.month not in KEPT_MONTHS or act.item_code == "annual_appraisal":
                continue
            if plan.join_date and act.occurred_on < plan.join_date:
                continue
            drafts[plan.branch].append(_draft(member, branch=branches[plan.branch], act=act))
        joined_later = plan.join_date is not None and plan.join_date > prior.last
        if appraisal_mode_counts(code) and not joined_later:
            score = Decimal(round(62 + 36 * plan.diligence * rng.uniform(0.9, 1.05)))
            appraisal[plan.branch].append(
                AppraisalInput(member.pk, points=min(score, Decimal(100)))
            )
        if code in VETO and plan.branch not in vetoed and _veto_candidate(plan, prior):
            vetoed.add(plan.branch)
            drafts[plan.branch].append(
                EntryDraft(
                    member_id=member.pk,
                    organisation_id=branches[plan.branch].pk,
                    item_code=VETO[code],
                    points=Decimal(0),
                    occurred_on=dt.date(prior.year, 9, 18),
                    note=VETO_NOTE,
                )  # fmt: skip
            )
    for key, branch in branches.items():
        batch = sorted(drafts[key], key=lambda d: d.occurred_on)
        if batch:
            result.entries += post_entries(
                actor=None, tenant_id=tenant_id, drafts=batch,
                summary=f"{branch.code} {prior.year}年积分登记（补录）",
            ).count  # fmt: skip
        if appraisal[key]:
            record_appraisal(
                actor=None, branch=branch, year=prior.year, results=appraisal[key],
                occurred_on=dt.date(prior.year, 12, 20),
                form_key=uuid.uuid5(NAMESPACE, f"{branch.code}/{prior.year}/appraisal"),
                today=today,
            )  # fmt: skip
        evaluation = evaluate_year(actor=None, branch=branch, year=prior.year, today=today)
        evaluation = grade_year(actor=None, evaluation=evaluation)
        result.graded += 1
        lists = YearListEntry.objects.filter(evaluation=evaluation).select_related("member")
        for entry in lists:
            if entry.kind == YearListKind.PROBATIONARY:
                result.probationary += 1
            if entry.kind == YearListKind.UNQUALIFIED:
                result.unqualified += 1
                decide_handling(
                    actor=None, entry=entry, handling=Handling.CORRECT, helper=branch.leader_name,
                    note="限期六个月改正，由支部书记结对帮教，每月谈心一次",
                )  # fmt: skip
    return result


def appraisal_mode_counts(scheme_code: str) -> bool:
    """The scheme takes the appraisal as a score (s000b): the demo records one."""
    return appraisal_mode(preset(scheme_code)).score_item is not None


def _veto_candidate(plan: MemberPlan, prior: DemoYear) -> bool:
    """A full member of the whole year, without a login (the demo's faces stay clean)."""
    return (
        plan.status == MemberStatus.FULL
        and not plan.tags
        and (plan.join_date is None or plan.join_date < prior.first)
    )


def _draft(member: Member, *, branch: Organisation, act: Act) -> EntryDraft:
    return EntryDraft(
        member_id=member.pk, organisation_id=branch.pk, item_code=act.item_code,
        points=act.points, occurred_on=act.occurred_on, honor_key=act.honor_key,
        note=act.note, source=act.source,
    )  # fmt: skip
