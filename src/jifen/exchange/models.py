"""One import of a file: what was imported, by whom, and the errors that refused it.

The error report stays retrievable (the page and the error sheet read it from here), and
a file imported successfully cannot be imported again into the same organisation for the
same kind: a unique constraint on the file's SHA-256 among successful runs makes that
hold even for two uploads at the same moment. The file itself is not kept: it carries
ID numbers in clear.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from jifen.orgs.models import Organisation


class ImportKind(models.TextChoices):
    ROSTER = "roster", "花名册"
    ENTRIES = "entries", "积分记录"


class ImportState(models.TextChoices):
    SUCCEEDED = "succeeded", "导入成功"  # every row written
    REFUSED = "refused", "有错误，未导入"  # nothing written; `errors` says why


class ImportRun(models.Model):
    tenant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, verbose_name="导入到", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("导入内容", max_length=16, choices=ImportKind.choices)
    state = models.CharField("结果", max_length=16, choices=ImportState.choices)
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件 SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("文件大小(字节)")
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    rows_written = models.PositiveIntegerField("写入行数", default=0)
    created_count = models.PositiveIntegerField("新增党员", default=0)
    updated_count = models.PositiveIntegerField("更新党员", default=0)
    errors = models.JSONField("错误", default=list, blank=True)  # [{row, column, reason}]
    error_count = models.PositiveIntegerField("错误数", default=0)
    form_token = models.UUIDField("表单标识", null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "sha256"],
                condition=models.Q(state="succeeded"),
                name="import_file_once_per_organisation",
            )
        ]
        indexes = [models.Index(fields=["tenant", "organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename} {self.get_state_display()}"
