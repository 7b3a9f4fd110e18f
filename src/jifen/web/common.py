"""Helpers shared by the page modules: who the member is, refusals shown on forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from jifen.engine.errors import EngineError
from jifen.members.models import Member
from jifen.schemes.registry import names_of_items


def member_of(request: HttpRequest) -> Member:
    """The member the signed-in user is; 403 for accounts that are not a member."""
    user_id: int = request.user.pk  # type: ignore[assignment]  # login_required: a user
    member = Member.objects.filter(user_id=user_id).select_related("branch", "tenant").first()
    if member is None:
        raise PermissionDenied("只有党员本人可以使用该页面")
    return member


def refusal_text(error: ValidationError) -> str:
    return "；".join(str(m) for m in error.messages) or str(error)


def show_refusal(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form (non-field error), keeping what was typed."""
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}  # an unbound form (a button without fields) takes it too
    form.add_error(None, refusal_text(error))


def post_action(request: HttpRequest) -> str:
    return str(request.POST.get("action", ""))


def item_names(scheme_codes: Iterable[str]) -> dict[tuple[str, str], str]:
    """(scheme code, item code) → the item's name, for the schemes a list refers to.

    Read from the preset and the stored versions of each distinct scheme (one query per
    scheme, not per row), so an item a refinement added is named too."""
    names: dict[tuple[str, str], str] = {}
    for code in set(scheme_codes):
        try:
            own = names_of_items(code)
        except EngineError:
            continue
        names.update({(code, item_code): name for item_code, name in own.items()})
    return names


def name_items(declarations: Iterable[Any]) -> None:
    """Give each declaration of a list its `item_name`."""
    rows = list(declarations)
    names = item_names(d.scheme_code for d in rows)
    for d in rows:
        d.item_name = names.get((d.scheme_code, d.item_code), d.item_code)
