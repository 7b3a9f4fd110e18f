from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "jifen.members"
    label = "members"
    verbose_name = "党员"
