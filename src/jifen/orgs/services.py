"""Writes to organisations and role grants. Each runs in one transaction with its audit row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from jifen.core.audit import Action, record
from jifen.orgs.models import Organisation, OrgKind, Role, RoleGrant


@transaction.atomic
def create_organisation(
    *,
    actor: Any,
    name: str,
    code: str,
    kind: str,
    parent: Organisation | None = None,
    sector: str = "",
    leader_name: str = "",
    scheme_code: str = "",
) -> Organisation:
    if kind not in OrgKind.values:
        raise ValidationError({"kind": f"未知的组织类型 {kind!r}"})
    tenant = None if parent is None else (parent.tenant or parent)
    clash = (
        Organisation.objects.filter(parent__isnull=True, code=code)
        if tenant is None
        else Organisation.objects.filter(tenant=tenant, code=code)
    )
    if clash.exists():
        raise ValidationError({"code": f"组织代码 {code} 已存在"})
    organisation = Organisation(
        parent=parent,
        tenant=tenant,
        name=name,
        code=code,
        kind=kind,
        sector=sector,
        leader_name=leader_name,
        scheme_code=scheme_code,
    )
    organisation.full_clean(exclude=["tenant"])
    organisation.save()
    if tenant is None:  # a new tree: the root is its own tenant
        organisation.tenant = organisation
        organisation.save(update_fields=["tenant"])
    record(
        Action.ORG_CREATE,
        actor=actor,
        target=organisation,
        tenant_id=organisation.tenant_id,
        summary=f"{organisation.name} ({organisation.code})",
    )
    return organisation


@transaction.atomic
def grant_role(*, actor: Any, user: Any, role: str, organisation: Organisation) -> RoleGrant:
    if role not in Role.values:
        raise ValidationError({"role": f"未知的角色 {role!r}"})
    grant, created = RoleGrant.objects.get_or_create(
        user=user,
        role=role,
        organisation=organisation,
        defaults={"tenant_id": organisation.tenant_id},
    )
    if created:
        record(
            Action.ROLE_GRANT,
            actor=actor,
            target=grant,
            tenant_id=organisation.tenant_id,
            summary=f"{user.get_username()} {grant.get_role_display()} @ {organisation.code}",
        )
    return grant


@transaction.atomic
def revoke_role(*, actor: Any, grant: RoleGrant) -> None:
    record(
        Action.ROLE_REVOKE,
        actor=actor,
        target=grant,
        tenant_id=grant.tenant_id,
        summary=f"{grant.user.get_username()} {grant.get_role_display()} @ "
        f"{grant.organisation.code}",
    )
    grant.delete()


def effective_scheme_code(organisation: Organisation) -> str:
    """The scheme an organisation uses: its own, or the nearest ancestor's."""
    for ancestor in reversed(list(organisation.ancestors(include_self=True))):
        if ancestor.scheme_code:
            return ancestor.scheme_code
    return ""
