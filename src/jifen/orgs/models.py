"""Organisations and the roles people hold on them.

Design overview
- Organisations form a tree (区委 → 党委/党工委 → 党总支 → 党支部 → 党小组/村小组), kept as an
  adjacency list (`parent` only) and read with recursive CTEs (django-tree-queries), so
  there is nothing denormalised to drift. The top of a tree is a tenant: every row of
  member data carries `tenant`, the future distribution key (Citus) and the boundary no
  query of member data crosses.
- A RoleGrant gives a user a role on an organisation; it reaches the whole subtree.
  `jifen.orgs.permissions` is the one place that turns grants into answers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from tree_queries.models import TreeNode


class OrgKind(models.TextChoices):
    DISTRICT = "district", "区(县)委"
    COMMITTEE = "committee", "党委"
    WORKING_COMMITTEE = "working_committee", "党工委/工委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    PARTY_GROUP = "party_group", "党小组"
    VILLAGE_GROUP = "village_group", "村小组"


# Kinds whose members are scored: a member belongs to a branch (and maybe a group in it).
MEMBER_HOLDING_KINDS = {OrgKind.BRANCH, OrgKind.GENERAL_BRANCH}
GROUP_KINDS = {OrgKind.PARTY_GROUP, OrgKind.VILLAGE_GROUP}


class Sector(models.TextChoices):
    """What kind of unit a branch sits in; the seeds' schemes differ by it."""

    NONE = "", "—"
    VILLAGE = "village", "农村"
    COMPANY = "company", "企业"
    AGENCY = "agency", "机关"
    COMMUNITY = "community", "社区"
    SCHOOL = "school", "学校"
    NEW_ORGANISATION = "new_org", "两新组织"


class Organisation(TreeNode):
    tenant = models.ForeignKey(
        "self",
        verbose_name="租户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tenant_organisations",
    )
    name = models.CharField("名称", max_length=100)
    code = models.CharField("组织代码", max_length=40)
    kind = models.CharField("类型", max_length=24, choices=OrgKind.choices)
    sector = models.CharField("领域", max_length=16, choices=Sector.choices, blank=True)
    leader_name = models.CharField("负责人", max_length=50, blank=True)
    scheme_code = models.CharField(
        "积分办法", max_length=64, blank=True, help_text="空则沿用上级组织的积分办法"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="org_code_unique_in_tenant"),
            # Tenants are named by code on the command line and in checkpoint files.
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(parent__isnull=True),
                name="tenant_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_tenant_root(self) -> bool:
        return self.parent_id is None


class Role(models.TextChoices):
    SCOREKEEPER = "scorekeeper", "积分员"
    REVIEWER = "reviewer", "评议人(支委)"
    GROUP_LEADER = "group_leader", "小组长"
    COMMITTEE = "committee", "上级党委"
    ADMINISTRATOR = "administrator", "系统管理员"


class RoleGrant(models.Model):
    tenant = models.ForeignKey(
        Organisation, verbose_name="租户", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="role_grants",
    )
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name="组织", on_delete=models.PROTECT, related_name="role_grants"
    )
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"], name="role_grant_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
