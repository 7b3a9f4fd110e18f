"""Read-only admin views of meetings and attestations, scoped like the pages: changes go
through the pages and services (attendance posts ledger entries; tokens are shown once)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from jifen.core.admin_scope import ReadOnlyAdmin
from jifen.meetings.models import Attestation, Meeting
from jifen.orgs.permissions import Perm, organisations_for


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    view_perm = Perm.RECORD_ENTRY
    list_display = ("held_on", "kind", "title", "branch", "posted_at")
    list_filter = ("kind",)
    search_fields = ("title",)
    date_hierarchy = "held_on"
    list_select_related = ("branch",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meeting]:
        orgs = organisations_for(request.user, self.view_perm)
        return super().get_queryset(request).filter(branch__in=orgs)


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyAdmin):
    view_perm = Perm.REVIEW_DECLARATION
    list_display = ("declaration", "method", "result", "attester_name", "created_at")
    list_filter = ("method", "result")
    exclude = ("token_hash",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attestation]:
        orgs = organisations_for(request.user, self.view_perm)
        return super().get_queryset(request).filter(declaration__branch__in=orgs)
