"""The audit log: who did what, when, from where.

Every service function writes its change and one AuditEvent in the same transaction, and
every view of a member's personal data writes one too. Rows are never changed or deleted
(database triggers refuse it); the log is kept at least 6 months (网络安全法 第二十一条).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jifen.core.appendonly import AppendOnlyModel, AppendOnlyQuerySet


class AuditEvent(AppendOnlyModel):
    append_only_message = "审计日志只可追加，不可修改或删除 (audit log is append-only)"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    tenant_id = models.BigIntegerField("租户", null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=64)
    target_type = models.CharField("对象类型", max_length=64, blank=True)
    target_id = models.CharField("对象", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=300, blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=200, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant_id", "action", "at"], name="audit_tenant_action_at")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_type}"
