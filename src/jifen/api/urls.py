"""The REST API under /api/ (django-ninja): the document at /api/openapi.json, the
interactive docs at /api/docs (Swagger UI served from local static files)."""

from django.urls import path

from jifen.api.main import api

urlpatterns = [path("", api.urls)]
