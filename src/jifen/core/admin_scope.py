"""Admin classes that ask `jifen.orgs.permissions`, not Django's model permissions.

Django's admin grants by model; Jifen grants by role on a subtree. These mixins make
every admin page answer with the same scope as the rest of the system, and keep writes
going through the services (the admin never saves a domain row itself).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jifen.orgs.permissions import Perm, organisations_for


def holds(user: Any, perm: Perm) -> bool:
    return bool(user.is_active and organisations_for(user, perm).exists())


class ScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    view_perm: Perm = Perm.VIEW_MEMBER
    change_perm: Perm | None = None  # None: read-only

    def has_module_permission(self, request: HttpRequest) -> bool:
        return holds(request.user, self.view_perm)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return holds(request.user, self.view_perm)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.change_perm is not None and holds(request.user, self.change_perm)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.change_perm is not None and holds(request.user, self.change_perm)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ScopedAdmin):
    change_perm = None

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}
