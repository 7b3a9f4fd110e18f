"""The member's pages: my card (一人一卡), declare, my declarations, appeal.

Every page reads saved results (snapshots), never evaluates; each list is a fixed number
of queries whatever its length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jifen.ledger.models import LedgerEntry, Period, PeriodState
from jifen.members.models import Member
from jifen.scoring.models import MemberResult
from jifen.web.common import item_names, member_of, name_items, show_refusal
from jifen.web.forms import AppealForm, DeclarationForm, ReasonForm
from jifen.workflow.appeals import escalation_days
from jifen.workflow.items import declarable_items
from jifen.workflow.models import Appeal, Evidence, PeriodRecord
from jifen.workflow.selectors import declarations_of
from jifen.workflow.services import (
    WorkflowRefused,
    attach_evidence,
    create_declaration,
    escalate_appeal,
    file_appeal,
    submit_declaration,
    update_declaration,
)
from jifen.workflow.states import DECLARATION_EDITABLE, AppealState


def window_open(period: Period, record: PeriodRecord | None, today: dt.date) -> bool:
    """`selectors.appeal_window_open` over rows already read (no query per row)."""
    return bool(
        period.state == PeriodState.PUBLICISED
        and record is not None
        and record.publicity_starts_on is not None
        and record.publicity_ends_on is not None
        and record.publicity_starts_on <= today <= record.publicity_ends_on
    )


@dataclass
class CardRow:
    record: PeriodRecord
    result: MemberResult | None
    appeal_open: bool


@login_required
@never_cache
def my_card(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    # The periods whose saved snapshot holds a result of mine, wherever I was then.
    records = list(
        PeriodRecord.objects.filter(snapshot__isnull=False, snapshot__results__member=member)
        .select_related("period", "period__organisation")
        .order_by("-period__starts_on", "-period_id")
    )
    results = {
        row.snapshot_id: row
        for row in MemberResult.objects.filter(
            member=member, snapshot_id__in=[r.snapshot_id for r in records]
        )
    }
    today = timezone.localdate()
    rows = [
        CardRow(record, results.get(record.snapshot_id), window_open(record.period, record, today))
        for record in records
    ]
    return render(request, "web/my_card.html", {"member": member, "rows": rows})


@login_required
@never_cache
def declare(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    items = declarable_items(member)
    today = timezone.localdate()
    if request.method == "POST":
        form = DeclarationForm(request.POST, request.FILES, items=items, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                create_declaration(
                    actor=request.user,
                    member=member,
                    item_code=data["item_code"],
                    occurred_on=data["occurred_on"],
                    description=data["description"],
                    idempotency_key=data["idempotency_key"],
                    requested_points=data["requested_points"],
                    honor_key=(data["honor_key"] or "").strip(),
                    evidence=data["evidence"],
                    today=today,
                )
            except WorkflowRefused as error:
                show_refusal(form, error)
            else:
                messages.success(request, "申报已提交，等待积分员审核")
                return redirect("my_declarations")
    else:
        form = DeclarationForm(items=items, today=today)
    return render(request, "web/declare.html", {"form": form, "member": member, "items": items})


@login_required
@never_cache
def declaration_edit(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """Change a returned (or draft) declaration, add evidence, and submit it again."""
    member = member_of(request)
    declaration = declarations_of(request.user).filter(pk=declaration_id).first()
    if declaration is None:
        raise Http404("没有该申报")
    items = declarable_items(member)
    today = timezone.localdate()
    editable = declaration.state in DECLARATION_EDITABLE
    if request.method == "POST" and editable:
        form = DeclarationForm(request.POST, request.FILES, items=items, today=today)
        if form.is_valid():
            data = form.cleaned_data
            stored: list[Evidence] = []
            try:
                # One transaction: the edit, the new files and the submission stand or
                # fall together (the services' own transactions nest inside it). Files
                # are not transactional: those of a rolled-back attach are removed.
                with transaction.atomic():
                    update_declaration(
                        actor=request.user, declaration=declaration,
                        item_code=data["item_code"], occurred_on=data["occurred_on"],
                        description=data["description"],
                        requested_points=data["requested_points"],
                        clear_points=data["requested_points"] is None,
                        honor_key=(data["honor_key"] or "").strip(), today=today,
                    )  # fmt: skip
                    if data["evidence"]:
                        stored = attach_evidence(
                            actor=request.user, declaration=declaration, uploads=data["evidence"]
                        )
                    submit_declaration(actor=request.user, declaration=declaration)
            except BaseException as error:
                for evidence in stored:
                    evidence.file.storage.delete(evidence.file.name)
                if not isinstance(error, WorkflowRefused):
                    raise
                show_refusal(form, error)
            else:
                messages.success(request, "申报已修改并重新提交")
                return redirect("my_declarations")
    else:
        form = DeclarationForm(
            items=items,
            today=today,
            initial={
                "item_code": declaration.item_code,
                "occurred_on": declaration.occurred_on,
                "description": declaration.description,
                "requested_points": declaration.requested_points,
                "honor_key": declaration.honor_key,
            },
        )
    return render(
        request,
        "web/declaration_edit.html",
        {"form": form, "declaration": declaration, "editable": editable, "member": member},
    )


@login_required
@never_cache
def my_declarations(request: HttpRequest) -> HttpResponse:
    member_of(request)  # 403 for an account that is not a member
    declarations = list(
        declarations_of(request.user)
        .annotate(evidence_count=Count("evidence"))
        .order_by("-created_at", "-id")[:200]
    )
    name_items(declarations)
    return render(request, "web/my_declarations.html", {"declarations": declarations})


@login_required
@never_cache
def appeal_file(request: HttpRequest, period_id: int) -> HttpResponse:
    member = member_of(request)
    # Only a period whose saved results include me: anything else is not disclosed.
    record = (
        PeriodRecord.objects.filter(period_id=period_id, snapshot__results__member=member)
        .select_related("period", "period__organisation", "snapshot")
        .first()
    )
    if record is None:
        raise Http404("没有该期间的积分结果")
    period = record.period
    result = MemberResult.objects.filter(snapshot_id=record.snapshot_id, member=member).first()
    entries = {entry.pk: entry for entry in _entries_in(member, period)}
    scheme = record.snapshot.scheme_code if record.snapshot is not None else ""
    names = item_names([scheme])
    choices = [
        (pk, f"{e.occurred_on} {names.get((scheme, e.item_code), e.item_code)} {e.points} 分")
        for pk, e in entries.items()
    ]
    today = timezone.localdate()
    escalation = ReasonForm(prefix="escalate")
    if request.method == "POST" and request.POST.get("action") == "escalate":
        escalation = ReasonForm(request.POST, prefix="escalate")
        done = _escalate(request, member, period, escalation, today)
        if done is not None:
            return done
    if request.method == "POST" and request.POST.get("action") != "escalate":
        form = AppealForm(request.POST, entries=choices)
        if form.is_valid():
            chosen = form.cleaned_data["entry"]
            try:
                file_appeal(
                    actor=request.user,
                    period=period,
                    entry=entries[int(chosen)] if chosen else None,
                    reason=form.cleaned_data["reason"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    today=today,
                )
            except WorkflowRefused as error:
                show_refusal(form, error)
            else:
                messages.success(request, "申辩已提交，积分员将核查处理")
                return redirect("appeal_file", period_id=period.pk)
    else:
        form = AppealForm(entries=choices)
    appeals = list(Appeal.objects.filter(period=period, member=member).order_by("-filed_at", "-id"))
    last_day = dt.timedelta(days=escalation_days())
    for appeal in appeals:
        # The service decides; the page only offers the form while it could succeed.
        appeal.may_escalate = (  # type: ignore[attr-defined]
            appeal.state == AppealState.DISMISSED
            and appeal.escalated_at is None
            and appeal.decided_on is not None
            and today <= appeal.decided_on + last_day
        )
    return render(
        request,
        "web/appeal_form.html",
        {
            "form": form,
            "period": period,
            "record": record,
            "result": result,
            "total": _total(result),
            "open": window_open(period, record, today),
            "today": today,
            "appeals": appeals,
            "escalation": escalation,
        },
    )


def _escalate(
    request: HttpRequest, member: Member, period: Period, form: ReasonForm, today: dt.date
) -> HttpResponse | None:
    """Ask the higher committee to review a dismissed appeal (second instance)."""
    appeal = (
        Appeal.objects.filter(pk=request.POST.get("appeal") or 0, member=member, period=period)
        .select_related("branch", "member", "period")
        .first()
    )
    if appeal is None:
        raise Http404("没有该申辩")
    if not form.is_valid():
        return None
    try:
        escalate_appeal(
            actor=request.user, appeal=appeal, reason=form.cleaned_data["reason"], today=today
        )
    except WorkflowRefused as error:
        show_refusal(form, error)
        return None
    messages.success(request, "已申请上级党组织复核")
    return redirect("appeal_file", period_id=period.pk)


def _entries_in(member: Member, period: Period) -> list[LedgerEntry]:
    """The member's ledger entries dated in the period, the ones an appeal may name."""
    return list(
        LedgerEntry.objects.filter(
            member=member, occurred_on__gte=period.starts_on, occurred_on__lte=period.ends_on
        ).order_by("occurred_on", "seq")[:200]
    )


def _total(result: MemberResult | None) -> Decimal | None:
    return None if result is None else result.total
