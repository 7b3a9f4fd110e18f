"""The higher committee's audit of filed period reports (审核备案): accept or return; and
the appeals members asked it to review (second instance, handled on `appeal_handle`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from jifen.orgs.permissions import Perm, organisations_for
from jifen.scoring.selectors import snapshot_results
from jifen.web.common import post_action, refusal_text, show_refusal
from jifen.web.forms import ReasonForm
from jifen.workflow.models import FilingReview, PeriodRecord
from jifen.workflow.selectors import appeals_to_handle, filings_to_review
from jifen.workflow.services import WorkflowRefused, accept_filing, return_filing
from jifen.workflow.states import AppealState, FilingState


@login_required
@never_cache
def filing_list(request: HttpRequest) -> HttpResponse:
    committees = organisations_for(request.user, Perm.AUDIT_FILING)
    if not committees.exists():
        raise PermissionDenied("只有上级党组织可以审核备案")
    waiting = filings_to_review(request.user).select_related(
        "period", "period__organisation", "submitted_by"
    )
    answered = (
        FilingReview.objects.filter(committee__in=committees)
        .exclude(state=FilingState.SUBMITTED)
        .select_related("period", "period__organisation", "decided_by")
        .order_by("-decided_at", "-id")[:30]
    )
    # Second instance: appeals a member asked this committee to review (申请复核).
    escalated = (
        appeals_to_handle(request.user)
        .filter(state=AppealState.ESCALATED)
        .select_related("member", "period", "branch")
    )
    return render(
        request,
        "web/filing_list.html",
        {"waiting": waiting, "answered": answered, "escalated": escalated},
    )


@login_required
@never_cache
def filing_review(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = (
        FilingReview.objects.filter(
            pk=filing_id, committee__in=organisations_for(request.user, Perm.AUDIT_FILING)
        )
        .select_related("period", "period__organisation", "committee", "submitted_by")
        .first()
    )
    if filing is None:
        raise Http404("没有该上报，或无权审核")
    action = post_action(request) if request.method == "POST" else ""
    send_back = ReasonForm(request.POST if action == "return" else None, prefix="return")
    if action == "accept":
        try:
            accept_filing(actor=request.user, filing=filing)
        except WorkflowRefused as error:
            messages.error(request, refusal_text(error))
            return redirect("filing_review", filing_id=filing.pk)
        else:
            period = filing.period
            messages.success(request, f"{period.organisation.name} {period.label} 已备案")
            return redirect("filing_list")
    elif action == "return" and send_back.is_valid():
        try:
            reason = send_back.cleaned_data["reason"]
            return_filing(actor=request.user, filing=filing, reason=reason)
        except WorkflowRefused as error:
            show_refusal(send_back, error)
        else:
            messages.success(request, "已退回，支部修改后可重新上报")
            return redirect("filing_list")
    record = PeriodRecord.objects.filter(period=filing.period).select_related("snapshot").first()
    results = []
    grades: list[tuple[str, int]] = []
    if record is not None and record.snapshot is not None:
        rows = snapshot_results(record.snapshot)
        results = list(rows.select_related("member"))
        grades = [
            (grade or "未定等次", n)
            for grade, n in rows.order_by().values_list("grade").annotate(n=Count("id"))
        ]
    return render(
        request,
        "web/filing_review.html",
        {
            "filing": filing,
            "record": record,
            "results": results,
            "grades": grades,
            "send_back": send_back,
            "decidable": filing.state == FilingState.SUBMITTED,
        },
    )
