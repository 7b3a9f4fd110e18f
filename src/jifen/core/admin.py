from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from jifen.core.admin_scope import ReadOnlyAdmin
from jifen.core.models import AuditEvent
from jifen.orgs.permissions import Perm, organisations_for


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    view_perm = Perm.VIEW_AUDIT_LOG
    list_display = (
        "at",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "summary",
        "ip_address",
    )
    list_filter = ("action",)
    search_fields = ("actor_name", "summary", "target_id")
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        tenants = organisations_for(request.user, self.view_perm).values("tenant_id")
        return super().get_queryset(request).filter(tenant_id__in=tenants)
