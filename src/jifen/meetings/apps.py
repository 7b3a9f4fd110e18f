from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "jifen.meetings"
    label = "meetings"
    verbose_name = "会议与服务评价"
