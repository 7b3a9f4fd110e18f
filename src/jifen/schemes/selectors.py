"""Reads for the scheme pages: the versions a committee may see, set-based."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from jifen.orgs.models import GROUP_KINDS, Organisation
from jifen.orgs.permissions import Perm, organisations_for
from jifen.schemes import registry
from jifen.schemes.models import SchemeVersion


def versions_for(user: Any) -> QuerySet[SchemeVersion]:
    """Versions owned by an organisation in the user's MANAGE_SCHEME subtrees."""
    return SchemeVersion.objects.filter(
        organisation__in=organisations_for(user, Perm.MANAGE_SCHEME)
    ).select_related("organisation", "created_by", "based_on")


@dataclass(frozen=True)
class Usage:
    """Which scheme an organisation of the subtree uses on a day, and which version."""

    organisation: Organisation
    code: str
    version: SchemeVersion | None  # None: the preset
    preset_version: int | None


def managed_by(user: Any) -> list[Organisation]:
    """The organisations the user manages schemes of, groups left out (they have none)."""
    return list(
        organisations_for(user, Perm.MANAGE_SCHEME)
        .exclude(kind__in=GROUP_KINDS)
        .order_by("tenant_id", "code")
    )


def usage(managed: list[Organisation], on: dt.date) -> list[Usage]:
    """For every managed organisation: the code it uses and the version in force on `on`.
    Two queries whatever the size of the tree: the organisations of the tenants (for the
    ancestors' codes and versions), the versions in force."""
    tenants = {org.tenant_id or org.pk for org in managed}
    tree = {
        pk: (parent, code)
        for pk, parent, code in Organisation.objects.filter(
            Q(tenant_id__in=tenants) | Q(pk__in=tenants)
        ).values_list("pk", "parent_id", "scheme_code")
    }
    owned: dict[tuple[int, str], SchemeVersion] = {}
    in_force = (
        SchemeVersion.objects.filter(tenant_id__in=tenants, effective_from__lte=on)
        .defer("text")
        .order_by("version")
    )
    for version in in_force:
        owned[(version.organisation_id, version.code)] = version  # the newest wins

    def chain(pk: int | None) -> list[int]:
        ids = []
        while pk is not None and pk in tree:
            ids.append(pk)
            pk = tree[pk][0]
        return ids

    rows = []
    for org in managed:
        ids = chain(org.pk)
        code = next((tree[pk][1] for pk in ids if tree[pk][1]), "")
        version = next((owned[(pk, code)] for pk in ids if (pk, code) in owned), None)
        preset_version = registry.preset(code).version if registry.is_preset(code) else None
        rows.append(Usage(org, code, version, preset_version))
    return rows
