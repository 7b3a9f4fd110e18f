"""Exemptions (可不纳入积分管理): the scorekeeper requests one for a member of the branch,
the branch approves first, then the higher committee files it (备案).

Who sees what: a scorekeeper sees the exemptions of the branches they keep and decides at
branch level; the committee sees those of its subtree and decides at committee level,
only after the branch has agreed. Anything else answers 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from jifen.members.models import Exemption, ExemptionApproval, ExemptionState, Member
from jifen.members.services import decide_exemption, request_exemption
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, members_for, organisations_for
from jifen.web.common import post_action, refusal_text
from jifen.web.forms import DATE_ERRORS, REQUIRED

OPEN_STATES = (ExemptionState.REQUESTED, ExemptionState.BRANCH_APPROVED)
SESSION_TOKENS = "exemption_tokens"  # form token → the exemption it created


def _keeper_orgs(request: HttpRequest) -> QuerySet[Organisation]:
    return organisations_for(request.user, Perm.REQUEST_EXEMPTION)


def _approver_orgs(request: HttpRequest) -> QuerySet[Organisation]:
    return organisations_for(request.user, Perm.APPROVE_EXEMPTION)


def _visible(request: HttpRequest) -> QuerySet[Exemption]:
    return Exemption.objects.filter(
        Q(member__branch__in=_keeper_orgs(request))
        | Q(member__branch__parent__in=_approver_orgs(request))
    ).select_related("member", "member__branch", "requested_by")


@login_required
@never_cache
def exemption_list(request: HttpRequest) -> HttpResponse:
    keeper, approver = _keeper_orgs(request), _approver_orgs(request)
    if not keeper.exists() and not approver.exists():
        raise PermissionDenied("只有积分员和上级党组织可以处理不纳入积分管理的申请")
    related = ("member", "member__branch", "requested_by")
    at_branch = Exemption.objects.filter(
        state=ExemptionState.REQUESTED, member__branch__in=keeper
    ).select_related(*related)
    at_committee = Exemption.objects.filter(
        state=ExemptionState.BRANCH_APPROVED, member__branch__parent__in=approver
    ).select_related(*related)
    recent = _visible(request).order_by("-requested_at", "-id")[:50]
    return render(
        request,
        "web/committee/exemption_list.html",
        {
            "at_branch": at_branch,
            "at_committee": at_committee,
            "recent": recent,
            "may_request": keeper.exists(),
        },
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批意见", widget=forms.RadioSelect,
        choices=[("approve", "同意"), ("reject", "不同意")],
        error_messages={**REQUIRED, "invalid_choice": "请选择同意或不同意"},
    )  # fmt: skip
    note = forms.CharField(
        label="理由", required=False, max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}), help_text="不同意时必填",
        error_messages={"max_length": "最多 %(limit_value)d 字"},
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "不同意时请写明理由")
        return data


def _level(request: HttpRequest, exemption: Exemption) -> str | None:
    """Which approval the user may give now, or None (with the state saying why)."""
    branch = exemption.member.branch
    if exemption.state == ExemptionState.REQUESTED:
        mine = _keeper_orgs(request).filter(pk=branch.pk).exists()
        return ExemptionApproval.Level.BRANCH if mine else None
    if exemption.state == ExemptionState.BRANCH_APPROVED and branch.parent_id is not None:
        above = _approver_orgs(request).filter(pk=branch.parent_id).exists()
        return ExemptionApproval.Level.COMMITTEE if above else None
    return None


def _why_not(exemption: Exemption) -> str:
    if exemption.state == ExemptionState.REQUESTED:
        return "须先由支部审批同意，上级党组织才能备案"
    if exemption.state == ExemptionState.BRANCH_APPROVED:
        return "支部已同意，等待上级党组织备案"
    return f"该申请已办结（{exemption.get_state_display()}），不能再审批"


@login_required
@never_cache
def exemption_decide(request: HttpRequest, exemption_id: int) -> HttpResponse:
    exemption = _visible(request).filter(pk=exemption_id).first()
    if exemption is None:
        raise Http404("没有该申请，或无权查看")
    level = _level(request, exemption)
    form = DecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and post_action(request) == "decide":
        if level is None:
            form.is_valid()
            form.add_error(None, _why_not(exemption))
        elif form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                decide_exemption(
                    actor=request.user, exemption=exemption, level=level, approve=approve,
                    note=form.cleaned_data["note"].strip(),
                )  # fmt: skip
            except (ValidationError, PermissionDenied) as error:
                text = refusal_text(error) if isinstance(error, ValidationError) else str(error)
                form.add_error(None, text)
            else:
                messages.success(request, "已同意" if approve else "已不同意")
                return redirect("exemption_list")
    approvals = exemption.approvals.select_related("approver", "organisation").order_by("id")
    return render(
        request,
        "web/committee/exemption_decide.html",
        {
            "exemption": exemption,
            "approvals": approvals,
            "form": form,
            "level": level,
            "level_name": ExemptionApproval.Level(level).label if level else "",
            "why_not": _why_not(exemption),
        },
    )


class RequestForm(forms.Form):
    member = forms.TypedChoiceField(
        label="党员", coerce=int,
        error_messages={**REQUIRED, "invalid_choice": "请从本支部党员中选择"},
    )  # fmt: skip
    reason = forms.CharField(
        label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：年老体弱、长期患病、长期在外无法联系等",
        error_messages={**REQUIRED, "max_length": "原因最多 %(limit_value)d 字"},
    )  # fmt: skip
    starts_on = forms.DateField(
        label="起始日期", error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip
    ends_on = forms.DateField(
        label="截止日期", required=False, error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), help_text="可不填：长期",
    )  # fmt: skip
    token = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        **REQUIRED, "invalid": "表单已失效，请刷新页面后重新填写",
    })  # fmt: skip

    def __init__(self, *args: Any, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["member"]
        assert isinstance(choice, forms.TypedChoiceField)
        labels = [(m.pk, f"{m.name}（{m.branch.name}）") for m in members]
        choice.choices = [("", "请选择"), *labels]
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts: dt.date | None = data.get("starts_on")
        ends: dt.date | None = data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "截止日期不能早于起始日期")
        return data


@login_required
@never_cache
def exemption_request(request: HttpRequest) -> HttpResponse:
    if not _keeper_orgs(request).exists():
        raise PermissionDenied("只有支部积分员可以提出不纳入积分管理的申请")
    members = list(
        members_for(request.user, Perm.REQUEST_EXEMPTION)
        .select_related("branch")
        .order_by("branch__code", "name")
    )
    by_id = {m.pk: m for m in members}
    form = RequestForm(
        request.POST if request.method == "POST" else None,
        members=members,
        initial={"member": request.GET.get("member", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        used: dict[str, int] = request.session.get(SESSION_TOKENS, {})
        if str(data["token"]) in used:  # the same form sent again: nothing new
            messages.info(request, "该申请已提交")
            return redirect("exemption_decide", exemption_id=used[str(data["token"])])
        member = by_id[data["member"]]
        if Exemption.objects.filter(
            member=member, state__in=OPEN_STATES, starts_on=data["starts_on"]
        ).exists():
            form.add_error("member", "该党员已有同一起始日期、尚在审批中的申请")
        else:
            try:
                exemption = request_exemption(
                    actor=request.user, member=member, reason=data["reason"],
                    starts_on=data["starts_on"], ends_on=data["ends_on"],
                )  # fmt: skip
            except ValidationError as error:
                _put_errors(form, error)
            else:
                request.session[SESSION_TOKENS] = {**used, str(data["token"]): exemption.pk}
                messages.success(request, f"已提交 {member.name} 的申请，待支部审批")
                return redirect("exemption_list")
    return render(request, "web/committee/exemption_request.html", {"form": form})


def _put_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)
