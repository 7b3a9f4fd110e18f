"""Pages of this area; joined into `jifen.web.urls`."""

from django.urls import URLPattern, path

from jifen.web import views_entries, views_meetings

urlpatterns: list[URLPattern] = [
    path("work/register/", views_entries.register, name="register_entries"),
    path("work/meetings/", views_meetings.meeting_list, name="meeting_list"),
    path("work/meetings/new/", views_meetings.meeting_create, name="meeting_create"),
    path("work/meetings/<int:meeting_id>/", views_meetings.meeting_detail, name="meeting_detail"),
    path(
        "work/meetings/<int:meeting_id>/attendance/",
        views_meetings.meeting_attendance,
        name="meeting_attendance",
    ),
    path(
        "work/declarations/<int:declaration_id>/attestations/",
        views_meetings.attestation_request,
        name="attestation_request",
    ),
    # The public: the token is the permission (no login).
    path("attest/<str:token>/", views_meetings.attest, name="attest"),
    path("attest/<str:token>/qr.svg", views_meetings.attest_qr, name="attest_qr"),
]
