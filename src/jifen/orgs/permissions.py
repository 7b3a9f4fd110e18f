"""The one answer to "may this user do X to this member / organisation?".

Every page, API endpoint, admin class and service asks here. A role granted on an
organisation reaches its whole subtree; a member may see their own record; nobody else
sees anything. Lists use the scoped querysets below rather than filtering in Python.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from jifen.orgs.models import Organisation, Role, RoleGrant

if TYPE_CHECKING:
    from jifen.members.models import Member


class Perm(StrEnum):
    VIEW_MEMBER = "view_member"  # a member's record, personal data masked
    CHANGE_MEMBER = "change_member"  # roster, transfers, categories
    RECORD_ENTRY = "record_entry"  # register ledger entries, reverse them
    REVIEW_DECLARATION = "review_declaration"
    APPRAISE = "appraise"  # peer appraisal and review votes
    COLLECT_DECLARATIONS = "collect_declarations"
    MANAGE_PERIOD = "manage_period"  # summarise, publish, archive
    REQUEST_EXEMPTION = "request_exemption"
    APPROVE_EXEMPTION = "approve_exemption"
    MANAGE_SCHEME = "manage_scheme"
    AUDIT_FILING = "audit_filing"
    VIEW_STATISTICS = "view_statistics"
    MANAGE_ORGANISATION = "manage_organisation"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT_LOG = "view_audit_log"


ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.SCOREKEEPER: frozenset(
        {
            Perm.VIEW_MEMBER,
            Perm.CHANGE_MEMBER,
            Perm.RECORD_ENTRY,
            Perm.REVIEW_DECLARATION,
            Perm.MANAGE_PERIOD,
            Perm.REQUEST_EXEMPTION,
            Perm.APPROVE_EXEMPTION,  # the branch's approval; the committee files it
            Perm.VIEW_STATISTICS,
        }
    ),
    Role.REVIEWER: frozenset({Perm.VIEW_MEMBER, Perm.APPRAISE}),
    Role.GROUP_LEADER: frozenset({Perm.VIEW_MEMBER, Perm.COLLECT_DECLARATIONS}),
    Role.COMMITTEE: frozenset(
        {
            Perm.VIEW_MEMBER,
            Perm.MANAGE_SCHEME,
            Perm.AUDIT_FILING,
            Perm.APPROVE_EXEMPTION,
            Perm.VIEW_STATISTICS,
        }
    ),
    # The administrator runs the installation: organisations, users, the audit log.
    # No member data beyond what those tasks need.
    Role.ADMINISTRATOR: frozenset(
        {Perm.MANAGE_ORGANISATION, Perm.MANAGE_USERS, Perm.VIEW_AUDIT_LOG}
    ),
}


def roles_with(perm: Perm) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def _grants(user: Any, perm: Perm) -> QuerySet[RoleGrant]:
    if user is None or not user.is_authenticated or not user.is_active:
        return RoleGrant.objects.none()
    return RoleGrant.objects.filter(user=user, role__in=roles_with(perm))


def organisations_for(user: Any, perm: Perm) -> QuerySet[Organisation]:
    """Every organisation where `user` holds `perm`: the subtrees of their grants."""
    roots = list(_grants(user, perm).values_list("organisation_id", flat=True))
    if not roots:
        return Organisation.objects.none()
    reach = Q()
    for root_id in roots:
        reach |= Q(pk__in=_subtree_ids(root_id))
    return Organisation.objects.filter(reach)


def _subtree_ids(root_id: int) -> list[int]:
    root = Organisation.objects.get(pk=root_id)
    return list(root.descendants(include_self=True).values_list("pk", flat=True))


def has_org_perm(user: Any, perm: Perm, organisation: Organisation | int) -> bool:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    roots = set(_grants(user, perm).values_list("organisation_id", flat=True))
    if not roots:
        return False
    ancestors = Organisation.objects.get(pk=org_id).ancestors(include_self=True)
    return ancestors.filter(pk__in=roots).exists()


def holders_of(perm: Perm, organisation: Organisation | int) -> list[int]:
    """Ids of the active users holding `perm` on `organisation` (a grant on it or on an
    ancestor): whom to tell about work waiting there."""
    org = (
        organisation
        if isinstance(organisation, Organisation)
        else Organisation.objects.get(pk=organisation)
    )
    return sorted(
        set(
            RoleGrant.objects.filter(
                role__in=roles_with(perm),
                organisation__in=org.ancestors(include_self=True),
                user__is_active=True,
            ).values_list("user_id", flat=True)
        )
    )


def is_self(user: Any, member: Member) -> bool:
    return bool(user is not None and user.is_authenticated and member.user_id == user.pk)


def can(user: Any, perm: Perm, target: Member | Organisation) -> bool:
    """May `user` do `perm` to `target` (a member or an organisation)?"""
    if isinstance(target, Organisation):
        return has_org_perm(user, perm, target)
    if perm == Perm.VIEW_MEMBER and is_self(user, target):
        return True
    return has_org_perm(user, perm, target.branch_id)


def members_for(user: Any, perm: Perm = Perm.VIEW_MEMBER) -> QuerySet[Member]:
    """The members `user` may `perm`: their subtrees, plus themselves for viewing."""
    from jifen.members.models import Member

    if user is None or not user.is_authenticated:
        return Member.objects.none()
    scope = Q(branch__in=organisations_for(user, perm))
    if perm == Perm.VIEW_MEMBER:
        scope |= Q(user=user)
    return Member.objects.filter(scope)
