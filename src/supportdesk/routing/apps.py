from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "supportdesk.routing"
    label = "routing"
    verbose_name = "Routing"
