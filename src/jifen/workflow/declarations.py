"""Declarations (申报): draft → submitted → [appraised] → approved | rejected | returned.

Design overview
- Who declares: the member for themself, or a group leader (`COLLECT_DECLARATIONS`, 村小组
  收集汇总) for a member of their group — both only items the scheme marks `declarable`; or
  the scorekeeper (`RECORD_ENTRY` on the branch) on the member's behalf, any item that is
  not a veto. Veto items are never declared: the scorekeeper registers them directly.
- A form is one declaration: `idempotency_key` is unique, and a resubmitted form (same key)
  returns the first declaration without writing anything; the same key on a different
  declaration is refused.
- Points follow the item (`jifen.engine.ledger.entry_problems`): required and within the
  range, sign or maximum for range/discretionary/assessed items; absent or equal to the
  item's value for fixed ones; an honor needs its `honor_key` and a quantity of 1.
- Appraisal (评议) is optional: approval is allowed from submitted or appraised.
- Approval is a compare-and-set of the state and `post_entry` in one transaction, the
  entry's uid derived from the declaration (`entry_uid`): however many reviewers press
  approve at once, one entry is written and the others are refused. Nobody reviews or
  appraises their own declaration.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from jifen.core.audit import record
from jifen.engine.scheme import Item, Scheme
from jifen.ledger.models import LOCKED_STATES, LedgerEntry, Period, Source
from jifen.ledger.points import to_hundredths
from jifen.ledger.services import EntryDraft, LedgerRefused, post_entry
from jifen.members.models import Member
from jifen.orgs.permissions import Perm, has_org_perm, holders_of, is_self
from jifen.workflow import events
from jifen.workflow.evidence import CheckedUpload, check_uploads
from jifen.workflow.items import check_points, hundredths, scheme_of
from jifen.workflow.machine import (
    WorkflowForbidden,
    WorkflowRefused,
    check,
    label,
    message,
    move,
)
from jifen.workflow.models import Declaration, Evidence
from jifen.workflow.notifications import notify
from jifen.workflow.states import (
    DECLARATION_EDITABLE,
    DECLARATION_FLOW,
    DeclarationState,
    NotificationKind,
)

# Fixed forever: changing it would change every approved declaration's entry uid.
NAMESPACE = uuid.UUID("6f1d3c1e-2b8a-5e4f-9c7d-0a1b2c3d4e5f")
WHAT = "申报"


def entry_uid(declaration_pk: int) -> uuid.UUID:
    """The ledger uid of a declaration's entry: the same for every press of approve."""
    return uuid.uuid5(NAMESPACE, f"declaration:{declaration_pk}")


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# --- who may do what ------------------------------------------------------------------------


def _declarer_role(actor: Any, member: Member) -> str:
    """'scorekeeper', 'self' or 'collector': how `actor` may declare for `member`."""
    if actor is None or has_org_perm(actor, Perm.RECORD_ENTRY, member.branch_id):
        return "scorekeeper"  # the operator at the command line counts as one
    if is_self(actor, member):
        return "self"
    if has_org_perm(actor, Perm.COLLECT_DECLARATIONS, member.group_id or member.branch_id):
        return "collector"
    raise WorkflowForbidden(f"无权限为党员 {member.name} 申报")


def _require_declarer(actor: Any, declaration: Declaration) -> str:
    role = _declarer_role(actor, declaration.member)
    if role == "collector" and declaration.created_by_id != actor.pk:
        raise WorkflowForbidden("只能修改或提交本人代为填报的申报")
    return role


def _require_reviewer(actor: Any, declaration: Declaration, perm: Perm, doing: str) -> None:
    if actor is not None and not has_org_perm(actor, perm, declaration.branch_id):
        raise WorkflowForbidden(f"无权限{doing}该支部的申报")
    if actor is not None and is_self(actor, declaration.member):
        raise WorkflowForbidden(f"不能{doing}本人的申报")


# --- validation ------------------------------------------------------------------------------


def _scheme_of(member: Member) -> Scheme:
    return scheme_of(member.branch)


def _check_item(
    scheme: Scheme,
    *,
    role: str,
    item_code: str,
    occurred_on: dt.date,
    points: Decimal | None,
    quantity: int,
    honor_key: str,
    today: dt.date,
) -> Item:
    item = scheme.item(item_code)
    if item is not None and item.veto is not None:
        raise WorkflowRefused(f"“{item.name}”是一票否决项目，不能申报，由积分员直接登记")
    if item is not None and role != "scorekeeper" and not item.declarable:
        raise WorkflowRefused(f"“{item.name}”不接受个人申报，请联系积分员登记")
    if occurred_on > today:
        raise WorkflowRefused(f"发生日期 {occurred_on} 晚于今天")
    item = check_points(
        scheme, item_code=item_code, occurred_on=occurred_on, points=points,
        quantity=quantity, honor_key=honor_key,
    )  # fmt: skip
    return item


def _locked_period(branch_id: int, on: dt.date) -> Period | None:
    return Period.objects.filter(
        organisation_id=branch_id, state__in=LOCKED_STATES, starts_on__lte=on, ends_on__gte=on
    ).first()


def _refuse_if_locked(branch_id: int, on: dt.date) -> None:
    locked = _locked_period(branch_id, on)
    if locked is not None:
        raise WorkflowRefused(f"发生日期 {on} 属于已归档的期间 {locked.label}，不能再记入积分")


# --- creating and editing -------------------------------------------------------------------


def create_declaration(
    *,
    actor: Any,
    member: Member,
    item_code: str,
    occurred_on: dt.date,
    description: str,
    idempotency_key: uuid.UUID,
    requested_points: Decimal | None = None,
    quantity: int = 1,
    honor_key: str = "",
    evidence: Sequence[Any] = (),
    submit: bool = True,
    today: dt.date | None = None,
) -> Declaration:
    """Create a declaration with its evidence, submitted (default) or as a draft.

    The same `idempotency_key` again returns the first declaration and writes nothing."""
    existing = Declaration.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_or_refuse(existing, member, item_code)
    role = _declarer_role(actor, member)
    if not description.strip():
        raise WorkflowRefused("请填写申报事由")
    scheme = _scheme_of(member)
    _check_item(
        scheme, role=role, item_code=item_code, occurred_on=occurred_on,
        points=requested_points, quantity=quantity, honor_key=honor_key, today=_today(today),
    )  # fmt: skip
    _refuse_if_locked(member.branch_id, occurred_on)
    uploads = check_uploads(list(evidence))
    state = DeclarationState.SUBMITTED if submit else DeclarationState.DRAFT
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            declaration = Declaration.objects.create(
                tenant_id=member.tenant_id,
                member=member,
                branch_id=member.branch_id,
                scheme_code=scheme.code,
                item_code=item_code,
                occurred_on=occurred_on,
                description=description.strip(),
                requested_points_hundredths=hundredths(requested_points),
                quantity=quantity,
                honor_key=honor_key,
                idempotency_key=idempotency_key,
                state=state,
                created_by=_user_or_none(actor),
                submitted_at=timezone.now() if submit else None,
            )
            stored.extend(_store(actor, declaration, uploads))
            record(
                events.DECLARATION_CREATE,
                actor=actor,
                target=declaration,
                tenant_id=member.tenant_id,
                summary=f"{member.name} {item_code} {occurred_on}",
                changes={"state": state, "evidence": [e.sha256 for e in stored]},
            )
            if submit:
                _tell_reviewers(declaration)
    except IntegrityError:
        _discard(stored)
        # The same form pressed twice at once: the other press created it.
        existing = Declaration.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_or_refuse(existing, member, item_code)
    except BaseException:
        _discard(stored)
        raise
    return declaration


def _same_or_refuse(existing: Declaration, member: Member, item_code: str) -> Declaration:
    if existing.member_id != member.pk or existing.item_code != item_code:
        raise WorkflowRefused("该表单标识已用于另一份申报，请刷新页面后重新填写")
    return existing


def _user_or_none(actor: Any) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _store(actor: Any, declaration: Declaration, uploads: list[CheckedUpload]) -> list[Evidence]:
    stored = []
    for upload in uploads:
        evidence = Evidence(
            tenant_id=declaration.tenant_id,
            declaration=declaration,
            original_name=upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
            uploaded_by=_user_or_none(actor),
        )
        # Saving the file runs `evidence_path`, which names it by a UUID.
        evidence.file.save(upload.original_name, ContentFile(upload.content), save=False)
        stored.append(evidence)
        evidence.save()
    return stored


def _discard(stored: list[Evidence]) -> None:
    """Remove files whose rows rolled back: storage is not transactional."""
    for evidence in stored:
        evidence.file.storage.delete(evidence.file.name)


def attach_evidence(
    *, actor: Any, declaration: Declaration, uploads: Sequence[Any]
) -> list[Evidence]:
    """Add evidence to a draft or returned declaration (checked before anything is
    stored: size, type by content, count)."""
    _require_declarer(actor, declaration)
    if declaration.state not in DECLARATION_EDITABLE:
        raise WorkflowRefused(f"{WHAT}当前为“{declaration.get_state_display()}”，不能再添加材料")
    checked = check_uploads(list(uploads), already=declaration.evidence.count())
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            _lock_editable(declaration)
            stored.extend(_store(actor, declaration, checked))
            record(
                events.EVIDENCE_ATTACH,
                actor=actor,
                target=declaration,
                tenant_id=declaration.tenant_id,
                summary=f"上传佐证材料 {len(stored)} 个",
                changes={"evidence": [e.sha256 for e in stored]},
            )
    except BaseException:
        _discard(stored)
        raise
    return stored


def _lock_editable(declaration: Declaration) -> None:
    """Hold the row (PostgreSQL) and make sure it is still editable, so that evidence is
    never added to a declaration a reviewer is deciding on."""
    state = (
        Declaration.objects.select_for_update()
        .filter(pk=declaration.pk)
        .values_list("state", flat=True)
        .first()
    )
    if state not in DECLARATION_EDITABLE:
        raise WorkflowRefused(f"{WHAT}当前为“{label(DeclarationState, state)}”，不能再修改")


def update_declaration(
    *,
    actor: Any,
    declaration: Declaration,
    item_code: str | None = None,
    occurred_on: dt.date | None = None,
    description: str | None = None,
    requested_points: Decimal | None = None,
    clear_points: bool = False,
    quantity: int | None = None,
    honor_key: str | None = None,
    today: dt.date | None = None,
) -> Declaration:
    """Edit a draft or returned declaration; fields left None keep their value
    (`clear_points` empties the requested points)."""
    role = _require_declarer(actor, declaration)
    if declaration.state not in DECLARATION_EDITABLE:
        raise WorkflowRefused(f"{WHAT}当前为“{declaration.get_state_display()}”，不能再修改")
    item_code = item_code if item_code is not None else declaration.item_code
    occurred_on = occurred_on or declaration.occurred_on
    points = None if clear_points else (requested_points or declaration.requested_points)
    quantity = quantity if quantity is not None else declaration.quantity
    honor_key = honor_key if honor_key is not None else declaration.honor_key
    description = (description if description is not None else declaration.description).strip()
    if not description:
        raise WorkflowRefused("请填写申报事由")
    _check_item(
        _scheme_of(declaration.member), role=role, item_code=item_code, occurred_on=occurred_on,
        points=points, quantity=quantity, honor_key=honor_key, today=_today(today),
    )  # fmt: skip
    fields = {
        "item_code": item_code,
        "occurred_on": occurred_on,
        "description": description,
        "requested_points_hundredths": hundredths(points),
        "quantity": quantity,
        "honor_key": honor_key,
    }
    with transaction.atomic():
        changed = Declaration.objects.filter(
            pk=declaration.pk, state__in=DECLARATION_EDITABLE
        ).update(**fields)
        if changed != 1:
            raise WorkflowRefused(f"{WHAT}已被提交或处理，不能再修改，请刷新")
        record(
            events.DECLARATION_UPDATE,
            actor=actor,
            target=declaration,
            tenant_id=declaration.tenant_id,
            changes={k: str(v) for k, v in fields.items()},
        )
    declaration.refresh_from_db()
    return declaration


# --- transitions -----------------------------------------------------------------------------


def submit_declaration(*, actor: Any, declaration: Declaration) -> Declaration:
    """draft or returned → submitted, by the declarer."""
    _require_declarer(actor, declaration)
    to = DeclarationState.SUBMITTED
    check(DECLARATION_FLOW, DeclarationState, what=WHAT, current=declaration.state, to=to)
    now = timezone.now()
    with transaction.atomic():
        move(Declaration, DeclarationState, DECLARATION_FLOW, pk=declaration.pk, to=to,
             what=WHAT, submitted_at=now)  # fmt: skip
        record(
            events.DECLARATION_SUBMIT,
            actor=actor,
            target=declaration,
            tenant_id=declaration.tenant_id,
            changes={"from": declaration.state, "to": to},
        )
        _tell_reviewers(declaration)
    declaration.refresh_from_db()
    return declaration


def appraise_declaration(*, actor: Any, declaration: Declaration, opinion: str) -> Declaration:
    """submitted → appraised: the peer appraisal (评议), by a holder of APPRAISE."""
    _require_reviewer(actor, declaration, Perm.APPRAISE, "评议")
    if not opinion.strip():
        raise WorkflowRefused("请填写评议意见")
    to = DeclarationState.APPRAISED
    check(DECLARATION_FLOW, DeclarationState, what=WHAT, current=declaration.state, to=to)
    with transaction.atomic():
        move(Declaration, DeclarationState, DECLARATION_FLOW, pk=declaration.pk, to=to,
             what=WHAT, appraised_by=_user_or_none(actor), appraised_at=timezone.now(),
             appraisal=opinion.strip())  # fmt: skip
        record(
            events.DECLARATION_APPRAISE,
            actor=actor,
            target=declaration,
            tenant_id=declaration.tenant_id,
            summary=opinion.strip()[:200],
        )
    declaration.refresh_from_db()
    return declaration


def approve_declaration(
    *,
    actor: Any,
    declaration: Declaration,
    points: Decimal | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Declaration:
    """submitted or appraised → approved, writing exactly one ledger entry.

    `points` sets the value within the item's range; it defaults to the requested points
    (a fixed item always takes the item's value)."""
    _require_reviewer(actor, declaration, Perm.REVIEW_DECLARATION, "审核")
    to = DeclarationState.APPROVED
    check(DECLARATION_FLOW, DeclarationState, what=WHAT, current=declaration.state, to=to)
    scheme = _scheme_of(declaration.member)
    chosen = points if points is not None else declaration.requested_points
    item = _check_item(
        scheme, role="scorekeeper", item_code=declaration.item_code,
        occurred_on=declaration.occurred_on, points=chosen, quantity=declaration.quantity,
        honor_key=declaration.honor_key, today=_today(today),
    )  # fmt: skip
    value = chosen if chosen is not None else item.fixed_points
    _refuse_if_locked(declaration.branch_id, declaration.occurred_on)
    first_evidence = declaration.evidence.order_by("id").values_list("sha256", flat=True).first()
    draft = EntryDraft(
        member_id=declaration.member_id,
        organisation_id=declaration.branch_id,
        item_code=declaration.item_code,
        points=value,
        quantity=declaration.quantity,
        occurred_on=declaration.occurred_on,
        honor_key=declaration.honor_key,
        note=f"申报 #{declaration.pk}：{declaration.description}"[:500],
        source=Source.DECLARATION,
        evidence_sha256=first_evidence or "",
        uid=entry_uid(declaration.pk),
        approved_by_id=actor.pk if _user_or_none(actor) is not None else None,
    )
    with transaction.atomic():
        # The compare-and-set comes first: only its winner reaches the ledger.
        move(Declaration, DeclarationState, DECLARATION_FLOW, pk=declaration.pk, to=to,
             what=WHAT, decided_by=_user_or_none(actor), decided_at=timezone.now(),
             decision_reason=note.strip(), points_hundredths=to_hundredths(value))  # fmt: skip
        entry = _post(actor, draft)
        Declaration.objects.filter(pk=declaration.pk).update(ledger_entry=entry)
        record(
            events.DECLARATION_APPROVE,
            actor=actor,
            target=declaration,
            tenant_id=declaration.tenant_id,
            summary=f"{declaration.item_code} {value}",
            changes={"from": declaration.state, "to": to, "seq": entry.seq},
        )
        notify(
            recipients=[declaration.member.user_id],
            kind=NotificationKind.DECLARATION_DECIDED,
            message=f"您申报的“{item.name}”（{declaration.occurred_on}）已通过，记 {value} 分",
            link=f"declaration:{declaration.pk}",
            tenant_id=declaration.tenant_id,
        )
    declaration.refresh_from_db()
    return declaration


def _post(actor: Any, draft: EntryDraft) -> LedgerEntry:
    try:
        return post_entry(actor=actor, draft=draft)
    except LedgerRefused as error:
        raise WorkflowRefused(message(error)) from error
    except PermissionDenied as error:
        raise WorkflowForbidden(str(error)) from error


def reject_declaration(*, actor: Any, declaration: Declaration, reason: str) -> Declaration:
    """submitted or appraised → rejected, with the reason."""
    return _decide(actor, declaration, DeclarationState.REJECTED, reason)


def return_declaration(*, actor: Any, declaration: Declaration, reason: str) -> Declaration:
    """submitted or appraised → returned to the member to edit and submit again."""
    return _decide(actor, declaration, DeclarationState.RETURNED, reason)


def _decide(actor: Any, declaration: Declaration, to: str, reason: str) -> Declaration:
    _require_reviewer(actor, declaration, Perm.REVIEW_DECLARATION, "审核")
    verb = "不通过" if to == DeclarationState.REJECTED else "退回"
    if not reason.strip():
        raise WorkflowRefused(f"{verb}申报必须填写原因")
    check(DECLARATION_FLOW, DeclarationState, what=WHAT, current=declaration.state, to=to)
    with transaction.atomic():
        move(Declaration, DeclarationState, DECLARATION_FLOW, pk=declaration.pk, to=to,
             what=WHAT, decided_by=_user_or_none(actor), decided_at=timezone.now(),
             decision_reason=reason.strip())  # fmt: skip
        record(
            events.DECLARATION_REJECT
            if to == DeclarationState.REJECTED
            else events.DECLARATION_RETURN,
            actor=actor,
            target=declaration,
            tenant_id=declaration.tenant_id,
            summary=reason.strip()[:200],
            changes={"from": declaration.state, "to": to},
        )
        notify(
            recipients=[declaration.member.user_id],
            kind=NotificationKind.DECLARATION_DECIDED,
            message=f"您的申报（{declaration.occurred_on}）被{verb}：{reason.strip()}",
            link=f"declaration:{declaration.pk}",
            tenant_id=declaration.tenant_id,
        )
    declaration.refresh_from_db()
    return declaration


def _tell_reviewers(declaration: Declaration) -> None:
    notify(
        recipients=holders_of(Perm.REVIEW_DECLARATION, declaration.branch_id),
        kind=NotificationKind.DECLARATION_TO_REVIEW,
        message=f"{declaration.member.name} 提交了申报（{declaration.occurred_on}），请审核",
        link=f"declaration:{declaration.pk}",
        tenant_id=declaration.tenant_id,
    )
