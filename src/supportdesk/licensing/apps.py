from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "supportdesk.licensing"
    label = "licensing"
    verbose_name = "Licensing"
