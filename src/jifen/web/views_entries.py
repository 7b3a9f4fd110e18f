"""Direct registration (积分员登记): one item for one or many members of a branch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from jifen.meetings.forms import RegistrationForm
from jifen.meetings.registration import register_entries, registrable_items
from jifen.meetings.selectors import keeper_branches
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, members_for
from jifen.web.common import show_refusal
from jifen.workflow.machine import WorkflowRefused


def chosen_branch(request: HttpRequest) -> tuple[Organisation, list[Organisation]]:
    """The branch picked with ?branch= among the user's (the first one by default); 403 for
    users who keep no branch. A branch outside them falls back to the first."""
    branches = list(keeper_branches(request.user))
    if not branches:
        raise PermissionDenied("只有积分员可以登记积分")
    wanted = request.GET.get("branch", "")
    branch = next((b for b in branches if str(b.pk) == wanted), branches[0])
    return branch, branches


@login_required
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    branch, branches = chosen_branch(request)
    items = registrable_items(branch)
    members = list(
        members_for(request.user, Perm.RECORD_ENTRY)
        .filter(branch=branch)
        .order_by("name", "id")
        .values_list("pk", "name")
    )
    today = timezone.localdate()
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        items=items, members=members, today=today,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = register_entries(
                actor=request.user, branch=branch, member_ids=data["members"],
                item_code=data["item_code"], occurred_on=data["occurred_on"],
                points=data["points"], reason=data["reason"], quantity=data["quantity"],
                honor_key=(data["honor_key"] or "").strip(),
                idempotency_key=data["idempotency_key"], today=today,
            )  # fmt: skip
        except WorkflowRefused as error:
            show_refusal(form, error)
        else:
            if done.repeated:
                messages.info(request, f"该表单已提交过（{done.count} 条），未重复登记")
            else:
                messages.success(
                    request,
                    f"已为 {done.count} 名党员登记“{done.item.name}”，每人 {done.points} 分",
                )
            return redirect(f"{reverse('register_entries')}?branch={branch.pk}")
    return render(
        request,
        "web/meetings/register.html",
        {"form": form, "branch": branch, "branches": branches, "items": items},
    )
