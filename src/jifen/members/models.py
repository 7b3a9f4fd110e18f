"""Members, their transfers and their exemptions.

Design overview
- A member belongs to one branch (and maybe a group inside it) of one tenant. Floating
  members (流动党员) are managed by the receiving branch (`branch`) and co-managed by the
  sending organisation, inside the tenant or named when outside it.
- The ID-card number and the phone are personal information: stored only as AES-GCM
  ciphertext (`jifen.core.crypto`), shown only masked, and found by exact match through
  a keyed hash (`id_number_index`). Nothing here ever holds them in clear.
- Transfers are history rows; past ledger entries keep the branch where they were earned.
- Exemptions (可不纳入积分管理) are records with a reason and the approvals they gathered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jifen.orgs.models import Organisation

ID_CONTEXT = "member.id_number"
PHONE_CONTEXT = "member.phone"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class MemberStatus(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"
    ACTIVIST = "activist", "入党积极分子"


class Member(models.Model):
    tenant = models.ForeignKey(
        Organisation, verbose_name="租户", on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        Organisation, verbose_name="所在支部", on_delete=models.PROTECT, related_name="members"
    )
    group = models.ForeignKey(
        Organisation,
        verbose_name="所在小组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_members",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_number_cipher = models.TextField("身份证号(密文)", blank=True, editable=False)
    id_number_index = models.CharField(
        "身份证号检索码", max_length=64, blank=True, editable=False, db_index=True
    )
    id_number_masked = models.CharField("身份证号", max_length=18, blank=True, editable=False)
    phone_cipher = models.TextField("手机号(密文)", blank=True, editable=False)
    phone_masked = models.CharField("手机号", max_length=20, blank=True, editable=False)
    status = models.CharField(
        "党员状态", max_length=16, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    join_date = models.DateField("入党日期", null=True, blank=True)
    category = models.CharField("党员类别", max_length=32, blank=True)
    is_floating = models.BooleanField("流动党员", default=False)
    sending_organisation = models.ForeignKey(
        Organisation,
        verbose_name="流出党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sent_members",
    )
    sending_organisation_name = models.CharField("流出党组织(系统外)", max_length=100, blank=True)
    managed_from = models.DateField("纳入管理日期", null=True, blank=True)
    managed_to = models.DateField("停止管理日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["branch_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="member_id_number_unique_in_tenant",
            )
        ]
        indexes = [models.Index(fields=["tenant", "branch"], name="member_tenant_branch")]

    def __str__(self) -> str:
        return self.name


class MemberTransfer(models.Model):
    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="transfers"
    )
    from_branch = models.ForeignKey(
        Organisation, verbose_name="转出支部", on_delete=models.PROTECT, related_name="+"
    )
    to_branch = models.ForeignKey(
        Organisation, verbose_name="转入支部", on_delete=models.PROTECT, related_name="+"
    )
    transferred_on = models.DateField("转接日期")
    reason = models.CharField("原因", max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["member_id", "transferred_on", "id"]

    def __str__(self) -> str:
        return f"{self.member} {self.transferred_on}"


class ExemptionState(models.TextChoices):
    REQUESTED = "requested", "已申请"
    BRANCH_APPROVED = "branch_approved", "支部已同意"
    FILED = "filed", "上级已备案"  # in force
    REJECTED = "rejected", "未同意"


class Exemption(models.Model):
    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="exemptions"
    )
    reason = models.CharField("原因", max_length=200)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=ExemptionState.choices, default=ExemptionState.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "不纳入积分管理"
        verbose_name_plural = "不纳入积分管理"

    def __str__(self) -> str:
        return f"{self.member} · {self.reason}"


class ExemptionApproval(models.Model):
    class Level(models.TextChoices):
        BRANCH = "branch", "支部"
        COMMITTEE = "committee", "上级党组织"

    exemption = models.ForeignKey(Exemption, on_delete=models.PROTECT, related_name="approvals")
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    approve = models.BooleanField("同意")
    note = models.CharField("意见", max_length=200, blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审批意见"
        verbose_name_plural = "审批意见"
        constraints = [
            models.UniqueConstraint(fields=["exemption", "level"], name="one_approval_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.exemption} · {self.get_level_display()}"
