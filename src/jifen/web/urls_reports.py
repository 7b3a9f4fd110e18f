"""Pages of this area; joined into `jifen.web.urls`.

One URL per report (`report_<slug>`), so that the authorisation matrix has a row for each;
`?as=print` gives the print view, `?as=xlsx` the workbook.
"""

from functools import partial

from django.urls import URLPattern, path

from jifen.reports.catalogue import REPORTS
from jifen.web import views_reports

urlpatterns: list[URLPattern] = [
    path("reports/", views_reports.reports_index, name="reports_index"),
    path("reports/card/<int:member_id>/", views_reports.report_card, name="report_card"),
    *(
        path(
            f"reports/org/<int:org_id>/{slug}/",
            partial(views_reports.report_of_organisation, slug=slug),
            name=f"report_{slug}",
        )
        for slug in REPORTS
    ),
]
