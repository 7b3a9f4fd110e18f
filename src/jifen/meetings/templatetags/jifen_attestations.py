"""`{% attestations_for declaration %}`: the attestations of a declaration, for the review
page (one query), with the link to ask for another while it waits for review."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from jifen.meetings.attestations import PENDING
from jifen.meetings.selectors import attestations_of
from jifen.workflow.models import Declaration

register = template.Library()


@register.inclusion_tag("web/meetings/_attestations.html")
def attestations_for(declaration: Declaration) -> dict[str, Any]:
    pending = declaration.state in PENDING
    return {
        "attestations": list(attestations_of(declaration)),
        "now": timezone.now(),
        "request_url": reverse("attestation_request", args=[declaration.pk]) if pending else "",
    }
