from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from supportdesk.notifications.models import OutboundMail, SlaAlert
from supportdesk.notifications.services import mail_requeue


class ReadOnly(admin.ModelAdmin):
    """Written only by the services and the worker."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboundMail)
class OutboundMailAdmin(ReadOnly):
    list_display = ("created_at", "kind", "to_address", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "language")
    search_fields = ("to_address", "subject", "thread", "message_id")
    date_hierarchy = "created_at"
    actions = ("requeue",)

    @admin.action(description="Try the selected failed mails again")
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboundMail]) -> None:
        now = timezone.now()
        done = 0
        for mail in queryset.filter(status="failed"):
            mail_requeue(mail=mail, at=now)
            done += 1
        self.message_user(request, f"{done} mail(s) queued again.", messages.SUCCESS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # the requeue action needs it; every field stays read-only
        return bool(request.user.is_superuser) and obj is None


@admin.register(SlaAlert)
class SlaAlertAdmin(ReadOnly):
    list_display = ("case", "kind", "due_at", "at", "recorded_at")
    list_filter = ("kind",)
    search_fields = ("case__number",)
