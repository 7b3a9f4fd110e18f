from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from jifen.core.admin_scope import ScopedAdmin, holds
from jifen.core.audit import Action, record
from jifen.orgs import services
from jifen.orgs.models import Organisation, RoleGrant
from jifen.orgs.permissions import Perm, organisations_for


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    view_perm = Perm.MANAGE_ORGANISATION
    change_perm = Perm.MANAGE_ORGANISATION
    list_display = ("code", "name", "kind", "sector", "parent", "leader_name", "scheme_code")
    list_filter = ("kind", "sector")
    search_fields = ("code", "name")
    fields = ("parent", "name", "code", "kind", "sector", "leader_name", "scheme_code")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return organisations_for(request.user, self.view_perm)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":
            kwargs["queryset"] = organisations_for(request.user, self.view_perm)
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        if not change:
            created = services.create_organisation(
                actor=request.user,
                parent=obj.parent,
                name=obj.name,
                code=obj.code,
                kind=obj.kind,
                sector=obj.sector,
                leader_name=obj.leader_name,
                scheme_code=obj.scheme_code,
            )
            obj.pk = created.pk
            return
        obj.save()
        record(
            Action.ORG_CHANGE,
            actor=request.user,
            target=obj,
            tenant_id=obj.tenant_id,
            changes={"fields": form.changed_data},
        )


@admin.register(RoleGrant)
class RoleGrantAdmin(ScopedAdmin):
    view_perm = Perm.MANAGE_USERS
    change_perm = Perm.MANAGE_USERS
    list_display = ("user", "role", "organisation", "granted_at")
    list_filter = ("role",)
    fields = ("user", "role", "organisation")

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleGrant]:
        orgs = organisations_for(request.user, self.view_perm)
        return super().get_queryset(request).filter(organisation__in=orgs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = organisations_for(request.user, self.view_perm)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return holds(request.user, self.view_perm)

    def save_model(self, request: HttpRequest, obj: RoleGrant, form: Any, change: bool) -> None:
        grant = services.grant_role(
            actor=request.user, user=obj.user, role=obj.role, organisation=obj.organisation
        )
        obj.pk = grant.pk

    def delete_model(self, request: HttpRequest, obj: RoleGrant) -> None:
        services.revoke_role(actor=request.user, grant=obj)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ScopedUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Administrators manage the accounts of their own organisations only."""

    def _allowed(self, request: HttpRequest) -> bool:
        return holds(request.user, Perm.MANAGE_USERS)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are deactivated, never deleted: the audit log names them

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        orgs = organisations_for(request.user, Perm.MANAGE_USERS)
        reach = (
            Q(role_grants__organisation__in=orgs)
            | Q(member__branch__in=orgs)
            | Q(role_grants__isnull=True, member__isnull=True)
        )
        return super().get_queryset(request).filter(reach).distinct()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Nobody hands out Django's superuser flag or model permissions from here: roles
        # are granted as RoleGrants, on an organisation.
        return ("is_superuser", "user_permissions", "groups", "last_login", "date_joined")
