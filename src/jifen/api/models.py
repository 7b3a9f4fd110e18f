"""API tokens and idempotency records.

Design overview
- `ApiToken`: only the SHA-256 of a token is kept; the token itself is printed once when it
  is made (`jifen apitoken create`). A revoked token stays as a record of what existed.
- `IdempotencyRecord`: the first answer to a POST with an `Idempotency-Key`, per user.
  The unique (user, key) constraint is what makes two concurrent requests with one key
  have one effect: the second insert waits for the first transaction and then fails.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField("名称", max_length=100, blank=True)
    token_sha256 = models.CharField("令牌摘要(SHA-256)", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.user_id}:{self.name or self.pk}"


class IdempotencyRecord(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField("幂等键", max_length=100)
    method_path = models.CharField("方法与路径", max_length=300)
    request_sha256 = models.CharField("请求摘要(SHA-256)", max_length=64)
    status_code = models.PositiveSmallIntegerField("状态码")
    response_body = models.JSONField("响应内容")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "幂等记录"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
