from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "jifen.web"
    label = "web"
    verbose_name = "页面"

    def ready(self) -> None:
        from jifen.web import signals  # noqa: F401  (audit of logins and logouts)
