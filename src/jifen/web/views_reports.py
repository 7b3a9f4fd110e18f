"""Report pages: an index of what the user may open, each report as a page, a print view
(A4) and an .xlsx download.

A report of an organisation needs VIEW_STATISTICS on it; a member card needs VIEW_MEMBER on
the member (a member may open their own). Anything else answers 404, so that Bob (branch B)
learns nothing of branch A. Pages read saved results and the ledger through
`jifen.reports` (a fixed number of queries, whatever the rows); the page shows the first
`PAGE_ROWS` rows of a table, the export streams them all.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jifen.core.audit import record
from jifen.members.models import Member
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, can, organisations_for
from jifen.reports import ledger
from jifen.reports.base import PAGE_ROWS, Report
from jifen.reports.catalogue import REPORTS
from jifen.reports.scope import OrgScope
from jifen.reports.xlsx import xlsx_response
from jifen.web.common import refusal_text

INDEX_ORGS = 200  # a district holds thousands of branches: the index lists the first ones


@login_required
@never_cache
def reports_index(request: HttpRequest) -> HttpResponse:
    organisations = list(
        organisations_for(request.user, Perm.VIEW_STATISTICS).order_by("code")[: INDEX_ORGS + 1]
    )
    member = Member.objects.filter(user_id=request.user.pk or 0).first()
    return render(
        request,
        "web/reports/index.html",
        {
            "organisations": organisations[:INDEX_ORGS],
            "more": len(organisations) > INDEX_ORGS,
            "reports": list(REPORTS.values()),
            "member": member,
        },
    )


def _render(
    request: HttpRequest,
    report: Report,
    target: Member | Organisation,
    context: dict[str, object],
    view: str | None = None,
) -> HttpResponseBase:
    """The page, its print view (`?as=print`) or the workbook (`?as=xlsx`)."""
    view = request.GET.get("as", "") if view is None else view
    if view == "xlsx":
        # An export carries personal data out of the system: who took what, and when.
        record(
            "report.export", actor=request.user, target=target,
            tenant_id=target.tenant_id or target.pk, summary=f"导出 {report.title}",
        )  # fmt: skip
        return xlsx_response(report)
    tables = []
    for table in report.tables:
        rows, more = table.page_rows(PAGE_ROWS)
        kinds = [column.kind for column in table.columns]
        tables.append(
            {
                "table": table,
                "header": table.header_rows(),
                "rows": rows,
                "cells": [list(zip(row, kinds, strict=True)) for row in rows],
                "more": more,
            }
        )
    query = request.GET.copy()
    query.pop("as", None)
    return render(
        request,
        "web/reports/report.html",
        {
            **context,
            "report": report,
            "tables": tables,
            "print": view == "print",
            "page_rows": PAGE_ROWS,
            "query": query.urlencode(),
        },
    )


@login_required
@never_cache
def report_card(request: HttpRequest, member_id: int) -> HttpResponseBase:
    member = get_object_or_404(Member.objects.select_related("branch"), pk=member_id)
    if not can(request.user, Perm.VIEW_MEMBER, member):
        raise Http404("没有找到该党员")
    report = ledger.member_card(member, user=request.user, today=timezone.localdate())
    return _render(request, report, member, {})


@login_required
@never_cache
def report_of_organisation(request: HttpRequest, org_id: int, slug: str) -> HttpResponseBase:
    spec = REPORTS.get(slug)
    if spec is None:
        raise Http404("没有这种报表")
    allowed = organisations_for(request.user, Perm.VIEW_STATISTICS)
    organisation: Organisation = get_object_or_404(allowed.select_related("tenant"), pk=org_id)
    scope = OrgScope(
        organisation, period=request.GET.get("period", "").strip() if spec.choice == "period"
        else "", user=request.user, today=timezone.localdate(),
    )  # fmt: skip
    context: dict[str, object] = {
        "organisation": organisation,
        "spec": spec,
        "choices": _choices(spec.choice, scope),
        "chosen": request.GET.get(spec.choice if spec.choice == "year" else "period", ""),
        "others": [s for s in REPORTS.values() if s.slug != slug],
    }
    if spec.choice == "period" and scope.period and scope.period not in scope.periods:
        context["refusal"] = f"期间 {scope.period} 没有已汇总的积分结果"
    try:
        report = spec.build(scope, request.GET)
    except ValidationError as error:
        # Bad input: the page says why, over the report's empty frame (never a download).
        context["refusal"] = refusal_text(error)
        report = spec.build(scope, QueryDict())
        for table in report.tables:
            table.rows = tuple
        return _render(request, report, organisation, context, view="")
    return _render(request, report, organisation, context)


def _choices(choice: str, scope: OrgScope) -> list[str]:
    if choice == "year":
        return [str(y) for y in ledger.talk_years(scope)]
    if choice == "span":
        return list(
            dict.fromkeys(
                ledger.Period.objects.filter(organisation_id__in=scope.subtree)
                .order_by("-starts_on")
                .values_list("label", flat=True)[:24]
            )
        )
    return scope.periods
