"""Pages of this area; joined into `jifen.web.urls`."""

from django.urls import URLPattern, path

from jifen.web import views_exchange

urlpatterns: list[URLPattern] = [
    path("exchange/import/", views_exchange.import_upload, name="exchange_import"),
    path("exchange/import/<int:run_id>/", views_exchange.import_run, name="exchange_run"),
    path(
        "exchange/import/<int:run_id>/errors.xlsx",
        views_exchange.import_errors,
        name="exchange_errors",
    ),
    path(
        "exchange/template/<str:kind>.xlsx",
        views_exchange.import_template,
        name="exchange_template",
    ),
]
