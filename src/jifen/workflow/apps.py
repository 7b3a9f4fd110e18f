from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "jifen.workflow"
    label = "workflow"
    verbose_name = "申报、申辩与期间流程"
