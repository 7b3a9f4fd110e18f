"""Pages of the foundation: sign-in, a start page by role, the scoped member roster."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from jifen.members.models import Member
from jifen.members.services import record_personal_data_view
from jifen.orgs.models import RoleGrant
from jifen.orgs.permissions import Perm, members_for
from jifen.workflow.models import Notification
from jifen.workflow.selectors import unread_for
from jifen.workflow.services import mark_all_read


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user_id: int = request.user.pk  # type: ignore[assignment]  # login_required: a user
    grants = RoleGrant.objects.filter(user_id=user_id).select_related("organisation")
    member = Member.objects.filter(user_id=user_id).select_related("branch").first()
    return render(request, "web/home.html", {"grants": grants, "member": member})


@login_required
@never_cache
def member_list(request: HttpRequest) -> HttpResponse:
    members = (
        members_for(request.user)
        .select_related("branch", "group")
        .order_by("branch__code", "name", "pk")
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    return render(request, "web/member_list.html", {"page": page})


@login_required
@never_cache
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    # 404 rather than 403 for members outside one's scope: their existence is not disclosed.
    member = (
        members_for(request.user).select_related("branch", "group").filter(pk=member_id).first()
    )
    if member is None:
        raise Http404("没有这名党员，或无权查看")
    record_personal_data_view(actor=request.user, member=member, purpose="查看党员信息页")
    can_change = members_for(request.user, Perm.CHANGE_MEMBER).filter(pk=member.pk).exists()
    return render(request, "web/member_detail.html", {"member": member, "can_change": can_change})


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@login_required
@never_cache
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; POST marks them all read."""
    if request.method == "POST":
        mark_all_read(actor=request.user)
        return redirect("notifications")
    unread = list(unread_for(request.user)[:100])
    recent = list(
        Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=False).order_by(
            "-created_at", "-id"
        )[:30]
    )
    return render(request, "web/notifications.html", {"unread": unread, "recent": recent})
