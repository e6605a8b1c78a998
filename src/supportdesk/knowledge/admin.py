"""Staff write the knowledge base here (the console), through the services: checked, atomic,
audited. Wizard sessions are read-only: they are a record of what customers were shown."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from supportdesk.audit.admin import ServiceAdmin
from supportdesk.knowledge import services
from supportdesk.knowledge.models import Article, Category, Deflection, SuggestionShown


@admin.register(Category)
class CategoryAdmin(ServiceAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.category_create(
            actor=request.user,
            slug=data["slug"],
            name=data["name"],
            position=data["position"],
            at=at,
        )

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        return services.category_update(actor=request.user, category=obj, changes=changes, at=at)

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        services.category_delete(actor=request.user, category=obj, at=at)


@admin.register(Article)
class ArticleAdmin(ServiceAdmin):
    list_display = ("title", "language", "category", "visibility", "status", "published_at")
    list_filter = ("status", "visibility", "language", "category")
    search_fields = ("title", "slug")
    filter_horizontal = ("products", "versions")
    fields = (
        "slug",
        "language",
        "title",
        "summary",
        "body",
        "category",
        "products",
        "versions",
        "visibility",
        "status",
    )

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.article_create(
            actor=request.user,
            slug=data["slug"],
            language=data["language"],
            title=data["title"],
            summary=data["summary"],
            body=data["body"],
            category=data["category"],
            products=list(data["products"]),
            versions=list(data["versions"]),
            visibility=data["visibility"],
            status=data["status"],
            at=at,
        )

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        fields = dict(changes)
        products = fields.pop("products", None)
        versions = fields.pop("versions", None)
        return services.article_update(
            actor=request.user,
            article=obj,
            changes=fields,
            products=list(products) if products is not None else None,
            versions=list(versions) if versions is not None else None,
            at=at,
        )

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        services.article_delete(actor=request.user, article=obj, at=at)


class ShownInline(admin.TabularInline):
    model = SuggestionShown
    extra = 0
    can_delete = False
    fields = ("article", "query", "best_rank", "times_shown", "first_shown_at")
    readonly_fields = fields


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ("pk", "user", "organization", "started_at", "outcome", "case", "resolved_by")
    list_filter = ("outcome",)
    inlines = (ShownInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
