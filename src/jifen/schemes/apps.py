from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "jifen.schemes"
    label = "schemes"
    verbose_name = "积分办法模板与细则"
