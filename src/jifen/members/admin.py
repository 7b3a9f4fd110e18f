from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from jifen.core.admin_scope import ScopedAdmin
from jifen.members import services
from jifen.members.models import Exemption, Member, MemberTransfer
from jifen.orgs.permissions import Perm, can, members_for, organisations_for


class MemberForm(forms.ModelForm):  # type: ignore[type-arg]
    id_number = forms.CharField(
        label="身份证号", required=False, help_text="保存后仅显示脱敏号码；留空则不修改"
    )
    phone = forms.CharField(label="手机号", required=False, help_text="留空则不修改")

    class Meta:
        model = Member
        fields = [
            "branch", "group", "user", "name", "gender", "birth_date", "status", "join_date",
            "category", "is_floating", "sending_organisation", "sending_organisation_name",
            "managed_from", "managed_to",
        ]  # fmt: skip


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    view_perm = Perm.VIEW_MEMBER
    change_perm = Perm.CHANGE_MEMBER
    form = MemberForm
    list_display = ("name", "gender", "status", "category", "branch", "id_number_masked")
    list_filter = ("status", "gender", "is_floating")
    search_fields = ("name",)
    readonly_fields = ("id_number_masked", "phone_masked")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Member]:
        return members_for(request.user).select_related("branch")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return can(request.user, Perm.CHANGE_MEMBER, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in {"branch", "group", "sending_organisation"}:
            kwargs["queryset"] = organisations_for(request.user, Perm.CHANGE_MEMBER)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        return fields if obj is None else [f for f in fields if f != "branch"]

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        member = self.get_queryset(request).filter(pk=object_id).first()
        if member is not None and request.method == "GET":
            services.record_personal_data_view(
                actor=request.user, member=member, purpose="后台查看党员信息"
            )
        return super().change_view(request, object_id, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: Member, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = services.create_member(
                actor=request.user,
                branch=data["branch"],
                group=data.get("group"),
                user=data.get("user"),
                name=data["name"],
                gender=data["gender"],
                id_number=data.get("id_number", ""),
                phone=data.get("phone", ""),
                status=data["status"],
                join_date=data.get("join_date"),
                birth_date=data.get("birth_date"),
                category=data.get("category", ""),
                is_floating=data.get("is_floating", False),
                sending_organisation=data.get("sending_organisation"),
                sending_organisation_name=data.get("sending_organisation_name", ""),
                managed_from=data.get("managed_from"),
            )
            obj.pk = created.pk
            return
        changes = {f: data[f] for f in form.changed_data if f in services.CHANGEABLE and f in data}
        for secret in ("id_number", "phone"):
            if data.get(secret):
                changes[secret] = data[secret]
        fresh = Member.objects.get(pk=obj.pk)
        if changes:
            services.change_member(actor=request.user, member=fresh, **changes)


@admin.register(MemberTransfer)
class MemberTransferAdmin(ScopedAdmin):
    list_display = ("member", "from_branch", "to_branch", "transferred_on", "reason")

    def get_queryset(self, request: HttpRequest) -> QuerySet[MemberTransfer]:
        return super().get_queryset(request).filter(member__in=members_for(request.user))


@admin.register(Exemption)
class ExemptionAdmin(ScopedAdmin):
    list_display = ("member", "reason", "starts_on", "ends_on", "state")
    list_filter = ("state",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Exemption]:
        return super().get_queryset(request).filter(member__in=members_for(request.user))
