"""The scorekeeper's workbench: what waits, declaration review, the period flow, appeals.

Objects outside the scorekeeper's organisations answer 404 (their existence is not
disclosed); the services check permission and state again and refuse with a reason,
which the page shows next to the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jifen.engine.scheme import Item
from jifen.ledger.models import Period, PeriodState
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, organisations_for
from jifen.scoring.models import MemberResult
from jifen.scoring.selectors import snapshot_results
from jifen.web.common import name_items, post_action, refusal_text, show_refusal
from jifen.web.forms import ApproveForm, PublicityForm, ReasonForm, UpholdForm
from jifen.workflow.evidence import evidence_response
from jifen.workflow.items import scheme_of
from jifen.workflow.models import Appeal, Declaration, FilingReview, PeriodRecord
from jifen.workflow.selectors import appeals_to_handle, declarations_to_review
from jifen.workflow.services import (
    Correction,
    WorkflowRefused,
    approve_declaration,
    archive_period,
    dismiss_appeal,
    file_period,
    investigate_appeal,
    publicise_period,
    reject_declaration,
    return_declaration,
    summarise_period,
    uphold_appeal,
)
from jifen.workflow.states import AppealState


def _orgs(request: HttpRequest, perm: Perm) -> QuerySet[Organisation]:
    return organisations_for(request.user, perm)


@login_required
@never_cache
def workbench(request: HttpRequest) -> HttpResponse:
    managed = _orgs(request, Perm.MANAGE_PERIOD)
    reviewed = _orgs(request, Perm.REVIEW_DECLARATION)
    if not managed.exists() and not reviewed.exists():
        raise PermissionDenied("只有积分员可以使用工作台")
    today = timezone.localdate()
    declarations = list(
        declarations_to_review(request.user).select_related("member", "branch")[:100]
    )
    name_items(declarations)
    appeals = appeals_to_handle(request.user).select_related("member", "period", "branch")[:100]
    periods = list(
        Period.objects.filter(organisation__in=managed)
        .select_related("organisation", "workflow")
        .order_by("-starts_on", "organisation__code")[:50]
    )
    for period in periods:
        period.is_due = period.state == PeriodState.OPEN and period.ends_on < today  # type: ignore[attr-defined]
    return render(
        request,
        "web/workbench.html",
        {"declarations": declarations, "appeals": appeals, "periods": periods},
    )


# --- declarations ------------------------------------------------------------------------------


def _item(declaration: Declaration) -> Item | None:
    try:
        return scheme_of(declaration.branch).item(declaration.item_code)
    except WorkflowRefused:
        return None


@login_required
@never_cache
def declaration_review(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = (
        Declaration.objects.filter(
            pk=declaration_id, branch__in=_orgs(request, Perm.REVIEW_DECLARATION)
        )
        .select_related("member", "branch", "decided_by")
        .first()
    )
    if declaration is None:
        raise Http404("没有该申报，或无权审核")
    action = post_action(request) if request.method == "POST" else ""
    data = request.POST if request.method == "POST" else None
    # Only the pressed form is bound: the others stay blank rather than show errors.
    approve = ApproveForm(data if action == "approve" else None, prefix="approve")
    reject = ReasonForm(data if action == "reject" else None, prefix="reject")
    send_back = ReasonForm(data if action == "return" else None, prefix="return")
    pressed = {"approve": approve, "reject": reject, "return": send_back}.get(action)
    if pressed is not None and pressed.is_valid():
        try:
            if action == "approve":
                approve_declaration(
                    actor=request.user,
                    declaration=declaration,
                    points=approve.cleaned_data["points"],
                    note=approve.cleaned_data["note"],
                    today=timezone.localdate(),
                )
                done = "已通过，积分已记入台账"
            elif action == "reject":
                reject_declaration(
                    actor=request.user, declaration=declaration,
                    reason=reject.cleaned_data["reason"],
                )  # fmt: skip
                done = "已不予通过，并通知申报人"
            else:
                return_declaration(
                    actor=request.user, declaration=declaration,
                    reason=send_back.cleaned_data["reason"],
                )  # fmt: skip
                done = "已退回申报人修改"
        except WorkflowRefused as error:
            show_refusal(pressed, error)
        else:
            messages.success(request, f"{declaration.member.name} 的申报{done}")
            return redirect("workbench")
    return render(
        request,
        "web/declaration_review.html",
        {
            "declaration": declaration,
            "item": _item(declaration),
            "evidence": list(declaration.evidence.order_by("id")),
            "approve": approve,
            "reject": reject,
            "send_back": send_back,
            "decidable": declaration.state in ("submitted", "appraised"),
        },
    )


@login_required
@never_cache
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    """A declaration's evidence, for the declarant and the reviewers of the branch."""
    return evidence_response(request.user, evidence_id)


# --- periods -----------------------------------------------------------------------------------


def _period_in_scope(request: HttpRequest, period_id: int) -> Period:
    period = (
        Period.objects.filter(pk=period_id, organisation__in=_orgs(request, Perm.MANAGE_PERIOD))
        .select_related("organisation", "organisation__parent")
        .first()
    )
    if period is None:
        raise Http404("没有该积分期间，或无权管理")
    return period


@login_required
@never_cache
def period_detail(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period_in_scope(request, period_id)
    publicity = PublicityForm(request.POST if post_action(request) == "publicise" else None)
    if request.method == "POST":
        action = post_action(request)
        if action == "publicise" and not publicity.is_valid():
            return _period_page(request, period, publicity, status=200)
        message = _period_action(request, period, action, publicity)
        if message is not None:
            messages.success(request, message)
        return redirect("period_detail", period_id=period.pk)
    return _period_page(request, period, publicity)


def _period_action(
    request: HttpRequest, period: Period, action: str, publicity: PublicityForm
) -> str | None:
    """Run the pressed step; a refusal becomes an error message shown above the buttons."""
    today = timezone.localdate()
    try:
        if action == "summarise":
            summarise_period(actor=request.user, period=period, today=today)
            return f"{period.label} 已汇总，结果已反馈给每名党员"
        if action == "publicise":
            record = publicise_period(
                actor=request.user, period=period, days=publicity.cleaned_data["days"],
                today=today,
            )  # fmt: skip
            return (
                f"{period.label} 开始公示：{record.publicity_starts_on} 至 "
                f"{record.publicity_ends_on}，公示期内党员可提出申辩"
            )
        if action == "archive":
            archive_period(actor=request.user, period=period, today=today)
            return f"{period.label} 已归档，该期间不再记入积分"
        if action == "file":
            filing = file_period(actor=request.user, period=period)
            return f"{period.label} 已上报 {filing.committee.name} 审核备案"
    except WorkflowRefused as error:
        messages.error(request, refusal_text(error))
        return None
    messages.error(request, "未知的操作")
    return None


def _period_page(
    request: HttpRequest, period: Period, publicity: PublicityForm, status: int = 200
) -> HttpResponse:
    record = PeriodRecord.objects.filter(period=period).select_related("snapshot").first()
    results: list[MemberResult] = []
    if record is not None and record.snapshot is not None:
        results = list(snapshot_results(record.snapshot).select_related("member"))
    filings = list(
        FilingReview.objects.filter(period=period)
        .select_related("committee", "decided_by")
        .order_by("-submitted_at", "-id")
    )
    appeal_counts = dict(
        Appeal.objects.filter(period=period)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    open_appeals = sum(
        n for state, n in appeal_counts.items()
        if state in (AppealState.FILED, AppealState.INVESTIGATING, AppealState.ESCALATED)
    )  # fmt: skip
    return render(
        request,
        "web/period_detail.html",
        {
            "period": period,
            "record": record,
            "results": results,
            "filings": filings,
            "open_appeals": open_appeals,
            "publicity": publicity,
            "today": timezone.localdate(),
        },
        status=status,
    )


# --- appeals -----------------------------------------------------------------------------------


def _correctable(appeal: Appeal) -> list[Item]:
    """Items a correction may use: every item of the branch's scheme but the vetoes."""
    try:
        return [item for item in scheme_of(appeal.branch).items if item.veto is None]
    except WorkflowRefused:
        return []


@login_required
@never_cache
def appeal_handle(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = (
        Appeal.objects.filter(pk=appeal_id)
        .filter(
            Q(branch__in=_orgs(request, Perm.RECORD_ENTRY))
            | Q(state=AppealState.ESCALATED, branch__parent__in=_orgs(request, Perm.AUDIT_FILING))
        )
        .select_related("member", "period", "branch", "entry", "period__workflow")
        .first()
    )
    if appeal is None:
        raise Http404("没有该申辩，或无权处理")
    action = post_action(request) if request.method == "POST" else ""
    data = request.POST if request.method == "POST" else None
    uphold = UpholdForm(
        data if action == "uphold" else None, prefix="uphold", items=_correctable(appeal)
    )
    if appeal.entry is None:
        del uphold.fields["reverse"]  # nothing named, nothing to reverse
    dismiss = ReasonForm(data if action == "dismiss" else None, prefix="dismiss")
    if action == "investigate":
        try:
            investigate_appeal(actor=request.user, appeal=appeal)
        except WorkflowRefused as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, "已开始核查")
        return redirect("appeal_handle", appeal_id=appeal.pk)
    pressed = {"uphold": uphold, "dismiss": dismiss}.get(action)
    if pressed is not None and pressed.is_valid():
        try:
            if action == "uphold":
                data_ = uphold.cleaned_data
                correction = (
                    Correction(item_code=data_["item_code"], points=data_["points"])
                    if data_["item_code"]
                    else None
                )
                uphold_appeal(
                    actor=request.user, appeal=appeal, reason=data_["reason"],
                    reverse=data_.get("reverse", False), correction=correction,
                    occurred_on=data_["occurred_on"], today=timezone.localdate(),
                )  # fmt: skip
                done = "申辩成立，更正已记入台账"
            else:
                dismiss_appeal(
                    actor=request.user, appeal=appeal, reason=dismiss.cleaned_data["reason"],
                    today=timezone.localdate(),
                )  # fmt: skip
                done = "申辩不成立，已通知党员"
        except WorkflowRefused as error:
            show_refusal(pressed, error)
        else:
            messages.success(request, done)
            return redirect("workbench")
    record = getattr(appeal.period, "workflow", None)
    result = None
    if record is not None and record.snapshot_id is not None:
        result = MemberResult.objects.filter(
            snapshot_id=record.snapshot_id, member_id=appeal.member_id
        ).first()
    return render(
        request,
        "web/appeal_handle.html",
        {
            "appeal": appeal,
            "result": result,
            "uphold": uphold,
            "dismiss": dismiss,
            "decidable": appeal.state in (AppealState.INVESTIGATING, AppealState.ESCALATED),
        },
    )
