from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from supportdesk.cases.models import (
    Case,
    CaseNumberCounter,
    Comment,
    ContactAttempt,
    DiagnosticsRequest,
    FeatureRequest,
    ManagerRequest,
    Milestone,
    Resolution,
    SeverityChange,
    ThirdPartyReferral,
)


class ReadOnly(admin.ModelAdmin):
    """Cases change only through their services (the API and the console)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    fields = ("created_at", "author", "internal", "body")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SeverityChangeInline(admin.TabularInline):
    model = SeverityChange
    extra = 0
    fields = ("at", "kind", "by", "from_severity", "to_severity", "reason", "due_after")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ContactAttemptInline(admin.TabularInline):
    model = ContactAttempt
    extra = 0
    fields = ("made_at", "channel", "outcome", "made_by", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = (
        "number",
        "subject",
        "organization",
        "kind",
        "status",
        "severity",
        "program",
        "first_response_due_at",
        "first_responded_at",
    )
    list_filter = ("status", "kind", "severity", "program")
    search_fields = ("number", "subject", "organization__name")
    date_hierarchy = "opened_at"
    inlines = (CommentInline, SeverityChangeInline, ContactAttemptInline)


@admin.register(Comment)
class CommentAdmin(ReadOnly):
    list_display = ("case", "created_at", "author", "internal")
    list_filter = ("internal",)


@admin.register(SeverityChange)
class SeverityChangeAdmin(ReadOnly):
    list_display = ("case", "at", "kind", "by", "from_severity", "to_severity")
    list_filter = ("kind",)


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnly):
    list_display = ("case", "made_at", "channel", "outcome", "made_by")
    list_filter = ("channel", "outcome")


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("position", "title", "due_on", "depends_on", "done_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Resolution)
class ResolutionAdmin(ReadOnly):
    list_display = ("case", "at", "type", "by", "status_after", "severity_after")
    list_filter = ("type",)
    inlines = (MilestoneInline,)


@admin.register(Milestone)
class MilestoneAdmin(ReadOnly):
    list_display = ("resolution", "position", "title", "due_on", "done_at")


@admin.register(CaseNumberCounter)
class CaseNumberCounterAdmin(ReadOnly):
    list_display = ("year", "last")


@admin.register(ManagerRequest)
class ManagerRequestAdmin(ReadOnly):
    list_display = ("case", "requested_at", "requested_by", "status", "answered_by")
    list_filter = ("status",)


@admin.register(FeatureRequest)
class FeatureRequestAdmin(ReadOnly):
    list_display = ("case", "title", "reference", "filed_by", "filed_at")
    search_fields = ("title", "reference")


@admin.register(ThirdPartyReferral)
class ThirdPartyReferralAdmin(ReadOnly):
    list_display = ("case", "vendor", "action", "reference", "by", "at")
    list_filter = ("action",)


@admin.register(DiagnosticsRequest)
class DiagnosticsRequestAdmin(ReadOnly):
    list_display = ("case", "kind", "requested_by", "requested_at", "fulfilled_at")
    list_filter = ("kind",)
