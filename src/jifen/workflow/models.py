"""Declarations, appeals, the period and year flows, and notifications.

Design overview — each invariant and where it is enforced:
- States move only along the tables of `states.py`, and only by a compare-and-set in a
  service (`machine.move`): concurrent presses change a state once.
- One declaration per form: `Declaration.idempotency_key` and `Appeal.idempotency_key` are
  unique (a database constraint); a resubmitted form returns the first row.
- An approved declaration has exactly one ledger entry: the entry's `uid` is derived from
  the declaration (`declarations.entry_uid`) and unique in the ledger, and
  `Declaration.ledger_entry` is one-to-one (a database constraint).
- A period has at most one filing that is pending or accepted (a partial unique
  constraint); a returned filing stays as history and the branch files again.
- A year is evaluated once per branch (unique branch + year); a member is on each of its
  lists at most once (unique evaluation + kind + member) and has at most one democratic
  appraisal per year (unique evaluation + member).
- Points are integer hundredths, as in the ledger (SQLite keeps decimals as floats).
- Evidence files are named by a random UUID under `evidence/%Y/%m/`, never by the
  uploaded name; their type is read from the bytes (`evidence.py`).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from jifen.ledger.models import LedgerEntry, Period
from jifen.ledger.points import from_hundredths
from jifen.members.models import Member
from jifen.orgs.models import Organisation
from jifen.scoring.models import ResultSnapshot
from jifen.workflow.states import (
    AppealState,
    DeclarationState,
    FilingState,
    NotificationKind,
    YearListKind,
    YearState,
)

USER = settings.AUTH_USER_MODEL


def _points(hundredths: int | None) -> Decimal | None:
    return None if hundredths is None else from_hundredths(hundredths)


def _user(verbose_name: str) -> Any:
    return models.ForeignKey(
        USER,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )


class Declaration(models.Model):
    """A member's declaration of an act (申报), with its evidence and its review."""

    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="declarations"
    )
    branch = models.ForeignKey(
        Organisation, verbose_name="支部", on_delete=models.PROTECT, related_name="declarations"
    )
    scheme_code = models.CharField("积分办法", max_length=64)
    item_code = models.CharField("积分项目", max_length=64)
    occurred_on = models.DateField("发生日期")
    description = models.TextField("事由")
    requested_points_hundredths = models.BigIntegerField("申报分值(百分之一分)", null=True)
    points_hundredths = models.BigIntegerField("核定分值(百分之一分)", null=True)
    quantity = models.PositiveIntegerField("次数", default=1)
    honor_key = models.CharField("荣誉标识", max_length=64, blank=True)
    idempotency_key = models.UUIDField("表单标识", unique=True)
    state = models.CharField(
        "状态", max_length=16, choices=DeclarationState.choices, default=DeclarationState.DRAFT
    )
    created_by = _user("填报人")
    created_at = models.DateTimeField("填报时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    appraised_by = _user("评议人")
    appraised_at = models.DateTimeField("评议时间", null=True, blank=True)
    appraisal = models.TextField("评议意见", blank=True)
    decided_by = _user("审核人")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_reason = models.TextField("审核意见", blank=True)
    ledger_entry = models.OneToOneField(
        LedgerEntry,
        verbose_name="台账记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declaration",
    )

    class Meta:
        verbose_name = "积分申报"
        verbose_name_plural = "积分申报"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="declaration_qty_1")
        ]
        indexes = [
            models.Index(fields=["tenant", "branch", "state"], name="declaration_branch_state"),
            models.Index(fields=["tenant", "member", "created_at"], name="declaration_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.item_code} {self.occurred_on}"

    @property
    def requested_points(self) -> Decimal | None:
        return _points(self.requested_points_hundredths)

    @property
    def points(self) -> Decimal | None:
        return _points(self.points_hundredths)


ALLOWED_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}


def evidence_path(instance: Evidence, filename: str) -> str:
    """`evidence/YYYY/MM/<uuid><ext>`: the uploaded name never reaches the file system."""
    ext = ALLOWED_EXTENSIONS.get(instance.content_type, PurePosixPath(filename).suffix)
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Evidence(models.Model):
    """A file supporting a declaration (photo, scan); written by `attach_evidence` only."""

    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    declaration = models.ForeignKey(
        Declaration, verbose_name="申报", on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小(字节)")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = _user("上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["declaration_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class PeriodRecord(models.Model):
    """The workflow's side of a ledger period: its snapshot, its publicity, its reminders.

    The period's state and lock stay on `ledger.Period` (moved by `advance_period`)."""

    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    period = models.OneToOneField(
        Period, verbose_name="期间", on_delete=models.PROTECT, related_name="workflow"
    )
    snapshot = models.ForeignKey(
        ResultSnapshot,
        verbose_name="结果快照",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summarised_by = _user("汇总人")
    summarised_at = models.DateTimeField("汇总时间", null=True, blank=True)
    publicity_starts_on = models.DateField("公示开始", null=True, blank=True)
    publicity_ends_on = models.DateField("公示结束(含)", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    due_notified = models.BooleanField("已提醒汇总", default=False)
    window_closing_notified = models.BooleanField("已提醒公示今天结束", default=False)
    window_closed_notified = models.BooleanField("已通知公示结束", default=False)

    class Meta:
        verbose_name = "期间流程"
        verbose_name_plural = "期间流程"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publicity_ends_on__gte=models.F("publicity_starts_on"))
                | models.Q(publicity_starts_on__isnull=True),
                name="publicity_dates",
            )
        ]

    def __str__(self) -> str:
        return str(self.period_id)


class FilingReview(models.Model):
    """A period's report filed with the higher committee (上报备案), and its answer."""

    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(
        Period, verbose_name="期间", on_delete=models.PROTECT, related_name="filings"
    )
    committee = models.ForeignKey(
        Organisation, verbose_name="上级组织", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        "状态", max_length=16, choices=FilingState.choices, default=FilingState.SUBMITTED
    )
    submitted_by = _user("上报人")
    submitted_at = models.DateTimeField("上报时间", auto_now_add=True)
    decided_by = _user("审核人")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    reason = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "上报备案"
        verbose_name_plural = "上报备案"
        ordering = ["period_id", "-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(state__in=[FilingState.SUBMITTED, FilingState.ACCEPTED]),
                name="one_live_filing_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.state}"


class Appeal(models.Model):
    """A member's appeal against their published result (申辩/异议)."""

    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="appeals"
    )
    branch = models.ForeignKey(
        Organisation, verbose_name="支部", on_delete=models.PROTECT, related_name="appeals"
    )
    period = models.ForeignKey(
        Period, verbose_name="期间", on_delete=models.PROTECT, related_name="appeals"
    )
    entry = models.ForeignKey(
        LedgerEntry,
        verbose_name="涉及的记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    reason = models.TextField("申辩理由")
    idempotency_key = models.UUIDField("表单标识", unique=True)
    state = models.CharField(
        "状态", max_length=16, choices=AppealState.choices, default=AppealState.FILED
    )
    filed_by = _user("提出人")
    filed_at = models.DateTimeField("提出时间", auto_now_add=True)
    investigated_by = _user("核查人")
    investigated_at = models.DateTimeField("核查开始", null=True, blank=True)
    decided_by = _user("处理人")
    decided_on = models.DateField("处理日期", null=True, blank=True)
    decision_reason = models.TextField("处理意见", blank=True)
    escalated_at = models.DateTimeField("申请复核时间", null=True, blank=True)
    escalation_reason = models.TextField("复核理由", blank=True)
    reviewed_by = _user("复核人")
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    review_reason = models.TextField("复核意见", blank=True)
    reversal = models.OneToOneField(
        LedgerEntry,
        verbose_name="冲正记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    correction = models.OneToOneField(
        LedgerEntry,
        verbose_name="更正记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "申辩"
        verbose_name_plural = "申辩"
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["tenant", "period", "state"], name="appeal_period_state")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.period_id} {self.state}"


class YearEvaluation(models.Model):
    """A branch's year (年度评定): its snapshot, grades, rankings and lists."""

    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(
        Organisation, verbose_name="支部", on_delete=models.PROTECT, related_name="years"
    )
    year = models.PositiveSmallIntegerField("年度")
    state = models.CharField("状态", max_length=16, choices=YearState.choices)
    snapshot = models.ForeignKey(
        ResultSnapshot,
        verbose_name="年度结果快照",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    award_quota_percent = models.PositiveSmallIntegerField("评优比例(%)", null=True, blank=True)
    evaluated_by = _user("评定人")
    evaluated_at = models.DateTimeField("评定时间", null=True, blank=True)
    graded_by = _user("定等人")
    graded_at = models.DateTimeField("定等时间", null=True, blank=True)
    filed_by = _user("上报人")
    filed_at = models.DateTimeField("上报时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度评定"
        verbose_name_plural = "年度评定"
        ordering = ["branch_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="one_year_per_branch")
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.year}"


class Handling(models.TextChoices):
    """How a branch handles a member found unqualified (处置不合格党员)."""

    CORRECT = "correct", "限期改正"  # a deadline to improve, with a named helper (帮教)
    PERSUADE = "persuade", "劝其退党"  # 劝退
    REMOVE = "remove", "除名"


class AppraisalRating(models.TextChoices):
    """The outcome of the democratic appraisal of members (民主评议党员)."""

    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class YearAppraisal(models.Model):
    """A member's democratic appraisal for a year, as the branch last recorded it.

    Where the scheme scores the appraisal (an annual-only assessed item, s000b) or turns a
    rating into points (s001's 基本合格), `entry` is the ledger entry that carries it; a
    changed appraisal reverses that entry and posts a new one (`years.record_appraisal`)."""

    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    evaluation = models.ForeignKey(
        YearEvaluation, verbose_name="年度评定", on_delete=models.PROTECT, related_name="appraisals"
    )
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="appraisals"
    )
    rating = models.CharField(
        "评议结果", max_length=16, choices=AppraisalRating.choices, blank=True, default=""
    )
    points_hundredths = models.BigIntegerField("评议得分(百分之一分)", null=True, blank=True)
    entry = models.ForeignKey(
        LedgerEntry,
        verbose_name="台账记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = _user("记录人")
    recorded_at = models.DateTimeField("记录时间", auto_now=True)

    class Meta:
        verbose_name = "民主评议结果"
        verbose_name_plural = "民主评议结果"
        ordering = ["evaluation_id", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "member"], name="year_appraisal_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.rating or self.points_hundredths}"

    @property
    def points(self) -> Decimal | None:
        return _points(self.points_hundredths)


class YearListEntry(models.Model):
    """A member on one of the lists a year's results feed, with the reason."""

    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    evaluation = models.ForeignKey(
        YearEvaluation, verbose_name="年度评定", on_delete=models.PROTECT, related_name="lists"
    )
    kind = models.CharField("名单", max_length=16, choices=YearListKind.choices)
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="year_lists"
    )
    reason = models.CharField("原因", max_length=200)
    # The branch's decision for a member on the unqualified list (不合格党员处置).
    handling = models.CharField(
        "处置方式", max_length=16, choices=Handling.choices, blank=True, default=""
    )
    handling_helper = models.CharField("帮教人", max_length=50, blank=True, default="")
    handling_note = models.CharField("处置说明", max_length=500, blank=True, default="")
    handled_by = _user("处置决定人")
    handled_at = models.DateTimeField("处置决定时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度名单"
        verbose_name_plural = "年度名单"
        ordering = ["evaluation_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "kind", "member"], name="year_list_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.member_id}"


class Notification(models.Model):
    """A message to one user, written in the transaction of what it tells."""

    tenant = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        USER, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("类型", max_length=32, choices=NotificationKind.choices)
    message = models.CharField("内容", max_length=300)
    link = models.CharField("对象", max_length=100, blank=True, help_text="如 declaration:12")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message
