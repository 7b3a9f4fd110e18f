"""Writes to members: each checks the actor's permission, writes, and audits, in one
transaction. `actor=None` means the operator at the command line (demo, imports)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jifen.core import crypto
from jifen.core.audit import Action, record
from jifen.members import idcard
from jifen.members.models import (
    ID_CONTEXT,
    PHONE_CONTEXT,
    Exemption,
    ExemptionApproval,
    ExemptionState,
    Gender,
    Member,
    MemberStatus,
    MemberTransfer,
)
from jifen.orgs.models import MEMBER_HOLDING_KINDS, Organisation
from jifen.orgs.permissions import Perm, can

PHONE_PATTERN = re.compile(r"^1\d{10}$")


def require(actor: Any, perm: Perm, target: Member | Organisation) -> None:
    if actor is not None and not can(actor, perm, target):
        raise PermissionDenied(f"无权限：{perm.value}")


def id_number_lookup_key(raw: str) -> str:
    """The blind-index value for an exact-match search (raises InvalidIdNumber)."""
    return crypto.blind_index(idcard.validate(raw), context=ID_CONTEXT)


def _set_id_number(member: Member, raw: str) -> None:
    try:
        number = idcard.validate(raw)
    except idcard.InvalidIdNumber as error:
        raise ValidationError({"id_number": str(error)}) from error
    member.id_number_cipher = crypto.encrypt(number, context=ID_CONTEXT)
    member.id_number_index = crypto.blind_index(number, context=ID_CONTEXT)
    member.id_number_masked = idcard.mask(number)
    if member.birth_date is None:
        member.birth_date = idcard.birth_date(number)


def _set_phone(member: Member, raw: str) -> None:
    phone = idcard.normalise(raw).replace("-", "")
    if not PHONE_PATTERN.match(phone):
        raise ValidationError({"phone": f"手机号应为以 1 开头的 11 位数字：{raw!r}"})
    member.phone_cipher = crypto.encrypt(phone, context=PHONE_CONTEXT)
    member.phone_masked = idcard.mask_phone(phone)


def _check_branch(branch: Organisation, group: Organisation | None) -> None:
    if branch.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError({"branch": f"{branch.name} 不是党支部或党总支"})
    if group is not None and group.parent_id != branch.pk:
        raise ValidationError({"group": f"{group.name} 不属于 {branch.name}"})


@transaction.atomic
def create_member(
    *,
    actor: Any,
    branch: Organisation,
    name: str,
    gender: str,
    id_number: str = "",
    phone: str = "",
    status: str = MemberStatus.FULL,
    join_date: dt.date | None = None,
    birth_date: dt.date | None = None,
    category: str = "",
    group: Organisation | None = None,
    is_floating: bool = False,
    sending_organisation: Organisation | None = None,
    sending_organisation_name: str = "",
    managed_from: dt.date | None = None,
    user: Any = None,
) -> Member:
    require(actor, Perm.CHANGE_MEMBER, branch)
    _check_branch(branch, group)
    if gender not in Gender.values:
        raise ValidationError({"gender": f"性别应为 {'/'.join(Gender.values)}：{gender!r}"})
    member = Member(
        tenant_id=branch.tenant_id,
        branch=branch,
        group=group,
        user=user,
        name=name.strip(),
        gender=gender,
        birth_date=birth_date,
        status=status,
        join_date=join_date,
        category=category,
        is_floating=is_floating,
        sending_organisation=sending_organisation,
        sending_organisation_name=sending_organisation_name,
        managed_from=managed_from,
    )
    if id_number:
        _set_id_number(member, id_number)
        if Member.objects.filter(
            tenant_id=member.tenant_id, id_number_index=member.id_number_index
        ).exists():
            raise ValidationError({"id_number": "该身份证号的党员已存在"})
    if phone:
        _set_phone(member, phone)
    member.full_clean(exclude=["tenant", "branch", "group", "user", "sending_organisation"])
    member.save()
    record(
        Action.MEMBER_CREATE,
        actor=actor,
        target=member,
        tenant_id=member.tenant_id,
        summary=f"{member.name} @ {branch.code}",
    )
    return member


CHANGEABLE = {"name", "gender", "status", "join_date", "category", "managed_from", "managed_to"}


@transaction.atomic
def change_member(*, actor: Any, member: Member, **changes: Any) -> Member:
    require(actor, Perm.CHANGE_MEMBER, member)
    unknown = set(changes) - CHANGEABLE - {"id_number", "phone"}
    if unknown:
        raise ValidationError(f"不能修改的字段：{', '.join(sorted(unknown))}")
    before: dict[str, Any] = {}
    for field, value in changes.items():
        if field == "id_number":
            before[field] = member.id_number_masked
            _set_id_number(member, value)
        elif field == "phone":
            before[field] = member.phone_masked
            _set_phone(member, value)
        else:
            before[field] = getattr(member, field)
            setattr(member, field, value)
    member.full_clean(exclude=["tenant", "branch", "group", "user", "sending_organisation"])
    member.save()
    after = {
        f: member.id_number_masked
        if f == "id_number"
        else member.phone_masked
        if f == "phone"
        else getattr(member, f)
        for f in changes
    }
    record(
        Action.MEMBER_CHANGE,
        actor=actor,
        target=member,
        tenant_id=member.tenant_id,
        changes={"old": _jsonable(before), "new": _jsonable(after)},
    )
    return member


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


@transaction.atomic
def record_personal_data_view(*, actor: Any, member: Member, purpose: str) -> None:
    """Every page or export that shows a member's personal data calls this."""
    require(actor, Perm.VIEW_MEMBER, member)
    record(
        Action.MEMBER_VIEW, actor=actor, target=member, tenant_id=member.tenant_id, summary=purpose
    )


@transaction.atomic
def transfer_member(
    *, actor: Any, member: Member, to_branch: Organisation, on: dt.date, reason: str
) -> MemberTransfer:
    """Move a member to another branch of the tenant. Their ledger entries keep the branch
    where they were earned, so past results stay there."""
    require(actor, Perm.CHANGE_MEMBER, member)
    require(actor, Perm.CHANGE_MEMBER, to_branch)
    _check_branch(to_branch, None)
    if to_branch.tenant_id != member.tenant_id:
        raise ValidationError({"to_branch": "只能在同一租户内转接"})
    if to_branch.pk == member.branch_id:
        raise ValidationError({"to_branch": "转入支部与当前支部相同"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写转接原因"})
    transfer = MemberTransfer.objects.create(
        tenant_id=member.tenant_id,
        member=member,
        from_branch_id=member.branch_id,
        to_branch=to_branch,
        transferred_on=on,
        reason=reason.strip(),
        recorded_by=actor,
    )
    member.branch = to_branch
    member.group = None
    member.save(update_fields=["branch", "group"])
    record(
        Action.MEMBER_TRANSFER,
        actor=actor,
        target=member,
        tenant_id=member.tenant_id,
        changes={"from": transfer.from_branch_id, "to": to_branch.pk, "on": on.isoformat()},
    )
    return transfer


@transaction.atomic
def request_exemption(
    *, actor: Any, member: Member, reason: str, starts_on: dt.date, ends_on: dt.date | None = None
) -> Exemption:
    require(actor, Perm.REQUEST_EXEMPTION, member)
    if not reason.strip():
        raise ValidationError({"reason": "请填写不纳入积分管理的原因"})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "截止日期早于起始日期"})
    exemption = Exemption.objects.create(
        tenant_id=member.tenant_id,
        member=member,
        reason=reason.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        requested_by=actor,
    )
    record(
        Action.EXEMPTION_REQUEST,
        actor=actor,
        target=exemption,
        tenant_id=member.tenant_id,
        summary=reason[:100],
    )
    return exemption


# Which state each level of approval acts on, and where an approval leads.
APPROVAL_STEPS = {
    ExemptionApproval.Level.BRANCH: (ExemptionState.REQUESTED, ExemptionState.BRANCH_APPROVED),
    ExemptionApproval.Level.COMMITTEE: (ExemptionState.BRANCH_APPROVED, ExemptionState.FILED),
}


@transaction.atomic
def decide_exemption(
    *, actor: Any, exemption: Exemption, level: str, approve: bool, note: str = ""
) -> Exemption:
    """The branch approves first, then the higher committee files it (备案)."""
    source, target = APPROVAL_STEPS[ExemptionApproval.Level(level)]
    branch = exemption.member.branch
    organisation = branch if level == ExemptionApproval.Level.BRANCH else branch.parent
    if organisation is None:
        raise ValidationError("该支部没有上级党组织")
    if level == ExemptionApproval.Level.COMMITTEE:
        # The filing is the higher committee's: a grant on the branch itself is not enough.
        if actor is not None and not can(actor, Perm.APPROVE_EXEMPTION, organisation):
            raise PermissionDenied("无权限：需上级党组织审批")
    else:
        require(actor, Perm.APPROVE_EXEMPTION, branch)
    new_state = target if approve else ExemptionState.REJECTED
    # Compare-and-set: two approvers pressing at once change the state once.
    changed = Exemption.objects.filter(pk=exemption.pk, state=source).update(state=new_state)
    if changed != 1:
        raise ValidationError(f"当前状态为“{exemption.get_state_display()}”，不能进行此审批")
    ExemptionApproval.objects.create(
        exemption=exemption,
        level=level,
        approve=approve,
        note=note,
        approver=actor,
        organisation=organisation,
    )
    exemption.refresh_from_db()
    record(
        Action.EXEMPTION_DECIDE,
        actor=actor,
        target=exemption,
        tenant_id=exemption.tenant_id,
        changes={"level": level, "approve": approve, "state": new_state},
    )
    return exemption
