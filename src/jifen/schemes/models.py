"""Stored scheme versions (积分办法的模板与细则): the higher committee's templates and a
branch's refinement for the year, kept beside the presets that ship with the engine.

Design overview
- A version is never changed: a change is a new version (append-only models; the guard
  is in Python, like the snapshots' first line of defence).
- Versions are numbered per (tenant, code), above the preset's own number, so that a
  snapshot's `scheme_version` names exactly one text.
- The owner says whose it is: a committee's version is a template for its subtree, a
  branch's version is that branch's refinement (细则). Which version an organisation uses
  on a day is `registry.scheme_for`: the newest version in force on that day owned by the
  organisation or its nearest ancestor that has one, else the preset.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jifen.core.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from jifen.orgs.models import Organisation

APPEND_ONLY = "已发布的办法版本不可修改或删除：修改请新建一个版本 (scheme versions are append-only)"


class VersionKind(models.TextChoices):
    TEMPLATE = "template", "模板"  # a committee's, for its subtree
    REFINEMENT = "refinement", "细则"  # a branch's, for itself


class SchemeVersion(AppendOnlyModel):
    tenant = models.ForeignKey(
        Organisation, verbose_name="租户", on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="制定组织",
        on_delete=models.PROTECT,
        related_name="scheme_versions",
    )
    kind = models.CharField("类型", max_length=16, choices=VersionKind.choices)
    code = models.CharField("办法编码", max_length=64)
    version = models.PositiveIntegerField("版本号")
    name = models.CharField("办法名称", max_length=200)
    text = models.TextField("办法内容(TOML)")
    based_on = models.ForeignKey(
        "self",
        verbose_name="基于版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空则基于预置办法",
    )
    effective_from = models.DateField("生效日期")
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # The form's token: pressing "save" twice saves one version (unique when given).
    idempotency_key = models.UUIDField(
        "表单令牌", null=True, blank=True, unique=True, editable=False
    )

    objects = AppendOnlyQuerySet.as_manager()
    append_only_message = APPEND_ONLY

    class Meta:
        verbose_name = "办法版本"
        verbose_name_plural = "办法版本"
        ordering = ["code", "-version"]
        constraints = [
            # Two people saving at once cannot both get the same number.
            models.UniqueConstraint(
                fields=["tenant", "code", "version"], name="scheme_version_once"
            )
        ]
        indexes = [models.Index(fields=["tenant", "code", "effective_from"], name="scheme_lookup")]

    def __str__(self) -> str:
        return f"{self.code} 第{self.version}版"
