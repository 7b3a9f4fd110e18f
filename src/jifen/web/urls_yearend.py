"""Pages of this area; joined into `jifen.web.urls`."""

from django.urls import URLPattern, path

from jifen.web import views_yearend as views

urlpatterns: list[URLPattern] = [
    # The public: the printable notice of a publicised period (公示)
    path("board/<int:period_id>/notice/", views.publicity_notice, name="publicity_notice"),
    # The scorekeeper (the committee over the branch reads)
    path("year/", views.year_index, name="year_index"),
    path("year/<int:branch_id>/<int:year>/", views.year_overview, name="year_overview"),
    path(
        "year/<int:branch_id>/<int:year>/appraisal/",
        views.year_appraisal,
        name="year_appraisal",
    ),
    path("year/<int:branch_id>/<int:year>/results/", views.year_results, name="year_results"),
    path(
        "year/<int:branch_id>/<int:year>/lists/<slug:kind>/",
        views.year_list,
        name="year_list",
    ),
    # The member
    path("me/year/", views.my_year, name="my_year"),
]
