from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from supportdesk.surveys.models import Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Results for management (R-34); written only by the survey's own link."""

    list_display = ("case", "recipient_email", "answered_at", "resolution", "overall")
    list_filter = ("overall",)
    search_fields = ("case__number", "recipient_email")
    exclude = ("token_digest",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
