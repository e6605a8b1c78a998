from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "supportdesk.audit"
    label = "audit"
    verbose_name = "Audit trail"
