from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "supportdesk.cases"
    label = "cases"
    verbose_name = "Cases"
