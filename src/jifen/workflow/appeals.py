"""Appeals (申辩/异议): filed → investigating → upheld | dismissed [→ escalated → …].

Design overview
- A member appeals their own published result for a period, optionally naming a ledger
  entry, only while the period's appeal window is open: the period is publicised and
  today lies within its publicity dates (`PeriodRecord`). The period row is locked while
  the appeal is written, so an appeal and an archive of the same period never both pass.
- The scorekeeper (RECORD_ENTRY on the branch) investigates and decides, with a reason.
  Upholding writes the correction in the same transaction: the reversal of the named entry
  (`reverse_entry`) and/or a new entry (`post_entry`), dated in a period that is still
  open (a publicised or archived period keeps the numbers it published). The ledger uids
  are derived from the appeal, so the correction is written once.
- After a first-instance dismissal the member may, within `ESCALATION_DAYS`, ask the
  higher committee (AUDIT_FILING on the branch's parent) for a second instance, which
  upholds or dismisses for good.
- Nobody handles an appeal about themself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from jifen.core.audit import record
from jifen.ledger.models import LedgerEntry, Period, PeriodState, Source
from jifen.ledger.services import EntryDraft, LedgerRefused, post_entry, reverse_entry
from jifen.members.models import Member
from jifen.orgs.permissions import Perm, has_org_perm, holders_of, is_self
from jifen.scoring.models import MemberResult
from jifen.workflow import events
from jifen.workflow.items import check_points, scheme_of
from jifen.workflow.machine import WorkflowForbidden, WorkflowRefused, check, message, move
from jifen.workflow.models import Appeal, PeriodRecord
from jifen.workflow.notifications import notify
from jifen.workflow.states import APPEAL_FLOW, AppealState, NotificationKind

NAMESPACE = uuid.UUID("0b9e7c2a-4d31-5f6e-8a9b-1c2d3e4f5a6b")  # fixed forever
ESCALATION_DAYS = 5
WHAT = "申辩"


@dataclass(frozen=True)
class Correction:
    """A new entry written when an appeal is upheld (e.g. the points that were missing)."""

    item_code: str
    points: Decimal
    quantity: int = 1
    honor_key: str = ""


def escalation_days() -> int:
    return int(getattr(settings, "JIFEN_ESCALATION_DAYS", ESCALATION_DAYS))


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _user(actor: Any) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _uid(appeal_pk: int, part: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"appeal:{appeal_pk}:{part}")


# --- filing ------------------------------------------------------------------------------------


def file_appeal(
    *,
    actor: Any,
    period: Period,
    reason: str,
    idempotency_key: uuid.UUID,
    entry: LedgerEntry | None = None,
    today: dt.date | None = None,
) -> Appeal:
    """The member files an appeal against their result for `period`, inside the window.
    The same `idempotency_key` again returns the first appeal."""
    existing = Appeal.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_or_refuse(existing, period)
    member = Member.objects.filter(user=actor).first() if _user(actor) is not None else None
    if member is None:
        raise WorkflowForbidden("只有党员本人可以提出申辩")
    if not reason.strip():
        raise WorkflowRefused("请填写申辩理由")
    day = _today(today)
    period_record = PeriodRecord.objects.filter(period=period).first()
    if period_record is None or period_record.snapshot_id is None:
        raise WorkflowRefused(f"期间 {period.label} 的结果尚未汇总公布，不能申辩")
    if not MemberResult.objects.filter(
        snapshot_id=period_record.snapshot_id, member=member
    ).exists():
        raise WorkflowForbidden(f"您不在 {period.label} 的公布结果中，不能对其申辩")
    if entry is not None and (
        entry.member_id != member.pk or not period.starts_on <= entry.occurred_on <= period.ends_on
    ):
        raise WorkflowRefused("所指的台账记录不是您在该期间的记录")
    try:
        with transaction.atomic():
            # Lock the period (PostgreSQL) so that an archive waits for this appeal or
            # this appeal sees the period archived; SQLite's IMMEDIATE does the same.
            current = Period.objects.select_for_update().get(pk=period.pk)
            _refuse_outside_window(current, period_record, day)
            appeal = Appeal.objects.create(
                tenant_id=member.tenant_id,
                member=member,
                branch_id=period.organisation_id,
                period=period,
                entry=entry,
                reason=reason.strip(),
                idempotency_key=idempotency_key,
                filed_by=_user(actor),
            )
            record(
                events.APPEAL_FILE,
                actor=actor,
                target=appeal,
                tenant_id=appeal.tenant_id,
                summary=f"{member.name} {period.label}",
            )
            notify(
                recipients=holders_of(Perm.RECORD_ENTRY, period.organisation_id),
                kind=NotificationKind.APPEAL_TO_HANDLE,
                message=f"{member.name} 对 {period.label} 的积分结果提出申辩，请核查",
                link=f"appeal:{appeal.pk}",
                tenant_id=appeal.tenant_id,
            )
    except IntegrityError:
        existing = Appeal.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_or_refuse(existing, period)
    return appeal


def _refuse_outside_window(period: Period, period_record: PeriodRecord, day: dt.date) -> None:
    starts, ends = period_record.publicity_starts_on, period_record.publicity_ends_on
    if period.state != PeriodState.PUBLICISED or starts is None or ends is None:
        raise WorkflowRefused(
            f"期间 {period.label} 当前为“{period.get_state_display()}”，不在公示期，不能申辩"
        )
    if not starts <= day <= ends:
        raise WorkflowRefused(f"申辩须在公示期 {starts} 至 {ends} 内提出，今天是 {day}")


def _same_or_refuse(existing: Appeal, period: Period) -> Appeal:
    if existing.period_id != period.pk:
        raise WorkflowRefused("该表单标识已用于另一件申辩，请刷新页面后重新填写")
    return existing


# --- handling ----------------------------------------------------------------------------------


def _require_handler(actor: Any, appeal: Appeal) -> None:
    """First instance: the scorekeeper; escalated: the committee over the branch."""
    if actor is not None and is_self(actor, appeal.member):
        raise WorkflowForbidden("不能处理本人的申辩")
    if actor is None:
        return
    if appeal.state == AppealState.ESCALATED:
        parent = appeal.branch.parent_id
        if parent is None or not has_org_perm(actor, Perm.AUDIT_FILING, parent):
            raise WorkflowForbidden("无权限复核该申辩：需上级党组织的审核备案权限")
    elif not has_org_perm(actor, Perm.RECORD_ENTRY, appeal.branch_id):
        raise WorkflowForbidden("无权限处理该支部的申辩")


def investigate_appeal(*, actor: Any, appeal: Appeal) -> Appeal:
    """filed → investigating: the scorekeeper takes the appeal up (核查)."""
    _require_handler(actor, appeal)
    to = AppealState.INVESTIGATING
    check(APPEAL_FLOW, AppealState, what=WHAT, current=appeal.state, to=to)
    with transaction.atomic():
        move(Appeal, AppealState, APPEAL_FLOW, pk=appeal.pk, to=to, what=WHAT,
             investigated_by=_user(actor), investigated_at=timezone.now())  # fmt: skip
        record(events.APPEAL_INVESTIGATE, actor=actor, target=appeal, tenant_id=appeal.tenant_id)
    appeal.refresh_from_db()
    return appeal


def _decision_fields(actor: Any, appeal: Appeal, reason: str, day: dt.date) -> dict[str, Any]:
    if appeal.state == AppealState.ESCALATED:
        return {"reviewed_by": _user(actor), "reviewed_at": timezone.now(), "review_reason": reason}
    return {"decided_by": _user(actor), "decided_on": day, "decision_reason": reason}


def dismiss_appeal(
    *, actor: Any, appeal: Appeal, reason: str, today: dt.date | None = None
) -> Appeal:
    """investigating or escalated → dismissed, with the reason."""
    _require_handler(actor, appeal)
    if not reason.strip():
        raise WorkflowRefused("驳回申辩必须填写理由")
    to = AppealState.DISMISSED
    check(APPEAL_FLOW, AppealState, what=WHAT, current=appeal.state, to=to)
    fields = _decision_fields(actor, appeal, reason.strip(), _today(today))
    with transaction.atomic():
        # `also` pins the instance: a committee's dismissal cannot land on a first instance.
        move(Appeal, AppealState, APPEAL_FLOW, pk=appeal.pk, to=to, what=WHAT,
             also=models.Q(state=appeal.state), **fields)  # fmt: skip
        record(
            events.APPEAL_DISMISS,
            actor=actor,
            target=appeal,
            tenant_id=appeal.tenant_id,
            summary=reason.strip()[:200],
            changes={"from": appeal.state, "to": to},
        )
        final = appeal.state == AppealState.ESCALATED
        hint = "" if final else f"如不服，可在 {escalation_days()} 日内申请上级复核"
        notify(
            recipients=[appeal.member.user_id],
            kind=NotificationKind.APPEAL_DECIDED,
            message=f"您对 {appeal.period.label} 的申辩不成立：{reason.strip()}。{hint}",
            link=f"appeal:{appeal.pk}",
            tenant_id=appeal.tenant_id,
        )
    appeal.refresh_from_db()
    return appeal


def uphold_appeal(
    *,
    actor: Any,
    appeal: Appeal,
    reason: str,
    reverse: bool = False,
    correction: Correction | None = None,
    occurred_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Appeal:
    """investigating or escalated → upheld, writing the correction in the same transaction:
    the reversal of the appealed entry (`reverse`) and/or a new entry (`correction`), both
    dated `occurred_on` (default today), which must fall in a period still open."""
    _require_handler(actor, appeal)
    if not reason.strip():
        raise WorkflowRefused("认定申辩成立必须填写理由")
    to = AppealState.UPHELD
    check(APPEAL_FLOW, AppealState, what=WHAT, current=appeal.state, to=to)
    if not reverse and correction is None:
        raise WorkflowRefused("申辩成立须写入更正：冲正所涉记录，或补记一条积分，或两者")
    if reverse and appeal.entry is None:
        raise WorkflowRefused("该申辩没有指明台账记录，无法冲正；请改为补记积分")
    day = _today(today)
    on = occurred_on or day
    _refuse_unless_open(appeal.branch_id, on)
    if correction is not None:
        check_points(
            scheme_of(appeal.branch), item_code=correction.item_code, occurred_on=on,
            points=correction.points, quantity=correction.quantity,
            honor_key=correction.honor_key,
        )  # fmt: skip
    # The committee holds no RECORD_ENTRY: its correction is written as the operator's,
    # approved by the committee member, and the audit row names them.
    ledger_actor = None if appeal.state == AppealState.ESCALATED else actor
    fields = _decision_fields(actor, appeal, reason.strip(), day)
    with transaction.atomic():
        move(Appeal, AppealState, APPEAL_FLOW, pk=appeal.pk, to=to, what=WHAT,
             also=models.Q(state=appeal.state), **fields)  # fmt: skip
        written: dict[str, Any] = {}
        try:
            if reverse and appeal.entry is not None:
                reversal = reverse_entry(
                    actor=ledger_actor,
                    entry=appeal.entry,
                    reason=f"申辩 #{appeal.pk} 成立：{reason.strip()}",
                    occurred_on=on,
                    uid=_uid(appeal.pk, "reversal"),
                    approved_by=_user(actor),
                )
                written["reversal"] = reversal
            if correction is not None:
                written["correction"] = post_entry(
                    actor=ledger_actor,
                    draft=EntryDraft(
                        member_id=appeal.member_id,
                        organisation_id=appeal.branch_id,
                        item_code=correction.item_code,
                        points=correction.points,
                        quantity=correction.quantity,
                        honor_key=correction.honor_key,
                        occurred_on=on,
                        note=f"申辩 #{appeal.pk} 成立补记：{reason.strip()}"[:500],
                        source=Source.REGISTRATION,
                        uid=_uid(appeal.pk, "correction"),
                        approved_by_id=actor.pk if _user(actor) is not None else None,
                    ),
                )
        except LedgerRefused as error:
            raise WorkflowRefused(message(error)) from error
        except PermissionDenied as error:
            raise WorkflowForbidden(str(error)) from error
        Appeal.objects.filter(pk=appeal.pk).update(**written)
        record(
            events.APPEAL_UPHOLD,
            actor=actor,
            target=appeal,
            tenant_id=appeal.tenant_id,
            summary=reason.strip()[:200],
            changes={
                "from": appeal.state,
                "to": to,
                **{name: entry.seq for name, entry in written.items()},
            },
        )
        notify(
            recipients=[appeal.member.user_id],
            kind=NotificationKind.APPEAL_DECIDED,
            message=f"您对 {appeal.period.label} 的申辩成立：{reason.strip()}，已更正积分",
            link=f"appeal:{appeal.pk}",
            tenant_id=appeal.tenant_id,
        )
    appeal.refresh_from_db()
    return appeal


def _refuse_unless_open(branch_id: int, on: dt.date) -> None:
    period = Period.objects.filter(
        organisation_id=branch_id, starts_on__lte=on, ends_on__gte=on
    ).first()
    if period is not None and period.state != PeriodState.OPEN:
        raise WorkflowRefused(
            f"更正须记入进行中的期间：{on} 属于“{period.get_state_display()}”的期间 "
            f"{period.label}，请另选日期"
        )


def escalate_appeal(
    *, actor: Any, appeal: Appeal, reason: str, today: dt.date | None = None
) -> Appeal:
    """dismissed → escalated: the member asks the higher committee for a second instance,
    once, within `escalation_days()` of the dismissal."""
    if not is_self(actor, appeal.member):
        raise WorkflowForbidden("只有提出申辩的党员本人可以申请复核")
    if not reason.strip():
        raise WorkflowRefused("请填写申请复核的理由")
    to = AppealState.ESCALATED
    check(APPEAL_FLOW, AppealState, what=WHAT, current=appeal.state, to=to)
    if appeal.escalated_at is not None:
        raise WorkflowRefused("该申辩已经过上级复核，不能再次申请")
    if appeal.branch.parent_id is None:
        raise WorkflowRefused("该支部没有上级党组织，无法申请复核")
    day = _today(today)
    if appeal.decided_on is not None:
        last = appeal.decided_on + dt.timedelta(days=escalation_days())
        if day > last:
            raise WorkflowRefused(f"申请复核须在 {last} 前提出，今天是 {day}")
    with transaction.atomic():
        move(Appeal, AppealState, APPEAL_FLOW, pk=appeal.pk, to=to, what=WHAT,
             also=models.Q(escalated_at__isnull=True), escalated_at=timezone.now(),
             escalation_reason=reason.strip())  # fmt: skip
        record(
            events.APPEAL_ESCALATE,
            actor=actor,
            target=appeal,
            tenant_id=appeal.tenant_id,
            summary=reason.strip()[:200],
        )
        notify(
            recipients=holders_of(Perm.AUDIT_FILING, appeal.branch.parent_id),
            kind=NotificationKind.APPEAL_TO_HANDLE,
            message=f"{appeal.member.name} 对 {appeal.period.label} 申辩的处理申请复核",
            link=f"appeal:{appeal.pk}",
            tenant_id=appeal.tenant_id,
        )
    appeal.refresh_from_db()
    return appeal
