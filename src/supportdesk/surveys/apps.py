from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "supportdesk.surveys"
    label = "surveys"
    verbose_name = "Surveys"
