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

Democratic appraisal (民主评议) is recorded while the year is open or evaluated
(`record_appraisal`), one row per member (`YearAppraisal`). Where the scheme counts it —
an annual-only assessed item (s000b's 0.7 × daily + 0.3 × appraisal) or a rating worth
points (s001's 基本合格 −6) — the appraisal is a ledger entry; a changed appraisal adds the
reversal of the old entry and the new entry in one batch. Recorded after evaluation, it
summarises the year again, so grading reads a snapshot that includes it.
The branch's decision on each unqualified member (限期改正/劝其退党/除名) is kept on the
list row (`decide_handling`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jifen.core.audit import record
from jifen.engine.scheme import LOWEST_WITHOUT_BANDS, Item, Scheme
from jifen.ledger.models import LedgerEntry, Source
from jifen.ledger.points import BadPoints, to_hundredths
from jifen.ledger.services import EntryDraft, LedgerRefused, post_entries
from jifen.members.models import Member, MemberStatus
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, has_org_perm, holders_of
from jifen.schemes.registry import scheme_numbered
from jifen.scoring.models import MemberResult
from jifen.scoring.scope import ScopeError, resolve_scope
from jifen.scoring.services import summarise
from jifen.workflow import events
from jifen.workflow.items import scheme_of
from jifen.workflow.machine import WorkflowForbidden, WorkflowRefused, check, label, message, move
from jifen.workflow.models import (
    AppraisalRating,
    Handling,
    YearAppraisal,
    YearEvaluation,
    YearListEntry,
)
from jifen.workflow.notifications import notify, notify_each
from jifen.workflow.states import YEAR_FLOW, NotificationKind, YearListKind, YearState

AWARD_QUOTA_PERCENT = 20
WHAT = "年度评定"
NAMESPACE = uuid.UUID("3c8e1f0a-7b2d-5c4e-9f6a-2d1e0b3c4a5f")  # fixed forever
YEAR_APPRAISAL = "year.appraisal"  # democratic appraisal recorded (民主评议)
YEAR_HANDLING = "year.handling"  # decision on an unqualified member (处置)


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
    # The scheme version the snapshot was evaluated under (a refinement, or the preset).
    scheme = scheme_numbered(
        snapshot.scheme_code, snapshot.scheme_version, tenant_id=snapshot.tenant_id
    )
    below_average = (not scheme.grades) if talk_below_average is None else talk_below_average
    rows = list(
        MemberResult.objects.filter(snapshot=snapshot)
        .select_related("member")
        .order_by("rank", "member_id")
    )
    entries = _lists(evaluation, scheme.grades[0].name if scheme.grades else None,
                     scheme.lowest_grade, rows, quota, below_average,
                     veto_names={i.code: i.name for i in scheme.items if i.veto})  # fmt: skip
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
    veto_names: dict[str, str] | None = None,
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
            veto = (veto_names or {}).get(row.veto, row.veto)
            why = f"一票否决（{veto}）" if row.veto else f"年度等次为{row.grade}"
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


# --- democratic appraisal (民主评议) --------------------------------------------------------------

# Items a rating brings into the score (s001: 民主评议确定为基本合格, −6).
RATING_ITEMS: dict[str, str] = {"appraisal_basic": AppraisalRating.BASIC}
APPRAISAL_STATES = (YearState.OPEN, YearState.EVALUATED)


@dataclass(frozen=True)
class AppraisalMode:
    """How a scheme takes the appraisal: as a score (an annual-only assessed item), or as
    a rating, some ratings worth an item's points; otherwise the rating is only kept."""

    score_item: Item | None
    rating_items: dict[str, Item] = field(default_factory=dict)

    @property
    def counts(self) -> bool:
        return self.score_item is not None or bool(self.rating_items)


def appraisal_mode(scheme: Scheme) -> AppraisalMode:
    score = next((i for i in scheme.items if i.annual_only and i.kind == "assessed"), None)
    ratings = {RATING_ITEMS[i.code]: i for i in scheme.items if i.code in RATING_ITEMS}
    return AppraisalMode(score, {} if score is not None else ratings)


@dataclass(frozen=True)
class AppraisalInput:
    member_id: int
    rating: str = ""
    points: Decimal | None = None


def year_evaluation_for(branch: Organisation, year: int) -> YearEvaluation:
    evaluation, _ = YearEvaluation.objects.get_or_create(
        branch=branch, year=year, defaults={"tenant_id": branch.tenant_id, "state": YearState.OPEN}
    )
    return evaluation


def _checked_points(mode: AppraisalMode, name: str, value: AppraisalInput) -> int | None:
    if value.rating and value.rating not in AppraisalRating.values:
        raise WorkflowRefused(f"{name} 的评议结果“{value.rating}”无效")
    if value.points is None:
        return None
    item = mode.score_item
    if item is None:
        raise WorkflowRefused(f"本支部的积分办法不以分数计入民主评议，{name} 不应填写评议得分")
    try:
        hundredths = to_hundredths(value.points)
    except BadPoints as error:
        raise WorkflowRefused(f"{name} 的评议得分：{error}") from error
    top = item.max if item.max is not None else Decimal(100)
    if not 0 <= value.points <= top:
        raise WorkflowRefused(f"{name} 的评议得分应在 0 至 {top} 之间，实际为 {value.points}")
    return hundredths


def _entry_points(
    mode: AppraisalMode, rating: str, hundredths: int | None
) -> tuple[Item, int] | None:
    """The item and points (hundredths) the appraisal puts into the ledger, if any."""
    if mode.score_item is not None:
        return None if hundredths is None else (mode.score_item, hundredths)
    item = mode.rating_items.get(rating)
    if item is None or item.points is None:
        return None
    return item, to_hundredths(item.points)


def record_appraisal(
    *,
    actor: Any,
    branch: Organisation,
    year: int,
    results: Sequence[AppraisalInput],
    occurred_on: dt.date,
    form_key: uuid.UUID,
    today: dt.date | None = None,
) -> tuple[YearEvaluation, int]:
    """Record the year's appraisal of the branch's members; returns (year, members changed).

    Members whose appraisal is unchanged are left alone, so a form sent twice writes once;
    an emptied row clears the member's appraisal (its entry is reversed)."""
    _require(actor, branch.pk, "记录民主评议")
    mode = appraisal_mode(scheme_of(branch))
    day = today or timezone.localdate()
    if occurred_on.year != year or occurred_on > day:
        raise WorkflowRefused(f"评议日期 {occurred_on} 应在 {year} 年内，且不晚于今天")
    members = dict(
        Member.objects.filter(branch=branch, pk__in=[r.member_id for r in results]).values_list(
            "pk", "name"
        )
    )
    wanted: dict[int, tuple[str, int | None]] = {}
    for value in results:
        if value.member_id not in members:
            raise WorkflowRefused(f"党员 {value.member_id} 不属于{branch.name}")
        name = members[value.member_id]
        wanted[value.member_id] = (value.rating, _checked_points(mode, name, value))
    with transaction.atomic():
        # The year's row lock serialises concurrent presses: the second sees the first's rows.
        evaluation = year_evaluation_for(branch, year)
        evaluation = YearEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        if evaluation.state not in APPRAISAL_STATES:
            raise WorkflowRefused(
                f"{WHAT}当前为“{label(YearState, evaluation.state)}”，不能再修改民主评议结果"
            )
        existing = {
            a.member_id: a
            for a in YearAppraisal.objects.filter(evaluation=evaluation).select_related("entry")
        }
        drafts, changed, dropped = _appraisal_drafts(
            mode, branch, wanted, existing, occurred_on, form_key
        )
        if not changed:
            return evaluation, 0
        if drafts:
            uids = [d.uid for d in drafts]
            if LedgerEntry.objects.filter(uid__in=uids).exists():
                raise WorkflowRefused("该表单已经提交过，请刷新页面后再修改")
            try:
                post_entries(actor=actor, tenant_id=branch.tenant_id, drafts=drafts,
                             summary=f"{branch.code} {year} 年度民主评议")  # fmt: skip
            except LedgerRefused as error:
                raise WorkflowRefused(message(error)) from error
            except IntegrityError as error:  # the old entry was reversed meanwhile
                raise WorkflowRefused("评议涉及的台账记录已被更改，请刷新页面后重试") from error
        posted = dict(
            LedgerEntry.objects.filter(
                uid__in=[d.uid for d in drafts if d.reverses_id is None]
            ).values_list("member_id", "pk")
        )
        _save_appraisals(actor, evaluation, wanted, existing, changed, posted, dropped)
        snapshot_id = None
        if drafts and evaluation.state == YearState.EVALUATED:
            snapshot_id = _summarise_again(actor, evaluation)
        record(
            YEAR_APPRAISAL,
            actor=actor,
            target=evaluation,
            tenant_id=branch.tenant_id,
            summary=f"{branch.code} {year} 年度民主评议，{len(changed)} 名党员",
            changes={
                "members": {
                    str(pk): {"rating": wanted[pk][0], "points_hundredths": wanted[pk][1]}
                    for pk in changed
                },
                "entries": len(drafts),
                "snapshot": snapshot_id,
            },
        )
    evaluation.refresh_from_db()
    return evaluation, len(changed)


def _appraisal_drafts(
    mode: AppraisalMode,
    branch: Organisation,
    wanted: dict[int, tuple[str, int | None]],
    existing: dict[int, YearAppraisal],
    occurred_on: dt.date,
    form_key: uuid.UUID,
) -> tuple[list[EntryDraft], list[int], set[int]]:
    """The ledger drafts (reversals of replaced entries, new entries), who changed, and
    whose entry is reversed without a new one (e.g. 基本合格 → 合格)."""
    drafts: list[EntryDraft] = []
    changed: list[int] = []
    dropped: set[int] = set()
    for member_id, (rating, hundredths) in sorted(wanted.items()):
        old = existing.get(member_id)
        if old is not None and (old.rating, old.points_hundredths) == (rating, hundredths):
            continue
        if old is None and not rating and hundredths is None:
            continue
        changed.append(member_id)
        new = _entry_points(mode, rating, hundredths)
        old_entry = old.entry if old is not None else None
        if _same_entry(new, old_entry):
            continue  # the same points under another rating: the entry stays
        if old_entry is not None:
            drafts.append(
                EntryDraft(
                    member_id=member_id,
                    organisation_id=old_entry.organisation_id,
                    item_code=old_entry.item_code,
                    points=-old_entry.points,
                    quantity=old_entry.quantity,
                    occurred_on=occurred_on,
                    honor_key=old_entry.honor_key,
                    note="民主评议结果更改",
                    source=Source.CORRECTION,
                    uid=uuid.uuid5(NAMESPACE, f"{form_key}:reverse:{member_id}"),
                    reverses_id=old_entry.pk,
                    reverses_uid=old_entry.uid,
                )
            )
            if new is None:
                dropped.add(member_id)
        if new is not None:
            item, points = new
            drafts.append(
                EntryDraft(
                    member_id=member_id,
                    organisation_id=branch.pk,
                    item_code=item.code,
                    points=Decimal(points).scaleb(-2),
                    occurred_on=occurred_on,
                    note=f"民主评议：{AppraisalRating(rating).label if rating else '评议得分'}",
                    uid=uuid.uuid5(NAMESPACE, f"{form_key}:entry:{member_id}"),
                )
            )
    return drafts, changed, dropped


def _same_entry(new: tuple[Item, int] | None, old: LedgerEntry | None) -> bool:
    return (
        new is not None
        and old is not None
        and (new[0].code, new[1]) == (old.item_code, old.points_hundredths)
    )


def _save_appraisals(
    actor: Any,
    evaluation: YearEvaluation,
    wanted: dict[int, tuple[str, int | None]],
    existing: dict[int, YearAppraisal],
    changed: list[int],
    posted: dict[int, int],
    dropped: set[int],
) -> None:
    cleared = [pk for pk in changed if not wanted[pk][0] and wanted[pk][1] is None]
    YearAppraisal.objects.filter(evaluation=evaluation, member_id__in=cleared).delete()
    now, user = timezone.now(), _user(actor)
    create: list[YearAppraisal] = []
    update: list[YearAppraisal] = []
    for pk in changed:
        if pk in cleared:
            continue
        rating, hundredths = wanted[pk]
        row = existing.get(pk) or YearAppraisal(
            tenant_id=evaluation.tenant_id, evaluation=evaluation, member_id=pk
        )
        row.rating, row.points_hundredths = rating, hundredths
        row.recorded_by, row.recorded_at = user, now
        if pk in posted:
            row.entry_id = posted[pk]
        elif pk in dropped:
            row.entry_id = None
        (update if row.pk else create).append(row)
    YearAppraisal.objects.bulk_create(create)
    YearAppraisal.objects.bulk_update(
        update, ["rating", "points_hundredths", "entry", "recorded_by", "recorded_at"]
    )


def _summarise_again(actor: Any, evaluation: YearEvaluation) -> int:
    """The evaluated year summarised again, now with the appraisal; the new snapshot."""
    branch = evaluation.branch
    try:
        scope = resolve_scope(
            tenant=branch.tenant, organisation=branch, period=str(evaluation.year)
        )
    except ScopeError as error:
        raise WorkflowRefused(str(error)) from error
    snapshot = summarise(actor=actor, scope=scope).snapshot
    YearEvaluation.objects.filter(pk=evaluation.pk).update(snapshot=snapshot)
    return snapshot.pk


# --- unqualified handling and probationary conversion -------------------------------------------

HANDLING_STATES = (YearState.GRADED, YearState.FILED)


def decide_handling(
    *, actor: Any, entry: YearListEntry, handling: str, helper: str = "", note: str = ""
) -> YearListEntry:
    """Record the branch's decision for a member on the unqualified list."""
    evaluation = entry.evaluation
    _require(actor, evaluation.branch_id, "处置")
    if entry.kind != YearListKind.UNQUALIFIED:
        raise WorkflowRefused("只有不合格党员处置名单上的党员需要作出处置决定")
    if evaluation.state not in HANDLING_STATES:
        raise WorkflowRefused(
            f"{WHAT}当前为“{label(YearState, evaluation.state)}”，定等次后才能处置"
        )
    if handling not in Handling.values:
        raise WorkflowRefused("请选择处置方式：限期改正、劝其退党或除名")
    helper, note = helper.strip(), note.strip()
    if handling == Handling.CORRECT and not helper:
        raise WorkflowRefused("限期改正须指定帮教人（专人做好教育转化工作）")
    if len(helper) > 50 or len(note) > 500:
        raise WorkflowRefused("帮教人最多 50 字，处置说明最多 500 字")
    before = {
        "handling": entry.handling,
        "helper": entry.handling_helper,
        "note": entry.handling_note,
    }
    with transaction.atomic():
        YearListEntry.objects.filter(pk=entry.pk).update(
            handling=handling, handling_helper=helper, handling_note=note,
            handled_by=_user(actor), handled_at=timezone.now(),
        )  # fmt: skip
        record(
            YEAR_HANDLING,
            actor=actor,
            target=entry,
            tenant_id=entry.tenant_id,
            summary=f"{evaluation.year} 年度不合格党员处置：{Handling(handling).label}",
            changes={
                "before": before,
                "after": {"handling": handling, "helper": helper, "note": note},
            },
        )
    entry.refresh_from_db()
    return entry


def conversion_advice(result: MemberResult | None, lowest_grade: str) -> str:
    """The recommendation line of the probationary conversion report (预备党员转正依据)."""
    if result is None:
        return "无年度积分结果，请支部核实后讨论"
    if (
        result.veto
        or result.total_hundredths is None
        or result.grade in (lowest_grade, LOWEST_WITHOUT_BANDS)
    ):
        return "年度积分评定不合格，建议支部大会讨论延长预备期或取消预备党员资格"
    return "年度积分评定合格，可作为按期转正的依据，提交支部大会讨论"
