"""Reads of the workflow: work lists scoped by the permission module, windows, notices.

Every list goes through `jifen.orgs.permissions` (`organisations_for`, `roles_with`), so
nobody sees work outside the subtrees they hold a role on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from jifen.ledger.models import Period, PeriodState
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, organisations_for
from jifen.scoring.models import MemberResult, ResultSnapshot
from jifen.workflow.models import (
    Appeal,
    Declaration,
    FilingReview,
    Notification,
    PeriodRecord,
    YearEvaluation,
    YearListEntry,
)
from jifen.workflow.states import (
    AppealState,
    DeclarationState,
    FilingState,
    YearListKind,
    YearState,
)


def unread_for(user: Any) -> QuerySet[Notification]:
    """The user's unread notifications, newest first."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by(
        "-created_at", "-id"
    )


def declarations_to_review(user: Any) -> QuerySet[Declaration]:
    return Declaration.objects.filter(
        branch__in=organisations_for(user, Perm.REVIEW_DECLARATION),
        state__in=[DeclarationState.SUBMITTED, DeclarationState.APPRAISED],
    ).order_by("submitted_at", "id")


def declarations_to_appraise(user: Any) -> QuerySet[Declaration]:
    return Declaration.objects.filter(
        branch__in=organisations_for(user, Perm.APPRAISE), state=DeclarationState.SUBMITTED
    ).order_by("submitted_at", "id")


def declarations_of(user: Any) -> QuerySet[Declaration]:
    """The declarations of the member the user is."""
    if user is None or not user.is_authenticated:
        return Declaration.objects.none()
    return Declaration.objects.filter(member__user=user)


def appeals_to_handle(user: Any) -> QuerySet[Appeal]:
    """First instance for the scorekeepers; escalated ones for the committee above."""
    first = Appeal.objects.filter(
        branch__in=organisations_for(user, Perm.RECORD_ENTRY),
        state__in=[AppealState.FILED, AppealState.INVESTIGATING],
    )
    second = Appeal.objects.filter(
        branch__parent__in=organisations_for(user, Perm.AUDIT_FILING),
        state=AppealState.ESCALATED,
    )
    return (first | second).order_by("filed_at", "id")


def filings_to_review(user: Any) -> QuerySet[FilingReview]:
    return FilingReview.objects.filter(
        committee__in=organisations_for(user, Perm.AUDIT_FILING), state=FilingState.SUBMITTED
    ).order_by("submitted_at", "id")


def period_record(period: Period) -> PeriodRecord | None:
    return PeriodRecord.objects.filter(period=period).first()


def appeal_window_open(period: Period, *, today: dt.date) -> bool:
    """Whether members may appeal: the period is publicised and today is in its window."""
    if period.state != PeriodState.PUBLICISED:
        return False
    record = period_record(period)
    return bool(
        record is not None
        and record.publicity_starts_on is not None
        and record.publicity_ends_on is not None
        and record.publicity_starts_on <= today <= record.publicity_ends_on
    )


def latest_filing(period: Period) -> FilingReview | None:
    return FilingReview.objects.filter(period=period).order_by("-submitted_at", "-id").first()


def year_evaluation(branch: Organisation, year: int) -> YearEvaluation | None:
    return YearEvaluation.objects.filter(branch=branch, year=year).first()


def year_list(evaluation: YearEvaluation, kind: str) -> QuerySet[YearListEntry]:
    return YearListEntry.objects.filter(evaluation=evaluation, kind=kind).order_by("id")


@dataclass(frozen=True)
class MemberYear:
    """One graded year of a member: the evaluation, the member's saved result (None when
    the snapshot has no row for them) and the names of the year's lists they are on."""

    evaluation: YearEvaluation
    result: MemberResult | None
    lists: list[str]


def member_years(member: Any, *, most: int = 10) -> list[MemberYear]:
    """The member's branch's graded or filed years, newest first, read from their
    snapshots in three queries (the member page and the API)."""
    years = list(
        YearEvaluation.objects.filter(
            branch_id=member.branch_id,
            state__in=(YearState.GRADED, YearState.FILED),
            snapshot__isnull=False,
        ).order_by("-year")[:most]
    )
    results = {
        r.snapshot_id: r
        for r in MemberResult.objects.filter(
            member=member, snapshot_id__in=[y.snapshot_id for y in years]
        )
    }
    on_lists: dict[int, list[str]] = {}
    for evaluation_id, kind in YearListEntry.objects.filter(
        member=member, evaluation__in=years
    ).values_list("evaluation_id", "kind"):
        on_lists.setdefault(evaluation_id, []).append(str(YearListKind(kind).label))
    return [MemberYear(y, results.get(y.snapshot_id), on_lists.get(y.pk, [])) for y in years]


PUBLISHED = (PeriodState.PUBLICISED, PeriodState.ARCHIVED, PeriodState.FILED)
"""Period states whose saved results are public (公示 and after)."""


def published_record(period_id: int) -> tuple[PeriodRecord, ResultSnapshot]:
    """The period's record and its snapshot, once its results are public; otherwise 404
    (the board, the printable notice and the API's board all answer the same)."""
    record = (
        PeriodRecord.objects.filter(
            period_id=period_id, period__state__in=PUBLISHED, snapshot__isnull=False
        )
        .select_related("period", "period__organisation", "snapshot")
        .first()
    )
    if record is None or record.snapshot is None:
        raise Http404("该期间的积分结果尚未公示")
    return record, record.snapshot
