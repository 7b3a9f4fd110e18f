from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "jifen.meetings"
    label = "meetings"
    verbose_name = "会议与服务评价"

    def ready(self) -> None:
        # A bad attendance configuration stops the start, not a branch's posting later.
        from jifen.meetings import config

        config.load()
