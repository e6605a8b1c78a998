"""Staff publish releases and workarounds here, through the services (audited, announced).
A published release is not edited: publish a new one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from supportdesk.audit.admin import ServiceAdmin
from supportdesk.downloads import services
from supportdesk.downloads.models import DigestSubscription, Release, Workaround


@admin.register(Release)
class ReleaseAdmin(ServiceAdmin):
    list_display = ("name", "version", "kind", "published_at", "announced_at")
    list_filter = ("kind", "version__product")
    fields = ("version", "kind", "name", "title", "notes", "url", "sha256", "size_bytes")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.release_publish(actor=request.user, at=at, **data)


@admin.register(Workaround)
class WorkaroundAdmin(ServiceAdmin):
    list_display = ("title", "version", "created_at")
    fields = ("version", "title", "text")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.workaround_create(actor=request.user, at=at, **data)


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "last_sent_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
