"""Where an import may write: the chosen organisation's subtree, as far as the actor holds
the permission there (the command line's operator, actor None, holds it everywhere)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, organisations_for


def reachable(actor: Any, perm: Perm, organisation: Organisation) -> QuerySet[Organisation]:
    subtree = organisation.descendants(include_self=True).values("pk")
    orgs = Organisation.objects.filter(pk__in=subtree)
    if actor is not None:
        orgs = orgs.filter(pk__in=organisations_for(actor, perm).values("pk"))
    return orgs
