"""The points ledger (积分台账).

Design overview — each invariant and where it is enforced:
- Append-only: entries are never updated or deleted. Database triggers refuse UPDATE and
  DELETE (and TRUNCATE on PostgreSQL); the model and queryset refuse them first with a
  clear message. A correction is a reversing entry.
- One reversal per entry: a partial unique index on `reverses` (partial, so that the
  many entries that reverse nothing cost it nothing on insert). A database
  trigger checks that a reversal mirrors its original (same member, item, quantity,
  negated points) and that nobody reverses a reversal.
- Period locks: no entry may fall into an archived period of its organisation (a
  database trigger on insert; `services` checks first for the message).
- References: the member is a foreign-key constraint. Tenant and organisation are checked
  by the one write door (`services._check_drafts`: both exist and belong to the tenant) and
  by `jifen verify`, not by constraints: the per-row checks of two hot parent rows cost 40%
  of insert throughput on PostgreSQL (docs/benchmarks.md), and organisations are never
  deleted (PROTECT).
- Exact points: stored as integer hundredths, because SQLite keeps DecimalField as a float
  and ties must be ties on both databases. `points` gives the Decimal.
- Tamper evidence: entries of a tenant form a chain: `seq` counts from 1 without gaps, and
  `entry_hash` is an HMAC (key outside the database) over a canonical serialisation of the
  entry and `prev_hash` (`jifen.ledger.chain`). `ChainHead` is the lockable tail pointer
  writers serialise on; `Checkpoint` rows and their exported files pin past heads.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from jifen.core.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from jifen.members.models import Member
from jifen.orgs.models import Organisation

APPEND_ONLY = "积分台账只可追加：更正请使用冲正记录 (the ledger is append-only; reverse instead)"


class Source(models.TextChoices):
    DECLARATION = "declaration", "个人申报"
    REGISTRATION = "registration", "积分员登记"
    ATTESTATION = "attestation", "群众证实"
    IMPORT = "import", "导入"
    ATTENDANCE = "attendance", "会议考勤"
    CORRECTION = "correction", "冲正"


class LedgerEntry(AppendOnlyModel):
    # Indexes cost every insert: tenant is covered by (tenant, seq), and nobody searches
    # by recorder or approver across a ledger, so those foreign keys carry no index.
    tenant = models.ForeignKey(
        Organisation,
        verbose_name="租户",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    seq = models.BigIntegerField("序号")
    uid = models.UUIDField("记录标识", unique=True)
    member = models.ForeignKey(  # indexed by (member, occurred_on) below
        Member,
        verbose_name="党员",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        db_index=False,
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="记分组织",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        db_constraint=False,
    )
    item_code = models.CharField("积分项目", max_length=64)
    points_hundredths = models.BigIntegerField("分值(百分之一分)")
    quantity = models.PositiveIntegerField("次数", default=1)
    occurred_on = models.DateField("发生日期")
    honor_key = models.CharField("荣誉标识", max_length=64, blank=True)
    note = models.TextField("说明", blank=True)
    evidence_sha256 = models.CharField("佐证材料摘要", max_length=64, blank=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    reverses = models.ForeignKey(
        "self",
        verbose_name="冲正的记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        db_index=False,  # the partial unique index below serves the lookups
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField("记录时间")
    prev_hash = models.CharField("前一条哈希", max_length=64)
    entry_hash = models.CharField("哈希", max_length=64)

    objects = AppendOnlyQuerySet.as_manager()
    append_only_message = APPEND_ONLY

    class Meta:
        verbose_name = "台账记录"
        verbose_name_plural = "积分台账"
        ordering = ["tenant_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "seq"], name="ledger_seq_unique_in_tenant"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="ledger_quantity_1"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="ledger_seq_from_1"),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=models.Q(reverses__isnull=False),
                name="ledger_reversed_once",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "occurred_on"], name="ledger_member_date"),
            models.Index(fields=["tenant", "occurred_on"], name="ledger_tenant_date"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.item_code} {self.points}"

    @property
    def points(self) -> Decimal:
        return Decimal(self.points_hundredths).scaleb(-2)


class ChainHead(models.Model):
    """The tail of a tenant's chain. Writers lock this row (PostgreSQL) or the database
    (SQLite, IMMEDIATE) so that seq and prev_hash are taken by one writer at a time."""

    tenant = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "哈希链头"
        verbose_name_plural = "哈希链头"

    def __str__(self) -> str:
        return f"{self.tenant_id}: #{self.seq}"


class Checkpoint(AppendOnlyModel):
    """A pinned head of the chain, exported to the higher committee (`jifen checkpoint`)."""

    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    label = models.CharField("期间", max_length=32)
    seq = models.BigIntegerField("截至序号")
    entry_hash = models.CharField("链头哈希", max_length=64)
    entry_count = models.BigIntegerField("记录数")
    points_sum_hundredths = models.BigIntegerField("分值合计(百分之一分)")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "台账检查点"
        verbose_name_plural = "台账检查点"
        ordering = ["tenant_id", "seq"]

    def __str__(self) -> str:
        return f"{self.label} #{self.seq}"


class PeriodState(models.TextChoices):
    OPEN = "open", "进行中"
    SUMMARISED = "summarised", "已汇总"
    PUBLICISED = "publicised", "公示中"
    ARCHIVED = "archived", "已归档"  # locked: no entry may fall into it
    FILED = "filed", "已备案"  # locked, and filed with the higher committee


LOCKED_STATES = (PeriodState.ARCHIVED, PeriodState.FILED)


class Period(models.Model):
    """A scoring period of one organisation (a branch), e.g. 2026-Q1."""

    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, verbose_name="组织", on_delete=models.PROTECT, related_name="periods"
    )
    label = models.CharField("期间", max_length=16)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    state = models.CharField(
        "状态", max_length=16, choices=PeriodState.choices, default=PeriodState.OPEN
    )

    class Meta:
        verbose_name = "积分期间"
        verbose_name_plural = "积分期间"
        ordering = ["organisation_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "label"], name="period_label_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="period_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.label}"

    @property
    def is_locked(self) -> bool:
        return self.state in LOCKED_STATES
