"""The year of a branch: open → evaluated → graded → filed.

Design overview
- Evaluate summarises the year (`scoring.services.summarise` over the branch for `YYYY`,
  which applies the scheme's annual rule to its periods) once the year has ended, and
  keeps the snapshot. Every later step reads that snapshot, never a recomputation.
- Grade fixes the grades and rankings (those of the snapshot) and fills the lists the
  results feed (`YearListEntry`), in the same transaction as the state change:
  - talk list (约谈/谈话): members with the scheme's lowest grade; for a scheme without
    grade bands (s004 style: 低于平均分的谈话), the members below the branch average;
  - award candidates (评优候选): the top grade, best ranked first, at most
    `award_quota_percent` of the ranked members (rounded down: a quota is a ceiling);
  - unqualified handling (不合格党员处置): graded 不合格, or a veto applied;
  - probationary conversion basis (预备党员转正依据): every probationary member's result.
  Members on the talk list are told (LOW_SCORE).
- File submits the graded year to the higher committee.
Each move is a compare-and-set of `YearEvaluation.state`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jifen.core.audit import record
from jifen.engine import load_scheme
from jifen.engine.scheme import LOWEST_WITHOUT_BANDS
from jifen.members.models import MemberStatus
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, has_org_perm, holders_of
from jifen.scoring.models import MemberResult
from jifen.scoring.scope import ScopeError, resolve_scope
from jifen.scoring.services import summarise
from jifen.workflow import events
from jifen.workflow.machine import WorkflowForbidden, WorkflowRefused, check, move
from jifen.workflow.models import YearEvaluation, YearListEntry
from jifen.workflow.notifications import notify, notify_each
from jifen.workflow.states import YEAR_FLOW, NotificationKind, YearListKind, YearState

AWARD_QUOTA_PERCENT = 20
WHAT = "年度评定"


def award_quota_percent() -> int:
    return int(getattr(settings, "JIFEN_AWARD_QUOTA_PERCENT", AWARD_QUOTA_PERCENT))


def _user(actor: Any) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _require(actor: Any, branch_id: int, doing: str) -> None:
    if actor is not None and not has_org_perm(actor, Perm.MANAGE_PERIOD, branch_id):
        raise WorkflowForbidden(f"无权限{doing}该支部的年度结果")


def evaluate_year(
    *, actor: Any, branch: Organisation, year: int, today: dt.date | None = None
) -> YearEvaluation:
    """open → evaluated: summarise the year once it has ended."""
    _require(actor, branch.pk, "评定")
    day = today or timezone.localdate()
    if day <= dt.date(year, 12, 31):
        raise WorkflowRefused(f"{year} 年度尚未结束，不能进行年度评定")
    evaluation, _ = YearEvaluation.objects.get_or_create(
        branch=branch, year=year, defaults={"tenant_id": branch.tenant_id, "state": YearState.OPEN}
    )
    check(YEAR_FLOW, YearState, what=WHAT, current=evaluation.state, to=YearState.EVALUATED)
    try:
        scope = resolve_scope(tenant=branch.tenant, organisation=branch, period=str(year))
    except ScopeError as error:
        raise WorkflowRefused(str(error)) from error
    with transaction.atomic():
        move(YearEvaluation, YearState, YEAR_FLOW, pk=evaluation.pk, to=YearState.EVALUATED,
             what=WHAT, evaluated_by=_user(actor), evaluated_at=timezone.now())  # fmt: skip
        snapshot = summarise(actor=actor, scope=scope).snapshot
        YearEvaluation.objects.filter(pk=evaluation.pk).update(snapshot=snapshot)
        record(
            events.YEAR_EVALUATE,
            actor=actor,
            target=evaluation,
            tenant_id=branch.tenant_id,
            summary=f"{branch.code} {year} 年度评定，{snapshot.member_count} 名党员",
            changes={"snapshot": snapshot.pk},
        )
    evaluation.refresh_from_db()
    return evaluation


def grade_year(
    *,
    actor: Any,
    evaluation: YearEvaluation,
    award_quota: int | None = None,
    talk_below_average: bool | None = None,
) -> YearEvaluation:
    """evaluated → graded: fix grades and rankings and fill the lists (module docstring).

    `talk_below_average` defaults to "the scheme has no grade bands"."""
    _require(actor, evaluation.branch_id, "定等")
    to = YearState.GRADED
    check(YEAR_FLOW, YearState, what=WHAT, current=evaluation.state, to=to)
    quota = award_quota_percent() if award_quota is None else award_quota
    if not 0 <= quota <= 100:
        raise WorkflowRefused(f"评优比例应在 0 至 100 之间，实际为 {quota}")
    if evaluation.snapshot is None:
        raise WorkflowRefused("该年度没有评定结果快照，请先评定")
    snapshot = evaluation.snapshot
    scheme = load_scheme(snapshot.scheme_code)
    below_average = (not scheme.grades) if talk_below_average is None else talk_below_average
    rows = list(
        MemberResult.objects.filter(snapshot=snapshot)
        .select_related("member")
        .order_by("rank", "member_id")
    )
    entries = _lists(evaluation, scheme.grades[0].name if scheme.grades else None,
                     scheme.lowest_grade, rows, quota, below_average)  # fmt: skip
    with transaction.atomic():
        move(YearEvaluation, YearState, YEAR_FLOW, pk=evaluation.pk, to=to, what=WHAT,
             graded_by=_user(actor), graded_at=timezone.now(),
             award_quota_percent=quota)  # fmt: skip
        YearListEntry.objects.bulk_create(entries)
        counts = {kind: sum(1 for e in entries if e.kind == kind) for kind in YearListKind.values}
        record(
            events.YEAR_GRADE,
            actor=actor,
            target=evaluation,
            tenant_id=evaluation.tenant_id,
            summary=f"{evaluation.year} 年度定等",
            changes={"lists": counts, "award_quota_percent": quota},
        )
        notify_each(
            messages={
                e.member.user_id: f"{evaluation.year} 年度积分：{e.reason}，支部将安排谈话"
                for e in entries
                if e.kind == YearListKind.TALK
            },
            kind=NotificationKind.LOW_SCORE,
            link=f"year:{evaluation.pk}",
            tenant_id=evaluation.tenant_id,
        )
    evaluation.refresh_from_db()
    return evaluation


def _points_text(hundredths: int | None) -> str:
    return "不计分" if hundredths is None else f"{Decimal(hundredths).scaleb(-2):.2f} 分"


def _lists(
    evaluation: YearEvaluation,
    top_grade: str | None,
    lowest_grade: str,
    rows: list[MemberResult],
    quota_percent: int,
    below_average: bool,
) -> list[YearListEntry]:
    def entry(kind: str, row: MemberResult, reason: str) -> YearListEntry:
        return YearListEntry(
            tenant_id=evaluation.tenant_id,
            evaluation=evaluation,
            kind=kind,
            member=row.member,
            reason=reason[:200],
        )

    entries: list[YearListEntry] = []
    scored = [row for row in rows if row.total_hundredths is not None]
    average = (
        Decimal(sum(row.total_hundredths or 0 for row in scored)) / len(scored) / 100
        if scored
        else None
    )
    for row in rows:
        total = _points_text(row.total_hundredths)
        if row.grade and row.grade == lowest_grade:
            entries.append(entry(YearListKind.TALK, row, f"年度等次为{row.grade}（{total}）"))
        elif (
            below_average
            and average is not None
            and row.total_hundredths is not None
            and Decimal(row.total_hundredths) / 100 < average
        ):
            entries.append(
                entry(YearListKind.TALK, row, f"年度得分 {total}，低于支部平均分 {average:.2f}")
            )
        if row.veto or row.grade == LOWEST_WITHOUT_BANDS:
            why = f"一票否决（{row.veto}）" if row.veto else f"年度等次为{row.grade}"
            entries.append(entry(YearListKind.UNQUALIFIED, row, why))
        if row.member.status == MemberStatus.PROBATIONARY:
            grade = f"，等次 {row.grade}" if row.grade else ""
            entries.append(entry(YearListKind.PROBATIONARY, row, f"年度得分 {total}{grade}"))
    ranked = [row for row in scored if row.rank is not None and not row.veto]
    quota = len(ranked) * quota_percent // 100
    candidates = [row for row in ranked if top_grade is None or row.grade == top_grade][:quota]
    for row in candidates:
        entries.append(
            entry(
                YearListKind.AWARD,
                row,
                f"年度第 {row.rank} 名，{_points_text(row.total_hundredths)}",
            )
        )
    return entries


def file_year(*, actor: Any, evaluation: YearEvaluation) -> YearEvaluation:
    """graded → filed: submit the year's results to the higher committee."""
    _require(actor, evaluation.branch_id, "上报")
    to = YearState.FILED
    check(YEAR_FLOW, YearState, what=WHAT, current=evaluation.state, to=to)
    branch = evaluation.branch
    with transaction.atomic():
        move(YearEvaluation, YearState, YEAR_FLOW, pk=evaluation.pk, to=to, what=WHAT,
             filed_by=_user(actor), filed_at=timezone.now())  # fmt: skip
        record(
            events.YEAR_FILE,
            actor=actor,
            target=evaluation,
            tenant_id=evaluation.tenant_id,
            summary=f"{branch.code} {evaluation.year} 年度结果上报",
        )
        if branch.parent_id is not None:
            notify(
                recipients=holders_of(Perm.AUDIT_FILING, branch.parent_id),
                kind=NotificationKind.FILING,
                message=f"{branch.name} {evaluation.year} 年度积分结果已上报",
                link=f"year:{evaluation.pk}",
                tenant_id=evaluation.tenant_id,
            )
    evaluation.refresh_from_db()
    return evaluation
