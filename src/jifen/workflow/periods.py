"""The period flow: open → summarised → publicised → archived → filed.

Design overview
- The state and the lock live on `ledger.Period` and move only through
  `ledger.services.advance_period`, itself a compare-and-set: of two presses of the same
  button one moves the period and the other is refused. Each service here makes that move
  first in its transaction, then does its work, so a refused press has written nothing.
- Summarise saves the snapshot (`scoring.services.summarise`) and tells every member their
  result. Publicise sets the publicity window (公示, `publicity_days`, default 5 calendar
  days counting the first) — the appeal window is the same dates. Archive only after the
  window has ended and while no appeal is open; the period is then locked by the ledger.
- File submits the period to the higher committee (`FilingReview`); the committee (AUDIT_
  FILING on an ancestor) accepts or returns it with a reason; a returned filing is filed
  again as a new review, so the history of answers stays. The ledger period is `filed`
  from the first submission on (locked either way); acceptance is the review's state.
- `send_reminders` is for a periodic command: it tells scorekeepers that an ended period
  waits to be summarised and members that a publicity window closed, each once (a flag
  set by compare-and-set).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from jifen.core.audit import record
from jifen.ledger.models import Period, PeriodState
from jifen.ledger.services import LedgerRefused, advance_period
from jifen.members.models import Member
from jifen.orgs.permissions import Perm, has_org_perm, holders_of
from jifen.scoring.models import MemberResult
from jifen.scoring.scope import ScopeError, resolve_scope
from jifen.scoring.services import summarise
from jifen.workflow import events
from jifen.workflow.machine import WorkflowForbidden, WorkflowRefused, message, move
from jifen.workflow.models import Appeal, FilingReview, PeriodRecord
from jifen.workflow.notifications import notify, notify_each
from jifen.workflow.selectors import latest_filing
from jifen.workflow.states import APPEAL_OPEN, FILING_FLOW, FilingState, NotificationKind

PUBLICITY_DAYS = 5


def publicity_days() -> int:
    return int(getattr(settings, "JIFEN_PUBLICITY_DAYS", PUBLICITY_DAYS))


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _user(actor: Any) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _require_manager(actor: Any, period: Period, doing: str) -> None:
    if actor is not None and not has_org_perm(actor, Perm.MANAGE_PERIOD, period.organisation_id):
        raise WorkflowForbidden(f"无权限{doing}该组织的积分期间")


def _expect(period: Period, state: str, doing: str) -> None:
    if period.state != state:
        raise WorkflowRefused(
            f"期间 {period.label} 当前为“{period.get_state_display()}”，不能{doing}"
        )


def _advance(actor: Any, period: Period, to: str) -> None:
    """The ledger's compare-and-set of the period state, its refusals made ours.

    The ledger sets the new state on the object it is given; it gets a copy, so that the
    caller's object does not claim a state that a later refusal rolled back. Services set
    the caller's object once their transaction committed."""
    try:
        advance_period(actor=actor, period=copy.copy(period), to=to)
    except LedgerRefused as error:
        raise WorkflowRefused(message(error)) from error
    except PermissionDenied as error:
        raise WorkflowForbidden(str(error)) from error


def _record_of(period: Period) -> PeriodRecord:
    record_, _ = PeriodRecord.objects.get_or_create(
        period=period, defaults={"tenant_id": period.tenant_id}
    )
    return record_


def _member_users(period: Period) -> list[int | None]:
    return list(
        Member.objects.filter(branch_id=period.organisation_id, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )


# --- summarise, publicise, archive ------------------------------------------------------------


def summarise_period(*, actor: Any, period: Period, today: dt.date | None = None) -> PeriodRecord:
    """open → summarised: save the result snapshot and tell every member their result."""
    _require_manager(actor, period, "汇总")
    _expect(period, PeriodState.OPEN, "汇总")
    if _today(today) < period.ends_on:
        raise WorkflowRefused(f"期间 {period.label} 到 {period.ends_on} 才结束，结束后才能汇总")
    try:
        scope = resolve_scope(
            tenant=period.tenant, organisation=period.organisation, period=period.label
        )
    except ScopeError as error:
        raise WorkflowRefused(str(error)) from error
    with transaction.atomic():
        _advance(actor, period, PeriodState.SUMMARISED)
        snapshot = summarise(actor=actor, scope=scope).snapshot
        period_record = _record_of(period)
        PeriodRecord.objects.filter(pk=period_record.pk).update(
            snapshot=snapshot, summarised_by=_user(actor), summarised_at=timezone.now()
        )
        record(
            events.PERIOD_SUMMARISE,
            actor=actor,
            target=period,
            tenant_id=period.tenant_id,
            summary=f"{period.label} 汇总 {snapshot.member_count} 名党员",
            changes={"snapshot": snapshot.pk},
        )
        results = MemberResult.objects.filter(snapshot=snapshot, member__user__isnull=False)
        notify_each(
            messages={
                user_id: _result_text(period.label, total, grade)
                for user_id, total, grade in results.values_list(
                    "member__user_id", "total_hundredths", "grade"
                )
            },
            kind=NotificationKind.RESULT_READY,
            link=f"period:{period.pk}",
            tenant_id=period.tenant_id,
        )
    period.state = PeriodState.SUMMARISED
    period_record.refresh_from_db()
    return period_record


def _result_text(label: str, total: int | None, grade: str) -> str:
    if total is None:
        return f"{label} 积分结果已汇总：本期不计分，详情请查看积分卡"
    points = f"{total / 100:.2f}"
    return f"{label} 积分结果已汇总：得分 {points}" + (f"，等次 {grade}" if grade else "")


def publicise_period(
    *, actor: Any, period: Period, days: int | None = None, today: dt.date | None = None
) -> PeriodRecord:
    """summarised → publicised: open the publicity and appeal window for `days` days."""
    _require_manager(actor, period, "公示")
    _expect(period, PeriodState.SUMMARISED, "公示")
    days = publicity_days() if days is None else days
    if days < 1:
        raise WorkflowRefused("公示天数至少为 1 天")
    starts = _today(today)
    ends = starts + dt.timedelta(days=days - 1)
    with transaction.atomic():
        _advance(actor, period, PeriodState.PUBLICISED)
        period_record = _record_of(period)
        if period_record.snapshot_id is None:
            raise WorkflowRefused(f"期间 {period.label} 没有汇总结果，请先在系统中汇总")
        PeriodRecord.objects.filter(pk=period_record.pk).update(
            publicity_starts_on=starts, publicity_ends_on=ends
        )
        record(
            events.PERIOD_PUBLICISE,
            actor=actor,
            target=period,
            tenant_id=period.tenant_id,
            summary=f"{period.label} 公示 {starts} 至 {ends}",
            changes={"starts_on": str(starts), "ends_on": str(ends)},
        )
        notify(
            recipients=_member_users(period),
            kind=NotificationKind.APPEAL_WINDOW_OPEN,
            message=(
                f"{period.label} 积分结果公示：{starts} 至 {ends}。如有异议，请在公示期内提出申辩"
            ),
            link=f"period:{period.pk}",
            tenant_id=period.tenant_id,
        )
    period.state = PeriodState.PUBLICISED
    period_record.refresh_from_db()
    return period_record


def archive_period(*, actor: Any, period: Period, today: dt.date | None = None) -> PeriodRecord:
    """publicised → archived (locked): after the window ended, with no appeal open."""
    _require_manager(actor, period, "归档")
    _expect(period, PeriodState.PUBLICISED, "归档")
    period_record = _record_of(period)
    ends = period_record.publicity_ends_on
    if ends is not None and _today(today) <= ends:
        raise WorkflowRefused(f"公示期到 {ends} 结束，期满后才能归档")
    with transaction.atomic():
        # The state moves first: an appeal filed at the same moment either committed before
        # (and is counted below) or finds the period archived and is refused.
        _advance(actor, period, PeriodState.ARCHIVED)
        open_appeals = Appeal.objects.filter(period=period, state__in=APPEAL_OPEN).count()
        if open_appeals:
            raise WorkflowRefused(
                f"期间 {period.label} 还有 {open_appeals} 件申辩未处理完，不能归档"
            )
        PeriodRecord.objects.filter(pk=period_record.pk).update(archived_at=timezone.now())
        _tell_window_closed(period, period_record)
        record(
            events.PERIOD_ARCHIVE,
            actor=actor,
            target=period,
            tenant_id=period.tenant_id,
            summary=f"{period.label} 归档",
        )
    period.state = PeriodState.ARCHIVED
    period_record.refresh_from_db()
    return period_record


def _tell_window_closing(period: Period, period_record: PeriodRecord) -> int:
    """On the window's last day, once: members may still appeal today."""
    claimed = PeriodRecord.objects.filter(
        pk=period_record.pk, window_closing_notified=False
    ).update(window_closing_notified=True)
    if not claimed:
        return 0
    return notify(
        recipients=_member_users(period),
        kind=NotificationKind.APPEAL_WINDOW_CLOSING,
        message=f"{period.label} 积分结果公示今天结束，如有异议请今天提出申辩",
        link=f"period:{period.pk}",
        tenant_id=period.tenant_id,
    )


def _tell_window_closed(period: Period, period_record: PeriodRecord) -> None:
    # Once only, whoever gets here first: the reminder command or the archive.
    claimed = PeriodRecord.objects.filter(pk=period_record.pk, window_closed_notified=False).update(
        window_closed_notified=True
    )
    if claimed:
        notify(
            recipients=_member_users(period),
            kind=NotificationKind.APPEAL_WINDOW_CLOSED,
            message=f"{period.label} 积分结果公示已结束",
            link=f"period:{period.pk}",
            tenant_id=period.tenant_id,
        )


# --- filing -----------------------------------------------------------------------------------


def file_period(*, actor: Any, period: Period) -> FilingReview:
    """archived → filed: submit to the higher committee; or file again after a return."""
    _require_manager(actor, period, "上报")
    committee = period.organisation.parent
    if committee is None:
        raise WorkflowRefused(f"{period.organisation.name} 没有上级组织，无需上报备案")
    if period.state == PeriodState.FILED:
        latest = latest_filing(period)
        if latest is not None and latest.state != FilingState.RETURNED:
            raise WorkflowRefused(
                f"期间 {period.label} 已上报，当前为“{latest.get_state_display()}”"
            )
    else:
        _expect(period, PeriodState.ARCHIVED, "上报")
    try:
        with transaction.atomic():
            if period.state == PeriodState.ARCHIVED:
                _advance(actor, period, PeriodState.FILED)
            filing = FilingReview.objects.create(
                tenant_id=period.tenant_id,
                period=period,
                committee=committee,
                submitted_by=_user(actor),
            )
            record(
                events.PERIOD_FILE,
                actor=actor,
                target=filing,
                tenant_id=period.tenant_id,
                summary=f"{period.organisation.code} {period.label} 上报 {committee.code}",
            )
            notify(
                recipients=holders_of(Perm.AUDIT_FILING, committee),
                kind=NotificationKind.FILING,
                message=f"{period.organisation.name} {period.label} 积分结果已上报，请审核备案",
                link=f"filing:{filing.pk}",
                tenant_id=period.tenant_id,
            )
    except IntegrityError as error:
        # Two presses of "file again": the partial unique constraint let one through.
        raise WorkflowRefused(f"期间 {period.label} 已上报，请刷新") from error
    period.state = PeriodState.FILED
    return filing


def accept_filing(*, actor: Any, filing: FilingReview) -> FilingReview:
    """submitted → accepted (备案), by the committee."""
    return _answer(actor, filing, FilingState.ACCEPTED, "")


def return_filing(*, actor: Any, filing: FilingReview, reason: str) -> FilingReview:
    """submitted → returned with a reason; the branch files again."""
    if not reason.strip():
        raise WorkflowRefused("退回上报必须填写原因")
    return _answer(actor, filing, FilingState.RETURNED, reason.strip())


def _answer(actor: Any, filing: FilingReview, to: str, reason: str) -> FilingReview:
    if actor is not None and not has_org_perm(actor, Perm.AUDIT_FILING, filing.committee_id):
        raise WorkflowForbidden("无权限审核该上报：需上级党组织的审核备案权限")
    with transaction.atomic():
        move(FilingReview, FilingState, FILING_FLOW, pk=filing.pk, to=to, what="上报",
             decided_by=_user(actor), decided_at=timezone.now(), reason=reason)  # fmt: skip
        period = filing.period
        record(
            events.FILING_ACCEPT if to == FilingState.ACCEPTED else events.FILING_RETURN,
            actor=actor,
            target=filing,
            tenant_id=filing.tenant_id,
            summary=reason[:200] or f"{period.label} 备案",
        )
        verdict = "已备案" if to == FilingState.ACCEPTED else f"被退回：{reason}"
        notify(
            recipients=holders_of(Perm.MANAGE_PERIOD, period.organisation_id),
            kind=NotificationKind.FILING,
            message=f"{period.organisation.name} {period.label} 的上报{verdict}",
            link=f"filing:{filing.pk}",
            tenant_id=filing.tenant_id,
        )
    filing.refresh_from_db()
    return filing


# --- reminders --------------------------------------------------------------------------------


def send_reminders(*, today: dt.date | None = None) -> int:
    """Tell, once each: scorekeepers of an ended open period, members on the last day of a
    publicity window and once it has closed."""
    day = _today(today)
    sent = 0
    for period in Period.objects.filter(state=PeriodState.OPEN, ends_on__lt=day).exclude(
        workflow__due_notified=True
    ):
        with transaction.atomic():
            claimed = PeriodRecord.objects.filter(
                pk=_record_of(period).pk, due_notified=False
            ).update(due_notified=True)
            if claimed:
                sent += notify(
                    recipients=holders_of(Perm.MANAGE_PERIOD, period.organisation_id),
                    kind=NotificationKind.PERIOD_DUE,
                    message=f"{period.organisation.name} {period.label} 已结束，请汇总积分",
                    link=f"period:{period.pk}",
                    tenant_id=period.tenant_id,
                )
    for period_record in PeriodRecord.objects.filter(
        period__state=PeriodState.PUBLICISED,
        publicity_ends_on=day,
        window_closing_notified=False,
    ).select_related("period"):
        with transaction.atomic():
            sent += _tell_window_closing(period_record.period, period_record)
    for period_record in PeriodRecord.objects.filter(
        period__state=PeriodState.PUBLICISED,
        publicity_ends_on__lt=day,
        window_closed_notified=False,
    ).select_related("period"):
        with transaction.atomic():
            _tell_window_closed(period_record.period, period_record)
            sent += 1
    if sent:
        with transaction.atomic():
            record(events.REMINDERS_SENT, actor=None, summary=f"{day} 发送提醒 {sent} 条")
    return sent
