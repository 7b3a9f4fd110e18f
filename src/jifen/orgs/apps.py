from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "jifen.orgs"
    label = "orgs"
    verbose_name = "组织与权限"
