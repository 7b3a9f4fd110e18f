from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jifen.core"
    label = "core"
    verbose_name = "审计与基础"

    def ready(self) -> None:
        from jifen.core import checks  # noqa: F401  (registers the system checks)
