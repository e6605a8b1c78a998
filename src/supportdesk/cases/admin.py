from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from supportdesk.cases.models import Case, CaseNumberCounter, Comment, SeverityChange


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
    inlines = (CommentInline, SeverityChangeInline)


@admin.register(Comment)
class CommentAdmin(ReadOnly):
    list_display = ("case", "created_at", "author", "internal")
    list_filter = ("internal",)


@admin.register(SeverityChange)
class SeverityChangeAdmin(ReadOnly):
    list_display = ("case", "at", "kind", "by", "from_severity", "to_severity")
    list_filter = ("kind",)


@admin.register(CaseNumberCounter)
class CaseNumberCounterAdmin(ReadOnly):
    list_display = ("year", "last")
