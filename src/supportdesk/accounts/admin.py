from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from supportdesk.accounts import services
from supportdesk.accounts.choices import MembershipRole
from supportdesk.accounts.models import (
    ApiToken,
    Delegation,
    Invitation,
    Membership,
    Organization,
    PasswordReset,
    User,
)
from supportdesk.audit.admin import ServiceAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Preferences", {"fields": ("time_zone", "language")}),
        ("Vendor staff", {"fields": ("staff_role",)}),
    )
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "staff_role",
        "time_zone",
    )
    list_filter = (*DjangoUserAdmin.list_filter, "staff_role")


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(_ReadOnlyInline):
    model = Membership
    fields = ("user", "role", "created_at")


class DelegationInline(_ReadOnlyInline):
    model = Delegation
    fk_name = "customer"
    fields = ("partner", "starts_at", "ends_at", "granted_by")
    verbose_name_plural = "delegations to partners"


@admin.register(Organization)
class OrganizationAdmin(ServiceAdmin):
    list_display = ("name", "kind", "country", "region", "time_zone", "language", "pdm")
    list_filter = ("kind", "region", "country")
    search_fields = ("name",)
    fields = (
        "name",
        "kind",
        "country",
        "subdivision",
        "time_zone",
        "region",
        "language",
        "pdm",
        "created_at",
    )
    readonly_fields = ("created_at",)
    inlines = (MembershipInline, DelegationInline)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["region"].required = False
        form.base_fields["region"].help_text = "Empty: derived from the country (R-20)."
        return form

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.organization_create(
            actor=request.user,
            name=data["name"],
            kind=data["kind"],
            country=data["country"],
            subdivision=data["subdivision"],
            time_zone=data["time_zone"],
            region=data["region"] or None,
            language=data["language"],
            pdm=data["pdm"],
            at=at,
        )

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        changes = {k: v for k, v in changes.items() if not (k == "region" and not v)}
        return services.organization_update(
            actor=request.user, organization=obj, changes=changes, at=at
        )

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        services.organization_delete(actor=request.user, organization=obj, at=at)


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role", "organization__kind")
    search_fields = ("user__username", "organization__name")
    autocomplete_fields = ("user", "organization")
    readonly_fields = ("created_at",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("organization", "user", "created_at") if obj else ("created_at",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # an organization keeps at least one license administrator (R-1)
        if obj is not None and obj.role == MembershipRole.LICENSE_ADMIN:
            others = Membership.objects.filter(
                organization_id=obj.organization_id, role=MembershipRole.LICENSE_ADMIN
            ).exclude(pk=obj.pk)
            if not others.exists():
                return False
        return super().has_delete_permission(request, obj)

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.membership_create(
            actor=request.user,
            organization=data["organization"],
            user=data["user"],
            role=data["role"],
            at=at,
        )

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        return services.membership_update(
            actor=request.user, membership=obj, role=changes.get("role", obj.role), at=at
        )

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        services.membership_delete(actor=request.user, membership=obj, at=at)


@admin.register(Delegation)
class DelegationAdmin(ServiceAdmin):
    list_display = ("customer", "partner", "starts_at", "ends_at", "granted_by")
    list_filter = ("partner",)
    search_fields = ("customer__name", "partner__name")
    autocomplete_fields = ("customer", "partner")
    readonly_fields = ("granted_by", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj:
            return ("customer", "partner", "granted_by", "created_at")
        return ("granted_by", "created_at")

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        return services.delegation_create(
            actor=request.user,
            customer=data["customer"],
            partner=data["partner"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            at=at,
        )

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        return services.delegation_update(
            actor=request.user, delegation=obj, changes=changes, at=at
        )

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        services.delegation_delete(actor=request.user, delegation=obj, at=at)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff see tokens (never the secret: only its hash is kept); owners create and revoke
    their own through the API."""

    list_display = ("name", "user", "prefix", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "name", "prefix", "digest", "created_at", "revoked_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PasswordReset)
class PasswordResetAdmin(admin.ModelAdmin):
    """Staff see who asked for a reset link and whether it was used (never the token: only
    its hash is kept, and not shown); links are made and used only through the portal."""

    list_display = ("user", "created_at", "expires_at", "used_at")
    list_filter = ("used_at",)
    search_fields = ("user__username", "user__email")
    fields = ("user", "created_at", "expires_at", "used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Staff see who was invited where, by whom, and what became of it (never the token: only
    its hash is kept, and not shown); invitations are made and accepted through the portal and
    the API, which check and audit them."""

    list_display = ("email", "organization", "role", "invited_by", "created_at", "expires_at",
                    "accepted_at", "ended_at")  # fmt: skip
    list_filter = ("role", "accepted_at", "ended_at")
    search_fields = ("email", "organization__name")
    fields = ("organization", "email", "role", "invited_by", "created_at", "expires_at",
              "accepted_at", "accepted_by", "ended_at", "ended_by")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
