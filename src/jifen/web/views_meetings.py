"""Meetings with attendance (三会一课, 主题党日, 组织生活会) and attestations (群众证实).

Meetings of other branches answer 404 (their existence is not disclosed). The public
attestation page needs no login: the token is the permission, and the page shows only the
act, the member's name and the branch.
"""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from jifen.meetings import attestations
from jifen.meetings.forms import AnswerForm, InPersonForm, LinkForm, MeetingForm, read_sheet
from jifen.meetings.models import Attendance, AttendanceStatus, Attestation, Meeting
from jifen.meetings.selectors import (
    attestable_declaration,
    attestations_of,
    meeting_entries,
    meetings_for,
)
from jifen.meetings.services import (
    create_meeting,
    meeting_rules,
    post_attendance,
    prescribed,
    save_attendance,
    sheet_members,
    standing_entries,
)
from jifen.orgs.permissions import Perm, has_org_perm, organisations_for
from jifen.orgs.services import effective_scheme_code
from jifen.web.common import item_names, post_action, refusal_text, show_refusal
from jifen.web.views_entries import chosen_branch
from jifen.workflow.items import scheme_of
from jifen.workflow.machine import WorkflowRefused
from jifen.workflow.models import Declaration

# --- meetings ----------------------------------------------------------------------------------


@login_required
@never_cache
def meeting_list(request: HttpRequest) -> HttpResponse:
    _, branches = chosen_branch(request)  # 403 for users who keep no branch
    meetings = list(meetings_for(request.user).order_by("-held_on", "-id")[:200])
    return render(
        request, "web/meetings/meeting_list.html", {"meetings": meetings, "branches": branches}
    )


@login_required
@never_cache
def meeting_create(request: HttpRequest) -> HttpResponse:
    branch, branches = chosen_branch(request)
    today = timezone.localdate()
    form = MeetingForm(request.POST if request.method == "POST" else None, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = create_meeting(
                actor=request.user, branch=branch, kind=data["kind"], held_on=data["held_on"],
                title=data["title"], notes=data["notes"],
                idempotency_key=data["idempotency_key"], today=today,
            )  # fmt: skip
        except WorkflowRefused as error:
            show_refusal(form, error)
        else:
            messages.success(request, "会议已登记，请填写考勤")
            return redirect("meeting_attendance", meeting_id=meeting.pk)
    return render(
        request,
        "web/meetings/meeting_form.html",
        {"form": form, "branch": branch, "branches": branches},
    )


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.filter(
            pk=meeting_id, branch__in=organisations_for(request.user, Perm.RECORD_ENTRY)
        )
        .select_related("branch")
        .first()
    )
    if meeting is None:
        raise Http404("没有该会议，或无权管理")
    return meeting


def _rules(meeting: Meeting) -> list[tuple[str, str, str]]:
    """(status label, item name, points) the scheme's configuration gives this meeting."""
    rules = meeting_rules(meeting)
    return [
        (str(AttendanceStatus(status).label), item.name, f"{item.fixed_points:+}")
        for status, item in rules.items()
    ]


@login_required
@never_cache
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    if request.method == "POST" and post_action(request) == "post":
        try:
            done = post_attendance(actor=request.user, meeting=meeting, today=timezone.localdate())
        except WorkflowRefused as error:
            messages.error(request, refusal_text(error))
        else:
            if done.nothing:
                messages.info(request, "积分已与考勤一致，无需重复登记")
            else:
                messages.success(
                    request, f"已登记 {done.posted} 条积分" + (
                        f"，冲正 {done.reversed} 条" if done.reversed else ""
                    ),
                )  # fmt: skip
        return redirect("meeting_detail", meeting_id=meeting.pk)
    entries = list(meeting_entries(meeting))
    scheme_code = effective_scheme_code(meeting.branch)
    names = item_names([scheme_code])
    for entry in entries:
        entry.item_name = names.get((scheme_code, entry.item_code), entry.item_code)  # type: ignore[attr-defined]
    wanted = prescribed(meeting)
    standing = {m: (e.item_code, e.points) for m, e in standing_entries(meeting).items()}
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for status in Attendance.objects.filter(meeting=meeting).values_list("status", flat=True):
        counts[status] += 1
    return render(
        request,
        "web/meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "entries": entries,
            "rules": _rules(meeting),
            "counts": counts,
            "recorded": sum(counts.values()),
            "out_of_date": wanted != standing,
        },
    )


@login_required
@never_cache
def meeting_attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    members = list(sheet_members(meeting).values_list("pk", "name"))
    saved = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    problems: list[str] = []
    if request.method == "POST":
        statuses, problems = read_sheet(request.POST, [pk for pk, _ in members])
        if not problems:
            try:
                changed = save_attendance(actor=request.user, meeting=meeting, statuses=statuses)
                if post_action(request) == "save_and_post":
                    done = post_attendance(
                        actor=request.user, meeting=meeting, today=timezone.localdate()
                    )
                    messages.success(
                        request, f"考勤已保存；积分新记 {done.posted} 条，冲正 {done.reversed} 条"
                    )
                else:
                    messages.success(request, f"考勤已保存（变动 {changed} 人）")
            except WorkflowRefused as error:
                problems = [refusal_text(error)]
            else:
                return redirect("meeting_detail", meeting_id=meeting.pk)
        saved = statuses  # keep what was chosen
    rows = [(pk, name, saved.get(pk, AttendanceStatus.PRESENT)) for pk, name in members]
    return render(
        request,
        "web/meetings/attendance.html",
        {
            "meeting": meeting,
            "rows": rows,
            "statuses": AttendanceStatus.choices,
            "problems": problems,
            "rules": _rules(meeting),
        },
        status=400 if problems else 200,
    )


# --- attestations ------------------------------------------------------------------------------


def _declaration(request: HttpRequest, declaration_id: int) -> Declaration:
    return attestable_declaration(request.user, declaration_id)


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG, made here (no outside service sees the token)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=4, xmldecl=False, svgns=True, title="证实链接二维码"
    )
    return buffer.getvalue().decode()


@login_required
@never_cache
def attestation_request(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = _declaration(request, declaration_id)
    keeper = has_org_perm(request.user, Perm.REVIEW_DECLARATION, declaration.branch_id)
    today = timezone.localdate()
    action = post_action(request) if request.method == "POST" else ""
    data = request.POST if request.method == "POST" else None
    link_form = LinkForm(data if action == "link" else None, prefix="link")
    in_person = InPersonForm(data if action == "in_person" else None, prefix="person", today=today)
    issued_url = issued_qr = None
    repeated = False
    if action == "link" and link_form.is_valid():
        try:
            issued = attestations.issue_link(
                actor=request.user, declaration=declaration,
                idempotency_key=link_form.cleaned_data["idempotency_key"],
                days=link_form.cleaned_data["days"],
            )  # fmt: skip
        except WorkflowRefused as error:
            show_refusal(link_form, error)
        else:
            if issued.token is None:
                repeated = True
            else:
                # Shown once, in this answer only: the database keeps the hash.
                issued_url = request.build_absolute_uri(reverse("attest", args=[issued.token]))
                issued_qr = mark_safe(qr_svg(issued_url))  # noqa: S308  # segno's own SVG
            link_form = LinkForm(prefix="link")  # a fresh token for the next link
    if action == "in_person" and keeper and in_person.is_valid():
        data_ = in_person.cleaned_data
        try:
            attestations.record_in_person(
                actor=request.user, declaration=declaration, name=data_["name"],
                attested_on=data_["attested_on"], result=data_["result"],
                phone_tail=data_["phone_tail"], comment=data_["comment"],
                idempotency_key=data_["idempotency_key"], today=today,
            )  # fmt: skip
        except WorkflowRefused as error:
            show_refusal(in_person, error)
        else:
            messages.success(request, "当面证实已登记")
            return redirect("attestation_request", declaration_id=declaration.pk)
    try:
        item = scheme_of(declaration.branch).item(declaration.item_code)
    except WorkflowRefused:
        item = None
    return render(
        request,
        "web/meetings/attestation_request.html",
        {
            "declaration": declaration,
            "item": item,
            "keeper": keeper,
            "pending": declaration.state in attestations.PENDING,
            "attestations": list(attestations_of(declaration)),
            "now": timezone.now(),
            "request_url": "",
            "link_form": link_form,
            "in_person": in_person,
            "issued_url": issued_url,
            "issued_qr": issued_qr,
            "repeated": repeated,
        },
    )


def _usable(token: str) -> Attestation:
    attestation = attestations.find(token)
    if attestation is None:
        raise Http404("链接无效")
    return attestation


@never_cache
@csrf_protect
def attest(request: HttpRequest, token: str) -> HttpResponse:
    """The public's page: the act, the member's name and branch; 属实 or 不属实, once."""
    attestation = _usable(token)
    declaration = attestation.declaration
    closed = attestations.refusal(attestation)
    form = AnswerForm(request.POST if request.method == "POST" and not closed else None)
    if form.is_bound and form.is_valid():
        try:
            attestations.answer(
                attestation=attestation, result=form.cleaned_data["result"],
                name=form.cleaned_data["name"], phone_tail=form.cleaned_data["phone_tail"],
                comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except WorkflowRefused as error:
            closed = refusal_text(error)
        else:
            return render(request, "web/meetings/attest_done.html", {"attestation": attestation})
    try:
        item_name = scheme_of(declaration.branch).item(declaration.item_code)
    except WorkflowRefused:
        item_name = None
    return render(
        request,
        "web/meetings/attest.html",
        {
            "declaration": declaration,
            "member_name": declaration.member.name,
            "branch_name": declaration.branch.name,
            "item": item_name,
            "form": form,
            "closed": closed,
        },
        status=410 if closed else 200,
    )


@never_cache
def attest_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The link's QR code as an SVG file (to print or share), while the link is usable."""
    attestation = _usable(token)
    if attestations.refusal(attestation) is not None:
        raise Http404("链接已失效")
    url = request.build_absolute_uri(reverse("attest", args=[token]))
    response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
