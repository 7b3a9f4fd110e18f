"""Year end (年终总评) and the printable publicity notice (公示).

- The notice is public like the board: anyone may read it once the period is publicised;
  before that, 404. It reads the saved snapshot as plain values (never an ID or a phone).
- The year pages belong to the scorekeeper of a branch (MANAGE_PERIOD), who evaluates,
  records the democratic appraisal, grades, decides the handling of unqualified members
  and files; the committee over the branch (AUDIT_FILING) reads them. Anybody else gets
  404: a branch's year is not disclosed. The services check permission and state again.
- Every list reads the year's snapshot and its `YearListEntry` rows in a fixed number of
  queries, whatever the number of members.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jifen.engine.errors import EngineError
from jifen.engine.scheme import LOWEST_WITHOUT_BANDS, Scheme
from jifen.ledger.models import LOCKED_STATES, Period
from jifen.members.models import Member, MemberStatus
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, organisations_for
from jifen.schemes.registry import scheme_numbered
from jifen.scoring.models import MemberResult, from_hundredths
from jifen.scoring.selectors import snapshot_results
from jifen.web.common import member_of, post_action, refusal_text, show_refusal
from jifen.workflow.items import scheme_of
from jifen.workflow.machine import WorkflowRefused
from jifen.workflow.models import (
    AppraisalRating,
    Handling,
    YearAppraisal,
    YearEvaluation,
    YearListEntry,
)
from jifen.workflow.selectors import member_years, published_record
from jifen.workflow.states import YearListKind, YearState
from jifen.workflow.years import (
    APPRAISAL_STATES,
    HANDLING_STATES,
    AppraisalInput,
    AppraisalMode,
    appraisal_mode,
    award_quota_percent,
    conversion_advice,
    decide_handling,
    evaluate_year,
    file_year,
    grade_year,
    record_appraisal,
)

# --- dates and labels in Chinese ---------------------------------------------------------------

NUMERALS = "〇一二三四五六七八九十"


def chinese_date(day: dt.date | None) -> str:
    """2025年7月1日: the style of an official notice."""
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


def period_words(period: Period) -> str:
    """A period as a notice names it: 2025年第一季度, 2025年7月, 2025年上半年, 2025年度."""
    start, end = period.starts_on, period.ends_on
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if start.day != 1 or start.year != end.year:
        return period.label
    if months == 12:
        return f"{start.year}年度"
    if months == 6:
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    if months == 3 and start.month % 3 == 1:
        return f"{start.year}年第{NUMERALS[(start.month + 2) // 3]}季度"
    if months == 1:
        return f"{start.year}年{start.month}月"
    return period.label


# --- the printable notice (public) -------------------------------------------------------------


def publicity_notice(request: HttpRequest, period_id: int) -> HttpResponse:
    record, snapshot = published_record(period_id)
    # Plain values only: nothing else of a member can reach the notice.
    rows = [
        {**row, "total": from_hundredths(row["total_hundredths"])}
        for row in snapshot_results(snapshot).values(
            "member__name", "total_hundredths", "grade", "rank"
        )
    ]
    period = record.period
    issued_on = record.publicity_starts_on or snapshot.created_at.date()
    return render(
        request,
        "web/yearend/notice.html",
        {
            "record": record,
            "period": period,
            "branch": period.organisation,
            "words": period_words(period),
            "rows": rows,
            "starts": chinese_date(record.publicity_starts_on),
            "ends": chinese_date(record.publicity_ends_on),
            "issued": chinese_date(issued_on),
            "open": period.state == "publicised",
        },
    )


# --- who may see a branch's year ---------------------------------------------------------------


@dataclass
class YearPage:
    branch: Organisation
    year: int
    manage: bool  # the scorekeeper acts; the committee only reads
    evaluation: YearEvaluation

    @property
    def exists(self) -> bool:
        return self.evaluation.pk is not None


def _year_page(request: HttpRequest, branch_id: int, year: int) -> YearPage:
    if not 2000 <= year <= 2100:
        raise Http404("年度无效")
    branch = (
        Organisation.objects.filter(pk=branch_id, kind="branch").select_related("parent").first()
    )
    if branch is None:
        raise Http404("没有该支部")
    managed = organisations_for(request.user, Perm.MANAGE_PERIOD).filter(pk=branch_id).exists()
    if not managed and not (
        organisations_for(request.user, Perm.AUDIT_FILING).filter(pk=branch_id).exists()
    ):
        raise Http404("没有该支部，或无权查看其年度评定")
    evaluation = (
        YearEvaluation.objects.filter(branch=branch, year=year).select_related("snapshot").first()
    )
    if evaluation is None:  # not yet started: shown as open, saved by the first action
        evaluation = YearEvaluation(
            tenant_id=branch.tenant_id, branch=branch, year=year, state=YearState.OPEN
        )
    return YearPage(branch, year, managed, evaluation)


def _refuse_readers(page: YearPage) -> None:
    if not page.manage:
        raise PermissionDenied("上级党组织只能查看支部的年度评定")


def _scheme(branch: Organisation) -> Scheme | None:
    try:
        return scheme_of(branch)
    except WorkflowRefused:
        return None


def _snapshot_scheme(evaluation: YearEvaluation, branch: Organisation) -> Scheme | None:
    if evaluation.snapshot is not None:
        try:
            snapshot = evaluation.snapshot
            return scheme_numbered(
                snapshot.scheme_code, snapshot.scheme_version, tenant_id=snapshot.tenant_id
            )
        except EngineError:
            return None
    return _scheme(branch)


# --- the index and the overview ----------------------------------------------------------------


@login_required
@never_cache
def year_index(request: HttpRequest) -> HttpResponse:
    """The branches whose year the user runs or reads, with each year's state."""
    managed = organisations_for(request.user, Perm.MANAGE_PERIOD).filter(kind="branch")
    audited = organisations_for(request.user, Perm.AUDIT_FILING).filter(kind="branch")
    branches = list((managed | audited).distinct().order_by("code")[:200])
    if not branches:
        raise PermissionDenied("只有积分员和上级党组织可以查看年度评定")
    years = list(YearEvaluation.objects.filter(branch__in=branches).order_by("branch_id", "-year"))
    by_branch: dict[int, list[YearEvaluation]] = {}
    for evaluation in years:
        by_branch.setdefault(evaluation.branch_id, []).append(evaluation)
    last_year = timezone.localdate().year - 1
    rows = [{"branch": b, "years": by_branch.get(b.pk, [])} for b in branches]
    return render(request, "web/yearend/index.html", {"rows": rows, "last_year": last_year})


class GradeForm(forms.Form):
    award_quota = forms.IntegerField(
        label="评优比例（%）",
        min_value=0,
        max_value=100,
        error_messages={
            "required": "请填写评优比例",
            "invalid": "评优比例应为 0 至 100 的整数",
            "min_value": "评优比例不能小于 0",
            "max_value": "评优比例不能大于 100",
        },
        help_text="评优候选人数不超过参与排名人数乘以该比例（向下取整）",
    )


@login_required
@never_cache
def year_overview(request: HttpRequest, branch_id: int, year: int) -> HttpResponse:
    page = _year_page(request, branch_id, year)
    action = post_action(request) if request.method == "POST" else ""
    grade = GradeForm(
        request.POST if action == "grade" else None,
        initial={"award_quota": award_quota_percent()},
    )
    if request.method == "POST":
        _refuse_readers(page)
        if action != "grade" or grade.is_valid():
            done = _year_action(request, page, action, grade)
            if done is not None:
                messages.success(request, done)
            return redirect("year_overview", branch_id=branch_id, year=year)
    return _overview_page(request, page, grade)


def _year_action(request: HttpRequest, page: YearPage, action: str, grade: GradeForm) -> str | None:
    """Run the pressed step; a refusal is shown above the buttons, in Chinese."""
    try:
        if action == "evaluate":
            evaluate_year(actor=request.user, branch=page.branch, year=page.year)
            return f"{page.year} 年度已评定，年度结果快照已保存"
        if action == "grade":
            grade_year(
                actor=request.user,
                evaluation=page.evaluation,
                award_quota=grade.cleaned_data["award_quota"],
            )
            return f"{page.year} 年度已定等次，各名单已生成"
        if action == "file":
            file_year(actor=request.user, evaluation=page.evaluation)
            return f"{page.year} 年度结果已上报上级党组织"
    except WorkflowRefused as error:
        messages.error(request, refusal_text(error))
        return None
    messages.error(request, "未知的操作")
    return None


def _overview_page(request: HttpRequest, page: YearPage, grade: GradeForm) -> HttpResponse:
    evaluation = page.evaluation
    scheme = _snapshot_scheme(evaluation, page.branch)
    mode = appraisal_mode(scheme) if scheme is not None else None
    list_counts: dict[str, int] = {}
    appraised = 0
    if page.exists:
        for kind in YearListEntry.objects.filter(evaluation=evaluation).values_list(
            "kind", flat=True
        ):
            list_counts[kind] = list_counts.get(kind, 0) + 1
        appraised = YearAppraisal.objects.filter(evaluation=evaluation).count()
    lists = [
        {"kind": kind, "label": label, "count": list_counts.get(kind, 0)}
        for kind, label in YearListKind.choices
    ]
    return render(
        request,
        "web/yearend/overview.html",
        {
            "page": page,
            "evaluation": evaluation,
            "scheme": scheme,
            "mode": mode,
            "appraised": appraised,
            "members": Member.objects.filter(branch=page.branch).count(),
            "lists": lists,
            "grade": grade,
            "can_appraise": page.manage and evaluation.state in APPRAISAL_STATES,
        },
    )


# --- democratic appraisal ----------------------------------------------------------------------

POINTS_ERRORS = {
    "invalid": "请输入数字分值，如 85 或 92.5",
    "max_decimal_places": "分值最多保留两位小数",
    "max_digits": "分值位数过多",
    "max_whole_digits": "分值位数过多",
    "min_value": "分值不能小于 0",
    "max_value": "分值不能大于 %(limit_value)s",
}


class AppraisalForm(forms.Form):
    """One row per member: a rating and, where the scheme scores it, the points."""

    occurred_on = forms.DateField(
        label="评议日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写评议日期", "invalid": "请输入正确的日期，如 2025-12-20"},
    )
    form_key = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        "required": "表单已失效，请刷新页面", "invalid": "表单已失效，请刷新页面",
    })  # fmt: skip

    def __init__(self, *args: Any, members: list[Member], mode: AppraisalMode, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.members = members
        self.initial.setdefault("form_key", uuid.uuid4())
        ratings = [("", "（未评议）"), *AppraisalRating.choices]
        for member in members:
            self.fields[f"rating_{member.pk}"] = forms.ChoiceField(
                label=f"{member.name} 评议结果", choices=ratings, required=False,
                error_messages={"invalid_choice": "请从列表中选择评议结果"},
            )  # fmt: skip
            if mode.score_item is not None:
                top = mode.score_item.max or Decimal(100)
                self.fields[f"points_{member.pk}"] = forms.DecimalField(
                    label=f"{member.name} 评议得分", required=False, min_value=Decimal(0),
                    max_value=top, max_digits=6, decimal_places=2, error_messages=POINTS_ERRORS,
                    widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": str(top)}),
                )  # fmt: skip

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "member": m,
                "rating": self[f"rating_{m.pk}"],
                "points": self[f"points_{m.pk}"] if f"points_{m.pk}" in self.fields else None,
            }
            for m in self.members
        ]

    def inputs(self) -> list[AppraisalInput]:
        data = self.cleaned_data
        return [
            AppraisalInput(
                member_id=m.pk,
                rating=data.get(f"rating_{m.pk}") or "",
                points=data.get(f"points_{m.pk}"),
            )
            for m in self.members
        ]


def _default_appraisal_day(branch: Organisation, year: int) -> dt.date:
    """The last day of the year outside the branch's archived periods (and not after today)."""
    day = min(dt.date(year, 12, 31), timezone.localdate())
    locked = list(
        Period.objects.filter(
            organisation=branch, state__in=LOCKED_STATES,
            starts_on__lte=day, ends_on__gte=dt.date(year, 1, 1),
        ).values_list("starts_on", "ends_on")
    )  # fmt: skip
    for start, end in sorted(locked, key=lambda se: se[1], reverse=True):
        if start <= day <= end:
            day = start - dt.timedelta(days=1)
    return day if day.year == year else dt.date(year, 12, 31)


@login_required
@never_cache
def year_appraisal(request: HttpRequest, branch_id: int, year: int) -> HttpResponse:
    page = _year_page(request, branch_id, year)
    scheme = _scheme(page.branch)
    if scheme is None:
        raise Http404("该支部未设置积分办法")
    mode = appraisal_mode(scheme)
    members = list(Member.objects.filter(branch=page.branch).order_by("id"))
    existing = (
        {a.member_id: a for a in YearAppraisal.objects.filter(evaluation=page.evaluation)}
        if page.exists
        else {}
    )
    initial: dict[str, Any] = {"occurred_on": _default_appraisal_day(page.branch, year)}
    for pk, a in existing.items():
        initial[f"rating_{pk}"] = a.rating
        initial[f"points_{pk}"] = a.points
    data = request.POST if request.method == "POST" else None
    form = AppraisalForm(data, initial=initial, members=members, mode=mode)
    if request.method == "POST":
        _refuse_readers(page)
        if form.is_valid():
            try:
                _, changed = record_appraisal(
                    actor=request.user, branch=page.branch, year=year, results=form.inputs(),
                    occurred_on=form.cleaned_data["occurred_on"],
                    form_key=form.cleaned_data["form_key"],
                )  # fmt: skip
            except WorkflowRefused as error:
                show_refusal(form, error)
            else:
                messages.success(request, f"民主评议结果已保存（{changed} 名党员有变化）")
                return redirect("year_overview", branch_id=branch_id, year=year)
    return render(
        request,
        "web/yearend/appraisal.html",
        {
            "page": page,
            "scheme": scheme,
            "mode": mode,
            "form": form,
            "editable": page.manage and page.evaluation.state in APPRAISAL_STATES,
        },
    )


# --- results and lists -------------------------------------------------------------------------


def _snapshot_or_404(page: YearPage) -> Any:
    snapshot = page.evaluation.snapshot
    if snapshot is None:
        raise Http404("该年度尚未评定，没有年度结果")
    return snapshot


@login_required
@never_cache
def year_results(request: HttpRequest, branch_id: int, year: int) -> HttpResponse:
    """Grades and rankings of the year, from the year's snapshot; printable."""
    page = _year_page(request, branch_id, year)
    snapshot = _snapshot_or_404(page)
    results = list(snapshot_results(snapshot).select_related("member"))
    appraisals = {a.member_id: a for a in YearAppraisal.objects.filter(evaluation=page.evaluation)}
    scheme = _snapshot_scheme(page.evaluation, page.branch)
    vetoes = {i.code: i.name for i in scheme.items if i.veto} if scheme is not None else {}
    for row in results:
        row.appraisal = appraisals.get(row.member_id)  # type: ignore[attr-defined]
        row.veto_name = vetoes.get(row.veto, row.veto)  # type: ignore[attr-defined]
    return render(
        request,
        "web/yearend/results.html",
        {
            "page": page,
            "snapshot": snapshot,
            "results": results,
            "grades": _grade_counts(results),
            "categories": any(r.category for r in results),
        },
    )


def _grade_counts(results: list[MemberResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in results:
        counts[row.grade or "—"] = counts.get(row.grade or "—", 0) + 1
    return counts


LIST_TEMPLATES: dict[str, str] = {
    YearListKind.TALK: "web/yearend/list_talk.html",
    YearListKind.AWARD: "web/yearend/list_award.html",
    YearListKind.UNQUALIFIED: "web/yearend/list_unqualified.html",
    YearListKind.PROBATIONARY: "web/yearend/list_probationary.html",
}


class HandlingForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    handling = forms.ChoiceField(
        label="处置方式",
        choices=[("", "请选择"), *Handling.choices],
        error_messages={"required": "请选择处置方式", "invalid_choice": "请选择处置方式"},
    )
    helper = forms.CharField(
        label="帮教人", max_length=50, required=False,
        error_messages={"max_length": "帮教人最多 50 字"}, help_text="限期改正须指定专人帮教",
    )  # fmt: skip
    note = forms.CharField(
        label="处置说明", max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}), error_messages={"max_length": "最多 500 字"},
    )  # fmt: skip


@login_required
@never_cache
def year_list(request: HttpRequest, branch_id: int, year: int, kind: str) -> HttpResponse:
    if kind not in LIST_TEMPLATES:
        raise Http404("没有该名单")
    page = _year_page(request, branch_id, year)
    if not page.exists or page.evaluation.state in APPRAISAL_STATES:
        raise Http404("该年度尚未定等次，名单尚未生成")
    snapshot = _snapshot_or_404(page)
    entries = list(
        YearListEntry.objects.filter(evaluation=page.evaluation, kind=kind)
        .select_related("member", "handled_by")
        .order_by("id")
    )
    failed: HandlingForm | None = None
    if request.method == "POST":
        _refuse_readers(page)
        failed = _handle(request, page, entries)
        if failed is None:
            return redirect("year_list", branch_id=branch_id, year=year, kind=kind)
    scheme = _snapshot_scheme(page.evaluation, page.branch)
    lowest = scheme.lowest_grade if scheme is not None else LOWEST_WITHOUT_BANDS
    results = {
        r.member_id: r
        for r in MemberResult.objects.filter(
            snapshot=snapshot, member_id__in=[e.member_id for e in entries]
        )
    }
    for entry in entries:
        result = results.get(entry.member_id)
        entry.result = result  # type: ignore[attr-defined]
        entry.advice = conversion_advice(result, lowest)  # type: ignore[attr-defined]
        entry.form = (  # type: ignore[attr-defined]
            failed
            if failed is not None and failed.data.get("entry") == str(entry.pk)
            else HandlingForm(
                initial={
                    "entry": entry.pk,
                    "handling": entry.handling,
                    "helper": entry.handling_helper,
                    "note": entry.handling_note,
                },
                auto_id=f"id_{entry.pk}_%s",
            )  # fmt: skip
        )
    context: dict[str, Any] = {
        "page": page,
        "kind": kind,
        "title": YearListKind(kind).label,
        "entries": entries,
        "snapshot": snapshot,
        "decidable": page.manage and page.evaluation.state in HANDLING_STATES,
    }
    if kind == YearListKind.AWARD:
        context.update(_award_context(page, snapshot, scheme, entries))
    return render(request, LIST_TEMPLATES[kind], context)


def _handle(
    request: HttpRequest, page: YearPage, entries: list[YearListEntry]
) -> HandlingForm | None:
    """Record one handling decision; the bound form back when it was refused."""
    form = HandlingForm(request.POST, auto_id=f"id_{request.POST.get('entry', '')}_%s")
    by_pk = {e.pk: e for e in entries if e.kind == YearListKind.UNQUALIFIED}
    if not form.is_valid():
        return form
    entry = by_pk.get(form.cleaned_data["entry"])
    if entry is None:
        raise Http404("名单上没有该党员")
    try:
        decide_handling(
            actor=request.user, entry=entry, handling=form.cleaned_data["handling"],
            helper=form.cleaned_data["helper"], note=form.cleaned_data["note"],
        )  # fmt: skip
    except WorkflowRefused as error:
        show_refusal(form, error)
        return form
    messages.success(request, f"已记录对 {entry.member.name} 的处置决定")
    return None


def _award_context(
    page: YearPage, snapshot: Any, scheme: Scheme | None, entries: list[YearListEntry]
) -> dict[str, Any]:
    """Who is in and who is not, and why: the quota as the service applied it."""
    ranked = list(
        snapshot_results(snapshot)
        .filter(rank__isnull=False, total_hundredths__isnull=False, veto="")
        .select_related("member")
    )
    quota_percent = page.evaluation.award_quota_percent or 0
    places = len(ranked) * quota_percent // 100
    top = scheme.grades[0].name if scheme is not None and scheme.grades else None
    chosen = {e.member_id for e in entries}
    last_total = min(
        (r.total_hundredths for r in ranked if r.member_id in chosen and r.total_hundredths),
        default=None,
    )
    left_out = []
    for row in ranked:
        if row.member_id in chosen or (top is not None and row.grade != top):
            continue
        tied = last_total is not None and row.total_hundredths == last_total
        row.why = (  # type: ignore[attr-defined]
            "与最后一名入选者同分，名额已满（同分按登记先后取舍）" if tied else "名额已满"
        )
        left_out.append(row)
    return {
        "ranked_count": len(ranked),
        "quota_percent": quota_percent,
        "places": places,
        "top_grade": top,
        "left_out": left_out,
    }


# --- the member's own year (optional page) -----------------------------------------------------


@login_required
@never_cache
def my_year(request: HttpRequest) -> HttpResponse:
    """The signed-in member's graded years: score, grade, rank and the lists they are on."""
    member = member_of(request)
    rows = [
        {"year": y.evaluation, "result": y.result, "lists": y.lists} for y in member_years(member)
    ]
    return render(
        request,
        "web/yearend/my_year.html",
        {
            "member": member,
            "rows": rows,
            "probationary": member.status == MemberStatus.PROBATIONARY,
        },
    )
