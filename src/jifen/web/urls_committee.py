"""Pages of this area; joined into `jifen.web.urls`: the committee's schemes (templates
and refinements), exemption approvals and the dashboard of its subtree."""

from django.urls import URLPattern, path

from jifen.web import views_dashboard, views_exemptions, views_schemes

urlpatterns: list[URLPattern] = [
    path("committee/schemes/", views_schemes.scheme_list, name="scheme_list"),
    path("committee/schemes/new/", views_schemes.scheme_new, name="scheme_new"),
    path(
        "committee/schemes/<int:version_id>/", views_schemes.scheme_version, name="scheme_version"
    ),
    path("committee/schemes/<int:version_id>/diff/", views_schemes.scheme_diff, name="scheme_diff"),
    path("exemptions/", views_exemptions.exemption_list, name="exemption_list"),
    path("exemptions/new/", views_exemptions.exemption_request, name="exemption_request"),
    path(
        "exemptions/<int:exemption_id>/",
        views_exemptions.exemption_decide,
        name="exemption_decide",
    ),
    path("committee/dashboard/", views_dashboard.dashboard, name="dashboard"),
]
