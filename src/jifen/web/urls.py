from django.contrib.auth import views as auth_views
from django.urls import path

from jifen.web import (
    urls_committee,
    urls_exchange,
    urls_meetings,
    urls_reports,
    urls_yearend,
    views,
    views_committee,
    views_keeper,
    views_member,
    views_public,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:member_id>/", views.member_detail, name="member_detail"),
    path("notifications/", views.notifications, name="notifications"),
    # The member (mobile first)
    path("me/card/", views_member.my_card, name="my_card"),
    path("me/declare/", views_member.declare, name="declare"),
    path("me/declarations/", views_member.my_declarations, name="my_declarations"),
    path(
        "me/declarations/<int:declaration_id>/edit/",
        views_member.declaration_edit,
        name="declaration_edit",
    ),
    path("me/periods/<int:period_id>/appeal/", views_member.appeal_file, name="appeal_file"),
    # The scorekeeper
    path("work/", views_keeper.workbench, name="workbench"),
    path(
        "work/declarations/<int:declaration_id>/",
        views_keeper.declaration_review,
        name="declaration_review",
    ),
    path("work/evidence/<int:evidence_id>/", views_keeper.evidence_file, name="evidence_file"),
    path("work/periods/<int:period_id>/", views_keeper.period_detail, name="period_detail"),
    path("work/appeals/<int:appeal_id>/", views_keeper.appeal_handle, name="appeal_handle"),
    # The higher committee
    path("filings/", views_committee.filing_list, name="filing_list"),
    path("filings/<int:filing_id>/", views_committee.filing_review, name="filing_review"),
    # The public
    path("board/<int:period_id>/", views_public.publicity_board, name="publicity_board"),
    path("board/branch/<int:branch_id>/", views_public.branch_boards, name="branch_boards"),
    path("healthz", views.healthz, name="healthz"),
]
# Each area keeps its own URL module (meetings, committee, year end, reports, Excel).
urlpatterns += (
    urls_meetings.urlpatterns
    + urls_committee.urlpatterns
    + urls_yearend.urlpatterns
    + urls_reports.urlpatterns
    + urls_exchange.urlpatterns
)
