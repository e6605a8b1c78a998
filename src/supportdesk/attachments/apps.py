from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "supportdesk.attachments"
    label = "attachments"
    verbose_name = "Attachments"
