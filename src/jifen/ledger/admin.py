from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from jifen.core.admin_scope import ReadOnlyAdmin
from jifen.ledger.models import Checkpoint, LedgerEntry, Period
from jifen.orgs.permissions import Perm, organisations_for


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """The ledger is read-only here: corrections are reversing entries (services)."""

    view_perm = Perm.RECORD_ENTRY
    list_display = (
        "seq",
        "member",
        "item_code",
        "points_shown",
        "quantity",
        "occurred_on",
        "source",
    )
    list_filter = ("source",)
    search_fields = ("item_code", "member__name")
    date_hierarchy = "occurred_on"
    list_select_related = ("member",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerEntry]:
        orgs = organisations_for(request.user, self.view_perm)
        return super().get_queryset(request).filter(organisation__in=orgs)

    @admin.display(description="分值", ordering="points_hundredths")
    def points_shown(self, entry: LedgerEntry) -> str:
        return f"{entry.points:.2f}"


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    view_perm = Perm.MANAGE_PERIOD
    list_display = ("organisation", "label", "starts_on", "ends_on", "state")
    list_filter = ("state",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Period]:
        orgs = organisations_for(request.user, self.view_perm)
        return super().get_queryset(request).filter(organisation__in=orgs)


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    view_perm = Perm.AUDIT_FILING
    list_display = ("tenant", "label", "seq", "entry_hash", "entry_count", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Checkpoint]:
        tenants = organisations_for(request.user, self.view_perm).values("tenant_id")
        return super().get_queryset(request).filter(tenant_id__in=tenants)
