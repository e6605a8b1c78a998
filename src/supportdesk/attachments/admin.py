from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from supportdesk.attachments.models import Attachment, Upload


class ReadOnly(admin.ModelAdmin):
    """Attachments change only through their services (the API)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnly):
    list_display = ("filename", "case", "size", "uploaded_by", "created_at")
    search_fields = ("filename", "case__number", "sha256")


@admin.register(Upload)
class UploadAdmin(ReadOnly):
    list_display = ("filename", "case", "offset", "length", "created_by", "expires_at")
    search_fields = ("filename", "case__number")
