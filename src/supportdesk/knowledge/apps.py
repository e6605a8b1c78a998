from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "supportdesk.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"
