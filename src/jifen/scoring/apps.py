from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "jifen.scoring"
    label = "scoring"
    verbose_name = "积分办法与结果"
