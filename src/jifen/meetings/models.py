"""Meetings (三会一课, 主题党日, 组织生活会) with their attendance, and attestations (群众证实).

Design overview
- A `Meeting` belongs to a branch; `Attendance` holds one row per member and meeting
  (unique), 出席 / 请假 / 缺席. Attendance is a record of fact that may be corrected; the
  points it produces are not edited: they live in the append-only ledger.
- `MeetingEntry` links a meeting to each ledger entry its attendance produced (source
  "attendance"). Posting reconciles what the attendance now prescribes with the entries
  still standing: nothing when they agree (posting twice posts once), otherwise a reversal
  of the stale entry and a new one. The link's one-to-one on the entry keeps it unique.
- `Attestation` is a confirmation of a declared act by the people served: either through a
  one-time link (only the SHA-256 of its random token is stored, so the database cannot
  reopen it; the token is shown once) or recorded in person by the scorekeeper. A link is
  used by a compare-and-set on `answered_at IS NULL`, so it works exactly once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jifen.ledger.models import LedgerEntry
from jifen.members.models import Member
from jifen.orgs.models import Organisation
from jifen.workflow.models import Declaration


class MeetingKind(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", "支部党员大会"
    BRANCH_COMMITTEE = "branch_committee", "支部委员会"
    GROUP_MEETING = "group_meeting", "党小组会"
    PARTY_LECTURE = "party_lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    ORG_LIFE = "org_life", "组织生活会"
    DEMOCRATIC_APPRAISAL = "democratic_appraisal", "民主评议党员"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


class Meeting(models.Model):
    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(
        Organisation, verbose_name="支部", on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField("会议类型", max_length=24, choices=MeetingKind.choices)
    held_on = models.DateField("会议日期")
    title = models.CharField("会议主题", max_length=200)
    notes = models.TextField("会议记录", blank=True)
    idempotency_key = models.UUIDField("表单标识", unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    attendance_saved_at = models.DateTimeField("考勤登记时间", null=True, blank=True)
    posted_at = models.DateTimeField("积分登记时间", null=True, blank=True)

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["tenant", "branch", "held_on"], name="meeting_branch_day")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()} {self.title}"


class Attendance(models.Model):
    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("出勤", max_length=8, choices=AttendanceStatus.choices)

    class Meta:
        verbose_name = "考勤"
        verbose_name_plural = "考勤"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.member_id} {self.status}"


class MeetingEntry(models.Model):
    """A ledger entry produced by a meeting's attendance (reversals included)."""

    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="entries")
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "会议积分"
        verbose_name_plural = "会议积分"

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.entry_id}"


class AttestationResult(models.TextChoices):
    CONFIRMED = "confirmed", "属实"
    DISPUTED = "disputed", "不属实"


class AttestationMethod(models.TextChoices):
    LINK = "link", "一次性链接"
    IN_PERSON = "in_person", "当面证实"


class Attestation(models.Model):
    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    declaration = models.ForeignKey(
        Declaration, verbose_name="申报", on_delete=models.PROTECT, related_name="attestations"
    )
    method = models.CharField("方式", max_length=16, choices=AttestationMethod.choices)
    # SHA-256 of the link's token (hex); NULL for in-person attestations.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    idempotency_key = models.UUIDField("表单标识", unique=True)
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    result = models.CharField(
        "证实结果", max_length=16, choices=AttestationResult.choices, blank=True
    )
    answered_at = models.DateTimeField("证实时间", null=True, blank=True)
    attested_on = models.DateField("证实日期", null=True, blank=True)
    attester_name = models.CharField("证实人", max_length=50, blank=True)
    phone_tail = models.CharField("手机尾号", max_length=4, blank=True)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "群众证实"
        verbose_name_plural = "群众证实"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.declaration_id} {self.method} {self.result or '待证实'}"
