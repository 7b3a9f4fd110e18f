"""The REST API under /api/ (django-ninja); filled in by jifen.api."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
