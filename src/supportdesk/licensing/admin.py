from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from supportdesk.audit.admin import ServiceAdmin
from supportdesk.errors import Conflict
from supportdesk.licensing import services
from supportdesk.licensing.lines import format_lines, parse_lines
from supportdesk.licensing.models import (
    License,
    LicenseUpdateRequest,
    Product,
    ProductVersion,
    SupportId,
)
from supportdesk.licensing.selectors import version_lifecycle


class VersionInline(admin.TabularInline):
    model = ProductVersion
    extra = 0
    show_change_link = True
    fields = ("version", "ga", "end_of_fix", "end_of_support", "end_of_sale")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(ServiceAdmin):
    list_display = ("name", "code", "is_flagship")
    search_fields = ("name", "code")
    inlines = (VersionInline,)

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.product_create(
            actor=request.user,
            code=data["code"],
            name=data["name"],
            is_flagship=data["is_flagship"],
            at=at,
        )

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        return services.product_update(actor=request.user, product=obj, changes=changes, at=at)

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        services.product_delete(actor=request.user, product=obj, at=at)


@admin.register(ProductVersion)
class ProductVersionAdmin(ServiceAdmin):
    list_display = (
        "product",
        "version",
        "ga",
        "end_of_fix",
        "end_of_support",
        "end_of_sale",
        "lifecycle_today",
    )
    list_filter = ("product",)
    search_fields = ("product__name", "version")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("product",) if obj else ()

    @admin.display(description="lifecycle today (UTC)")
    def lifecycle_today(self, obj: ProductVersion) -> str:
        return version_lifecycle(obj, timezone.now().date())

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.product_version_create(
            actor=request.user,
            product=data["product"],
            version=data["version"],
            ga=data["ga"],
            end_of_fix=data["end_of_fix"],
            end_of_support=data["end_of_support"],
            end_of_sale=data["end_of_sale"],
            at=at,
        )

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        return services.product_version_update(
            actor=request.user, version=obj, changes=changes, at=at
        )

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        services.product_version_delete(actor=request.user, version=obj, at=at)


class SupportIdInline(admin.TabularInline):
    model = SupportId
    extra = 0
    fields = ("code", "created_at", "revoked_at")
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LicenseForm(forms.ModelForm):
    lines = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="COUNT USE LEVEL; ...: such as 6 prod production; 4 prod basic; 2 nonprod basic.",
    )

    class Meta:
        model = License
        fields = (
            "organization",
            "product",
            "license_type",
            "valid_from",
            "valid_until",
            "maintenance_from",
            "maintenance_until",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["lines"] = format_lines(line.facts() for line in self.instance.lines.all())

    def clean_lines(self) -> Any:
        try:
            return parse_lines(self.cleaned_data["lines"] or "")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


@admin.register(License)
class LicenseAdmin(ServiceAdmin):
    form = LicenseForm
    list_display = (
        "organization",
        "product",
        "license_type",
        "valid_until",
        "maintenance_until",
        "support_ids_list",
    )
    list_filter = ("license_type", "product")
    search_fields = ("organization__name", "support_ids__code")
    autocomplete_fields = ("organization",)
    inlines = (SupportIdInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("organization", "product") if obj else ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[License]:
        return super().get_queryset(request).prefetch_related("support_ids")

    @admin.display(description="Support IDs")
    def support_ids_list(self, obj: License) -> str:
        return ", ".join(sid.code for sid in obj.support_ids.all() if sid.revoked_at is None)

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.license_create(
            actor=request.user,
            organization=data["organization"],
            product=data["product"],
            license_type=data["license_type"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            maintenance_from=data["maintenance_from"],
            maintenance_until=data["maintenance_until"],
            lines=data["lines"],
            at=at,
        )

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        fields = {name: value for name, value in changes.items() if name != "lines"}
        return services.license_update(
            actor=request.user,
            license=obj,
            changes=fields,
            lines=changes.get("lines"),
            at=at,
        )

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        services.license_delete(actor=request.user, license=obj, at=at)


class SupportIdForm(forms.ModelForm):
    class Meta:
        model = SupportId
        fields = ("license", "code")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "code" in self.fields:
            self.fields["code"].required = False
            self.fields["code"].help_text = "Empty: a new random one."


@admin.register(SupportId)
class SupportIdAdmin(ServiceAdmin):
    """Support IDs are created and revoked, never edited: a revoked code is never reused."""

    form = SupportIdForm
    list_display = ("code", "license", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("code", "license__organization__name")
    autocomplete_fields = ("license",)
    actions = ("revoke",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code", "license", "created_at", "revoked_at") if obj else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.support_id_create(
            actor=request.user, license=data["license"], code=data["code"] or None, at=at
        )

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        return obj

    @admin.action(description="Revoke the selected Support IDs")
    def revoke(self, request: HttpRequest, queryset: QuerySet[SupportId]) -> None:
        at = timezone.now()
        for sid in queryset:
            services.support_id_revoke(actor=request.user, support_id=sid, at=at)
        messages.success(request, f"Revoked {queryset.count()} Support IDs.")


class DeclineForm(forms.Form):
    answer = forms.CharField(
        label="Why the update is declined (the asker reads it)",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
    )


@admin.register(LicenseUpdateRequest)
class LicenseUpdateRequestAdmin(admin.ModelAdmin):
    """The license desk's queue of update requests (R-3): sent or declined through the
    service (audited, and the asker is mailed); nothing is edited by hand. Declining asks
    for the reason on a page of its own, as the API's ``.../decline`` takes it."""

    list_display = ("license", "requested_by", "created_at", "state", "decided_at")
    list_filter = ("state",)
    search_fields = ("license__organization__name", "license__product__name", "note")
    fields = ("license", "requested_by", "note", "created_at", "state", "decided_at",
              "decided_by", "answer")  # fmt: skip
    readonly_fields = fields
    actions = ("fulfil", "decline")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @staticmethod
    def _decide(
        request: HttpRequest,
        chosen: Iterable[LicenseUpdateRequest],
        *,
        fulfilled: bool,
        answer: str,
    ) -> int:
        """Each open request decided through the service; one decided by someone else
        meanwhile is left as it is. How many were decided here."""
        at = timezone.now()
        done = 0
        for made in chosen:
            try:
                services.license_update_decide(
                    actor=request.user, request=made, fulfilled=fulfilled, answer=answer, at=at
                )
            except Conflict:
                continue
            done += 1
        return done

    @admin.action(description="Mark the selected requests as sent")
    def fulfil(self, request: HttpRequest, queryset: QuerySet[LicenseUpdateRequest]) -> None:
        done = self._decide(request, queryset.filter(state="open"), fulfilled=True, answer="")
        messages.success(request, f"Marked {done} requests as sent.")

    @admin.action(description="Decline the selected requests, saying why")
    def decline(
        self, request: HttpRequest, queryset: QuerySet[LicenseUpdateRequest]
    ) -> TemplateResponse | None:
        """First the page that asks why (for the open ones among those selected), then, when
        it is sent with a reason, each declined through the service."""
        chosen = list(queryset.filter(state="open").select_related("license__organization"))
        if not chosen:
            messages.warning(request, "None of the selected requests is open.")
            return None
        form = DeclineForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            answer = form.cleaned_data["answer"]
            done = self._decide(request, chosen, fulfilled=False, answer=answer)
            messages.success(request, f"Declined {done} requests; the askers are told why.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Decline license update requests",
            "opts": self.model._meta,
            "chosen": chosen,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/licensing/decline_update_requests.html", context)
