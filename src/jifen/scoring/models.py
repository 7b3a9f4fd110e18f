"""Result snapshots (结果快照): what a summary computed, kept as it was computed.

Design overview — each invariant and where it is enforced:
- Read back, never recomputed: a published or archived result is the snapshot's rows
  (`selectors.snapshot_results`); later ledger entries, reversals or scheme changes do not
  touch it. A new summary writes a new snapshot.
- Append-only: snapshot and result rows are never updated or deleted. Database triggers
  refuse UPDATE and DELETE (`jifen.core.dbguards`, installed by migration 0002); the
  models and querysets refuse them first with a clear message.
- Reproducible: `scheme_version` and `inputs_hash` (SHA-256 over the canonical list of the
  aggregates and members the engine was fed, `fingerprint.py`) say exactly what produced
  the numbers, so a later recomputation can be checked against it.
- Exact: point values are integer hundredths (as in the ledger), because SQLite keeps
  DecimalField as a float and ties must stay ties; dimensions are JSON strings ("12.50").
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from jifen.core.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from jifen.members.models import Member
from jifen.orgs.models import Organisation

APPEND_ONLY = "结果快照只可追加：重新汇总会生成新的快照 (snapshots are append-only)"


def from_hundredths(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-2)


class ResultSnapshot(AppendOnlyModel):
    """One summary: the results of one scheme over an organisation's subtree for a period."""

    tenant = models.ForeignKey(
        Organisation, verbose_name="租户", on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="汇总范围",
        on_delete=models.PROTECT,
        related_name="result_snapshots",
        help_text="该组织及其下级组织",
    )
    scheme_code = models.CharField("积分办法", max_length=64)
    scheme_version = models.PositiveIntegerField("办法版本")
    period = models.CharField("期间", max_length=16)
    inputs_hash = models.CharField("输入摘要(SHA-256)", max_length=64)
    member_count = models.PositiveIntegerField("党员数")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AppendOnlyQuerySet.as_manager()
    append_only_message = APPEND_ONLY

    class Meta:
        verbose_name = "结果快照"
        verbose_name_plural = "结果快照"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["tenant", "organisation", "period", "scheme_code"], name="snapshot_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.scheme_code} {self.period} #{self.pk}"


class MemberResult(AppendOnlyModel):
    """One member's result in a snapshot; null total/rank where the engine gives none."""

    # A district's summary writes 100,000 of these rows at once, and every index and
    # foreign-key check costs each of them (measured: 2.2 s → 1.1 s on PostgreSQL, whose
    # deferred checks also lock every member row FOR KEY SHARE at commit). So: the
    # snapshot index is the unique (snapshot, member) one below; nobody searches by
    # branch; and member and branch are checked by Django, not the database: the rows are
    # written only by `summarise`, from members and branches it has just read, and
    # on_delete=PROTECT still refuses deleting a member or branch a result names.
    # Nor is the snapshot checked by the database at commit (0.5 s of a district's
    # summary on PostgreSQL, measured): a snapshot is append-only (its triggers refuse
    # DELETE), so a row written in its snapshot's own transaction can never lose it.
    snapshot = models.ForeignKey(
        ResultSnapshot,
        verbose_name="快照",
        on_delete=models.PROTECT,
        related_name="results",
        db_index=False,
        db_constraint=False,
    )
    member = models.ForeignKey(
        Member,
        verbose_name="党员",
        on_delete=models.PROTECT,
        related_name="results",
        db_constraint=False,
    )
    branch = models.ForeignKey(
        Organisation,
        verbose_name="所在支部(汇总时)",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    total_hundredths = models.BigIntegerField("总分(百分之一分)", null=True)
    grade = models.CharField("等次", max_length=32, blank=True)
    veto = models.CharField("一票否决项目", max_length=64, blank=True)
    rank = models.PositiveIntegerField("排名", null=True)
    category_rank = models.PositiveIntegerField("类别内排名", null=True)
    category = models.CharField("党员类别", max_length=32, blank=True)
    dimensions = models.JSONField("各板块得分", default=dict)
    bonus_hundredths = models.BigIntegerField("加分(百分之一分)", null=True)
    deductions_hundredths = models.BigIntegerField("扣分(百分之一分)", null=True)

    objects = AppendOnlyQuerySet.as_manager()
    append_only_message = APPEND_ONLY

    class Meta:
        verbose_name = "党员结果"
        verbose_name_plural = "党员结果"
        ordering = ["snapshot_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "member"], name="result_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.total}"

    @property
    def total(self) -> Decimal | None:
        return from_hundredths(self.total_hundredths)

    @property
    def bonus(self) -> Decimal | None:
        return from_hundredths(self.bonus_hundredths)

    @property
    def deductions(self) -> Decimal | None:
        return from_hundredths(self.deductions_hundredths)
