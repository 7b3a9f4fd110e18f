"""The header's navigation by role and the unread-notifications badge.

Computed once per request and kept on it: the header is on every page, and a page must
not pay a query per link.
"""

from __future__ import annotations

from typing import Any

from django import template

from jifen.members.models import Member
from jifen.orgs.models import RoleGrant
from jifen.orgs.permissions import Perm, roles_with
from jifen.workflow.selectors import unread_for

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_for(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {}
    cached: dict[str, Any] | None = getattr(request, "_jifen_nav", None)
    if cached is not None:
        return cached
    roles = set(RoleGrant.objects.filter(user_id=user.pk).values_list("role", flat=True))
    nav = {
        "member": Member.objects.filter(user_id=user.pk).exists(),
        "keeper": bool(roles & set(roles_with(Perm.REVIEW_DECLARATION))),
        "committee": bool(roles & set(roles_with(Perm.AUDIT_FILING))),
        "unread": unread_for(user).count(),
    }
    request._jifen_nav = nav
    return nav
