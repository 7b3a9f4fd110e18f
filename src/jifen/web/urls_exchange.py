"""Pages of this area; joined into `jifen.web.urls`."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
