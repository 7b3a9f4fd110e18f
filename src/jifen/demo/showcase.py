"""Demo content for the pages that show work in progress, all through the services:

- schemes: 八吉府街道党工委's template of s004 and 团结村's refinement (细则) of it, with
  one changed point value and one added item, so that the diff page shows both;
- attestations (群众证实): declarations of 团结村 waiting for review, one with a link
  answered 属实, one with a link still outstanding, one attested in person;
- exemptions: one request waiting for the branch, one waiting for the committee;
- an API token for the village scorekeeper, when `jifen.api` can make one.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

from jifen.demo.activity import DemoYear
from jifen.meetings.attestations import answer, issue_link, record_in_person
from jifen.members.models import ExemptionApproval, Member
from jifen.members.services import decide_exemption, request_exemption
from jifen.orgs.models import Organisation
from jifen.schemes.models import SchemeVersion
from jifen.schemes.services import create_version, current_text, next_number, numbered_text
from jifen.workflow.declarations import create_declaration
from jifen.workflow.models import Declaration

NAMESPACE = uuid.UUID("0b5d7e3c-2a1f-5b4e-8c6d-9e0f1a2b3c4d")  # fixed: the forms' keys

# The refinement of 团结村: 弘扬新风正气 is worth 3 instead of 2, and a new item.
CHANGED_ITEM, CHANGED_POINTS = "new_customs", Decimal(3)
ADDED_ITEM = "help_needy"
ADDED_BLOCK = """
[[items]]
code = "help_needy"
name = "结对帮扶困难群众"
dimension = "base"
kind = "fixed"
points = 2
declarable = true
"""
TEMPLATE_NOTE = "八吉府街道党工委统一印发的农村党员分类积分模板"
REFINEMENT_NOTE = "团结村支部细则：弘扬新风正气加 3 分；新增结对帮扶困难群众"


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, name)


def refinement_starts(year: DemoYear, today: dt.date) -> dt.date:
    """The first of the month halfway through the demo year (1 July for a full year), so
    that months before and after it have results; never before this year's start (past
    years keep their scheme: `create_version` refuses that): in January, this 1 January."""
    middle = year.first + (year.last - year.first) / 2
    starts = dt.date(year.year, max(2, middle.month), 1)
    return max(starts, dt.date(today.year, 1, 1))


def refined_points(item_code: str, day: dt.date, starts: dt.date) -> Decimal | None:
    """The village's point value under the refinement, for items it changes."""
    if item_code == CHANGED_ITEM and day >= starts:
        return CHANGED_POINTS
    return None


def load_schemes(
    *, committee: Organisation, village: Organisation, year: DemoYear, today: dt.date
) -> tuple[SchemeVersion, SchemeVersion]:
    code = village.scheme_code
    first = max(year.first, dt.date(today.year, 1, 1))
    base = current_text(code, on=first, organisation=committee)
    number = next_number(committee.tenant_id or committee.pk, code)
    template_text = numbered_text(
        base.replace('description = """', f'description = """\n{TEMPLATE_NOTE}。', 1), number
    )
    template = create_version(
        actor=None, organisation=committee, text=template_text, effective_from=first,
        note=TEMPLATE_NOTE, idempotency_key=_key("template"), today=today,
    )  # fmt: skip
    starts = refinement_starts(year, today)
    changed = re.sub(
        rf'(code = "{CHANGED_ITEM}"\n(?:.+\n)*?points = )\S+',
        rf"\g<1>{CHANGED_POINTS}",
        template_text,
        count=1,
    )
    marker = "\n[[categories]]"
    refinement_text = numbered_text(
        changed.replace(marker, ADDED_BLOCK + marker, 1), template.version + 1
    )
    refinement = create_version(
        actor=None, organisation=village, text=refinement_text, effective_from=starts,
        note=REFINEMENT_NOTE, idempotency_key=_key("refinement"), today=today,
    )  # fmt: skip
    return template, refinement


def load_attestations(
    *, keeper: Any, members: list[Member], year: DemoYear, today: dt.date, refinement_from: dt.date
) -> list[Declaration]:
    """Three declarations of village members, submitted and waiting for review. The
    attestation services want a scorekeeper of the branch: `keeper` (the demo's login)."""
    # Late in the last month: never in the archived first month of the village.
    late = max(year.last - dt.timedelta(days=6), year.last.replace(day=1))
    added = year.has(refinement_from) and refinement_from <= late
    plans = (
        ("linked", ADDED_ITEM if added else "village_cleanup", "帮助独居老人修缮房屋"),
        ("outstanding", "new_customs", "劝导村民丧事简办、移风易俗"),
        ("in_person", "village_cleanup", "组织清理村湾沟渠垃圾"),
    )
    declarations = []
    for (name, item, description), member in zip(plans, members, strict=False):
        declaration = create_declaration(
            actor=None, member=member, item_code=item, occurred_on=late,
            description=description, idempotency_key=_key(f"declaration/{name}"), today=today,
        )  # fmt: skip
        declarations.append(declaration)
        if name == "in_person":
            record_in_person(
                actor=keeper, declaration=declaration, name="李桂兰", attested_on=late,
                result="confirmed", idempotency_key=_key(f"attest/{name}"), phone_tail="3816",
                comment="本人当时在场，情况属实", today=today,
            )  # fmt: skip
            continue
        issued = issue_link(actor=keeper, declaration=declaration, idempotency_key=_key(name))
        if name == "linked":
            answer(
                attestation=issued.attestation, result="confirmed", name="李德明",
                phone_tail="0527", comment="老人是我邻居，修房子那天我看到了",
            )  # fmt: skip
    return declarations


def load_exemptions(*, branch_waits: Member, committee_waits: Member, starts: dt.date) -> None:
    request_exemption(
        actor=None, member=branch_waits, starts_on=starts,
        reason="长期卧病在床，已无法参加组织生活，本人及家属申请不纳入积分管理",
    )  # fmt: skip
    exemption = request_exemption(
        actor=None, member=committee_waits, starts_on=starts,
        reason="年老体弱，随子女长期居住外地，无法参加组织生活，本人申请不纳入积分管理",
    )  # fmt: skip
    decide_exemption(
        actor=None, exemption=exemption, level=ExemptionApproval.Level.BRANCH, approve=True,
        note="经支部委员会研究，同意，报街道党工委审批",
    )  # fmt: skip


def api_token(username: str) -> str | None:
    """A token for `username` if the API app can make one (its interface: `create_token`)."""
    try:
        from jifen.api.tokens import create_token
    except ImportError:
        return None
    _, token = create_token(actor=None, username=username, name="演示数据 demo")
    return token
