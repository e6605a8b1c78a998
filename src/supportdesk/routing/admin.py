from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from supportdesk.audit.admin import ServiceAdmin
from supportdesk.routing import phone, services
from supportdesk.routing.models import CaseAssignment, EngineerProfile, Queue, SupportNumber


@admin.register(Queue)
class QueueAdmin(ServiceAdmin):
    list_display = ("code", "name", "tier", "product", "language", "region")
    list_filter = ("tier", "language", "region", "product")
    search_fields = ("code", "name")

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.queue_create(
            actor=request.user, **{k: data[k] for k in services.QUEUE_FIELDS}, at=at
        )

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        return services.queue_update(actor=request.user, queue=obj, changes=changes, at=at)

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        services.queue_delete(actor=request.user, queue=obj, at=at)


@admin.register(EngineerProfile)
class EngineerProfileAdmin(ServiceAdmin):
    list_display = ("user", "tier", "seniority", "languages", "time_zone", "on_call")
    list_filter = ("tier", "seniority", "on_call", "pdm_on_duty", "queues")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    filter_horizontal = ("products", "queues")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("user",) if obj else ()

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.engineer_profile_create(
            actor=request.user,
            user=data["user"],
            tier=data["tier"],
            seniority=data["seniority"],
            languages=data["languages"],
            products=data["products"],
            queues=data["queues"],
            time_zone=data["time_zone"],
            shifts=data["shifts"],
            on_call=data["on_call"],
            pdm_on_duty=data["pdm_on_duty"],
            at=at,
        )

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        return services.engineer_profile_update(
            actor=request.user, profile=obj, changes=changes, at=at
        )

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        services.engineer_profile_delete(actor=request.user, profile=obj, at=at)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Products and queues were written by the service."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(CaseAssignment)
class CaseAssignmentAdmin(admin.ModelAdmin):
    """Read-only: written by the routing services."""

    list_display = ("at", "case", "kind", "tier", "to_queue", "to_assignee", "by")
    list_filter = ("kind", "tier")
    search_fields = ("case__number",)
    readonly_fields = (
        "case",
        "kind",
        "from_queue",
        "to_queue",
        "from_assignee",
        "to_assignee",
        "tier",
        "language",
        "reasons",
        "by",
        "at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupportNumber)
class SupportNumberAdmin(ServiceAdmin):
    list_display = ("country", "number", "kind", "label")
    list_filter = ("kind", "country")
    search_fields = ("number", "country")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return phone.support_number_create(
            actor=request.user, **{k: data[k] for k in phone.NUMBER_FIELDS}, at=at
        )

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        phone.support_number_delete(actor=request.user, number=obj, at=at)
