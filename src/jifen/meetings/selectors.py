"""Reads of this area: set-based, scoped by the caller's permissions."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from jifen.meetings.models import Attestation, Meeting, MeetingEntry
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, organisations_for
from jifen.workflow.models import Declaration


def keeper_branches(user: Any) -> QuerySet[Organisation]:
    """The branches where `user` may register entries and keep meetings."""
    return organisations_for(user, Perm.RECORD_ENTRY).filter(kind="branch").order_by("code")


def meetings_for(user: Any) -> QuerySet[Meeting]:
    """The meetings of the user's branches, with their attendance counts (one query)."""
    return (
        Meeting.objects.filter(branch__in=organisations_for(user, Perm.RECORD_ENTRY))
        .select_related("branch")
        .annotate(
            present=Count("attendance", filter=Q(attendance__status="present")),
            on_leave=Count("attendance", filter=Q(attendance__status="leave")),
            absent=Count("attendance", filter=Q(attendance__status="absent")),
        )
    )


def meeting_entries(meeting: Meeting) -> QuerySet[Any]:
    """The ledger entries the meeting produced, reversals included, in ledger order."""
    from jifen.ledger.models import LedgerEntry

    return (
        LedgerEntry.objects.filter(
            pk__in=MeetingEntry.objects.filter(meeting=meeting).values("entry_id")
        )
        .select_related("member")
        .order_by("seq")
    )


def attestations_of(declaration: Declaration) -> QuerySet[Attestation]:
    return Attestation.objects.filter(declaration=declaration).order_by("-created_at", "-id")


def attestable_declaration(user: Any, declaration_id: int) -> Declaration:
    """A declaration whose attestations `user` may ask for or see: the declarant's own or
    one of a branch the user reviews (the page and the API); 404 otherwise."""
    declaration = (
        Declaration.objects.filter(pk=declaration_id)
        .filter(
            Q(branch__in=organisations_for(user, Perm.REVIEW_DECLARATION))
            | Q(member__user_id=user.pk)
        )
        .select_related("member", "branch")
        .first()
    )
    if declaration is None:
        raise Http404("没有该申报，或无权查看")
    return declaration
