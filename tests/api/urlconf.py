"""Only the API, mounted where the project mounts it: the API tests do not depend on the
page modules that other areas are changing."""

from django.urls import include, path

urlpatterns = [path("api/", include("jifen.api.urls"))]
