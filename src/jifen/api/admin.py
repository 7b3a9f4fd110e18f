"""API tokens in the admin, read-only, for the administrator: who has a token, when it
was last used, whether it was revoked. Tokens are made and revoked with `jifen apitoken`
(the admin never sees a token: only its digest exists)."""

from __future__ import annotations

from django.contrib import admin

from jifen.api.models import ApiToken
from jifen.core.admin_scope import ReadOnlyAdmin
from jifen.orgs.permissions import Perm


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    view_perm = Perm.MANAGE_USERS
    list_display = ("user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "name")
    exclude = ("token_sha256",)
