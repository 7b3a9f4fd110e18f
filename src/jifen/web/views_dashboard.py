"""The dashboard of a subtree (统计看板): grade distribution, the trend of the average score
period by period, and the branches side by side — read from the saved snapshots.

Every number comes from set-based aggregates over `MemberResult` rows of the newest
snapshot of each (organisation, period): a fixed number of queries whatever the number of
branches or members. Point values stay integer hundredths until the division into a
Decimal; the charts receive them as strings (no float in Python).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from jifen.engine import parse_period
from jifen.engine.errors import EngineError
from jifen.orgs.permissions import Perm, organisations_for
from jifen.scoring.models import MemberResult, ResultSnapshot

TOP_GRADE = "优秀"
GRADE_ORDER = ("优秀", "良好", "合格", "较好", "一般", "基本合格", "较差", "不合格")
NO_GRADE = "未定等次"
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def average(total_hundredths: int | None, scored: int) -> Decimal | None:
    if not scored or total_hundredths is None:
        return None
    return (Decimal(total_hundredths) / scored / 100).quantize(CENT, ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal:
    return (Decimal(part * 100) / whole).quantize(TENTH, ROUND_HALF_UP) if whole else Decimal(0)


def _end(label: str) -> dt.date:
    try:
        return parse_period(label).end
    except EngineError:
        return dt.date.max


@dataclass(frozen=True)
class BranchRow:
    name: str
    members: int
    scored: int
    average: Decimal | None
    excellent: int
    excellent_pct: Decimal


def latest_snapshots(user: Any) -> dict[tuple[int, str], int]:
    """(organisation id, period) → the newest snapshot id in the user's subtrees (one query;
    a re-summary replaces an earlier snapshot of the same period)."""
    rows = (
        ResultSnapshot.objects.filter(
            organisation__in=organisations_for(user, Perm.VIEW_STATISTICS)
        )
        .order_by("created_at", "id")
        .values_list("pk", "organisation_id", "period")
    )
    return {(org, period): pk for pk, org, period in rows}


def _stats(snapshot_ids: list[int]) -> Any:
    return MemberResult.objects.filter(snapshot_id__in=snapshot_ids).order_by()


def grade_distribution(snapshot_ids: list[int]) -> list[tuple[str, int]]:
    counts = dict(_stats(snapshot_ids).values_list("grade").annotate(n=Count("id")))
    order = {name: i for i, name in enumerate(GRADE_ORDER)}
    names = sorted(counts, key=lambda g: (g == "", order.get(g, len(order)), g))
    return [(name or NO_GRADE, counts[name]) for name in names]


def trend(snapshot_ids: list[int]) -> list[tuple[str, Decimal | None, int]]:
    rows = (
        _stats(snapshot_ids)
        .values("snapshot__period")
        .annotate(total=Sum("total_hundredths"), scored=Count("total_hundredths"))
    )
    points = [(r["snapshot__period"], average(r["total"], r["scored"]), r["scored"]) for r in rows]
    return sorted(points, key=lambda p: (_end(p[0]), p[0]))


def branches(snapshot_ids: list[int]) -> list[BranchRow]:
    rows = (
        _stats(snapshot_ids)
        .values("branch_id", "branch__code", "branch__name")
        .annotate(
            members=Count("id"),
            scored=Count("total_hundredths"),
            total=Sum("total_hundredths"),
            excellent=Count("id", filter=Q(grade=TOP_GRADE)),
        )
        .order_by("branch__code")
    )
    return [
        BranchRow(
            r["branch__name"],
            r["members"],
            r["scored"],
            average(r["total"], r["scored"]),
            r["excellent"],
            share(r["excellent"], r["members"]),
        )  # fmt: skip
        for r in rows
    ]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@login_required
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    if not organisations_for(request.user, Perm.VIEW_STATISTICS).exists():
        raise PermissionDenied("只有上级党组织和积分员可以查看统计")
    latest = latest_snapshots(request.user)
    years = sorted({period[:4] for _, period in latest}, reverse=True)
    year = request.GET.get("year", "")
    year = year if year in years else (years[0] if years else "")
    in_year = {key: pk for key, pk in latest.items() if key[1].startswith(year)}
    labels = sorted({p for _, p in in_year}, key=lambda p: (_end(p), p))
    period = request.GET.get("period", "")
    period = period if period in labels else (labels[-1] if labels else "")
    chosen = [pk for (_, p), pk in in_year.items() if p == period]
    # The trend follows the periods within the year; a whole-year result is not a point.
    periodic = [pk for (_, p), pk in in_year.items() if len(p) > 4]
    grades = grade_distribution(chosen) if chosen else []
    line = trend(periodic) if periodic else []
    side = branches(chosen) if chosen else []
    chart = {
        "words": {
            "average": gettext("平均分"),
            "excellent": gettext("优秀占比(%)"),
            "people": gettext("人"),
        },
        "grades": [{"name": name, "value": n} for name, n in grades],
        "trend": {"labels": [p for p, _, _ in line], "values": [_text(a) for _, a, _ in line]},
        "branches": {
            "names": [b.name for b in side],
            "average": [_text(b.average) for b in side],
            "members": [b.members for b in side],
            "excellent_pct": [str(b.excellent_pct) for b in side],
        },
    }
    return render(
        request,
        "web/committee/dashboard.html",
        {
            "years": years, "year": year, "labels": labels, "period": period,
            "grades": grades, "trend": line, "branches": side, "chart": chart,
            "total": sum(n for _, n in grades),
        },
    )  # fmt: skip
