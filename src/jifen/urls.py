from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "积分 Jifen 后台管理"
admin.site.site_title = "积分 Jifen"
admin.site.index_title = "党员积分管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("jifen.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("jifen.web.urls")),
]
