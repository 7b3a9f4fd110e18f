"""Direct registration (积分员登记): one item for one or many members of a branch.

One submission is one `post_entries` batch (all or nothing, one audit row). The entries'
uids are derived from the form's idempotency key and the member, so a re-submitted form
finds its entries and writes nothing; two presses racing meet the unique uid.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from jifen.engine.scheme import Item
from jifen.ledger.models import LOCKED_STATES, LedgerEntry, Period, Source
from jifen.ledger.services import EntryDraft, LedgerRefused, post_entries
from jifen.members.models import Member
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, has_org_perm
from jifen.workflow.items import check_points, scheme_of
from jifen.workflow.machine import WorkflowForbidden, WorkflowRefused, message

MAX_MEMBERS = 2_000


@dataclass(frozen=True)
class Registered:
    item: Item
    count: int
    points: Decimal
    repeated: bool  # the same form again: nothing new was written


def registrable_items(branch: Organisation) -> list[Item]:
    """Every item of the branch's scheme: the scorekeeper registers what members cannot
    declare, vetoes included (one member at a time)."""
    try:
        return list(scheme_of(branch).items)
    except WorkflowRefused:
        return []


def entry_uid(idempotency_key: uuid.UUID, member_id: int) -> uuid.UUID:
    return uuid.uuid5(idempotency_key, f"registration:{member_id}")


def locked_period(branch_id: int, on: dt.date) -> str | None:
    return (
        Period.objects.filter(
            organisation_id=branch_id, state__in=LOCKED_STATES, starts_on__lte=on, ends_on__gte=on
        )
        .values_list("label", flat=True)
        .first()
    )


def register_entries(
    *,
    actor: Any,
    branch: Organisation,
    member_ids: Sequence[int],
    item_code: str,
    occurred_on: dt.date,
    points: Decimal | None,
    reason: str,
    idempotency_key: uuid.UUID,
    quantity: int = 1,
    honor_key: str = "",
    today: dt.date,
) -> Registered:
    if not has_org_perm(actor, Perm.RECORD_ENTRY, branch):
        raise WorkflowForbidden(f"无权限为 {branch.name} 登记积分")
    ids = sorted(set(member_ids))
    if not ids:
        raise WorkflowRefused("请至少选择一名党员")
    if len(ids) > MAX_MEMBERS:
        raise WorkflowRefused(f"一次最多登记 {MAX_MEMBERS} 名党员")
    if not reason.strip():
        raise WorkflowRefused("请填写登记事由")
    if occurred_on > today:
        raise WorkflowRefused(f"发生日期 {occurred_on} 晚于今天")
    scheme = scheme_of(branch)
    item = check_points(
        scheme, item_code=item_code, occurred_on=occurred_on, points=points,
        quantity=quantity, honor_key=honor_key,
    )  # fmt: skip
    if item.veto is not None and len(ids) > 1:
        raise WorkflowRefused(f"“{item.name}”是一票否决项目，只能逐人登记")
    members = dict(Member.objects.filter(pk__in=ids, branch=branch).values_list("pk", "category"))
    if missing := [pk for pk in ids if pk not in members]:
        raise WorkflowRefused(
            f"所选党员中有 {len(missing)} 人不属于{branch.name}，请刷新后重新选择"
        )
    if item.categories:
        names = dict(Member.objects.filter(pk__in=ids).values_list("pk", "name"))
        wrong = [names[pk] for pk, cat in members.items() if cat and cat not in item.categories]
        if wrong:
            raise WorkflowRefused(f"“{item.name}”不适用于以下党员的类别：{'、'.join(wrong[:10])}")
    if (label := locked_period(branch.pk, occurred_on)) is not None:
        raise WorkflowRefused(f"发生日期 {occurred_on} 属于已归档的期间 {label}，不能再记入积分")
    value = points if points is not None else item.fixed_points
    uids = {pk: entry_uid(idempotency_key, pk) for pk in ids}
    done = LedgerEntry.objects.filter(uid__in=uids.values()).count()
    if done:
        return Registered(item, done, value, repeated=True)
    drafts = [
        EntryDraft(
            member_id=pk,
            organisation_id=branch.pk,
            item_code=item.code,
            points=value,
            occurred_on=occurred_on,
            quantity=quantity,
            honor_key=honor_key,
            note=reason.strip()[:500],
            source=Source.REGISTRATION,
            uid=uids[pk],
        )  # fmt: skip
        for pk in ids
    ]
    try:
        post_entries(
            actor=actor,
            tenant_id=branch.tenant_id,
            drafts=drafts,
            summary=f"登记 {item.code} {value} 分 × {len(drafts)} 人：{reason.strip()[:100]}",
        )
    except LedgerRefused as error:
        raise WorkflowRefused(message(error)) from error
    except PermissionDenied as error:
        raise WorkflowForbidden(str(error)) from error
    except IntegrityError:
        # The same form pressed twice at once: the other press wrote it.
        done = LedgerEntry.objects.filter(uid__in=uids.values()).count()
        if not done:
            raise
        return Registered(item, done, value, repeated=True)
    return Registered(item, len(drafts), value, repeated=False)
