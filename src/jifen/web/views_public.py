"""The publicity board (公示栏): a branch's published results, readable without login.

Only periods that were publicised (or later archived and filed) are shown, read from the
saved snapshot. The rows are read as plain values — name, score, grade, rank — so that
no ID number or phone can reach the page.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jifen.ledger.models import Period
from jifen.orgs.models import Organisation
from jifen.scoring.models import from_hundredths
from jifen.scoring.selectors import snapshot_results
from jifen.workflow.selectors import PUBLISHED, published_record


def publicity_board(request: HttpRequest, period_id: int) -> HttpResponse:
    record, snapshot = published_record(period_id)
    rows: list[dict[str, Any]] = [
        {**row, "total": from_hundredths(row["total_hundredths"])}
        for row in snapshot_results(snapshot).values(
            "member__name", "total_hundredths", "grade", "rank", "category", "category_rank"
        )
    ]
    return render(
        request,
        "web/publicity_board.html",
        {"record": record, "period": record.period, "rows": rows},
    )


def branch_boards(request: HttpRequest, branch_id: int) -> HttpResponse:
    """The published periods of a branch, newest first: the way to its boards."""
    branch = Organisation.objects.filter(pk=branch_id).first()
    if branch is None:
        raise Http404("没有该组织")
    periods = (
        Period.objects.filter(
            organisation=branch, state__in=PUBLISHED, workflow__snapshot__isnull=False
        )
        .select_related("workflow")
        .order_by("-starts_on")
    )
    return render(request, "web/branch_boards.html", {"branch": branch, "periods": periods})
