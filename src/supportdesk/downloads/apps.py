from django.apps import AppConfig


class DownloadsConfig(AppConfig):
    name = "supportdesk.downloads"
    label = "downloads"
    verbose_name = "Downloads and fixes"
