from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from supportdesk.audit.models import AuditEvent
from supportdesk.errors import Conflict


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by services and never edited."""

    list_display = ("at", "actor", "action", "target_type", "target_repr")
    list_filter = ("action", "target_type")
    search_fields = ("target_repr", "target_id", "actor__username")
    date_hierarchy = "at"
    readonly_fields = (
        "at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "changes",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceAdmin(admin.ModelAdmin):
    """An admin page whose writes go through the domain services, like every other write:
    checked, atomic and audited.

    The service runs while the form validates (inside the admin's transaction), so that what
    it refuses is shown on the form like any other error. Subclasses say which services.
    """

    def service_create(self, request: HttpRequest, data: Mapping[str, Any], at: datetime) -> Any:
        raise NotImplementedError

    def service_update(
        self, request: HttpRequest, obj: Any, changes: Mapping[str, Any], at: datetime
    ) -> Any:
        raise NotImplementedError

    def service_delete(self, request: HttpRequest, obj: Any, at: datetime) -> None:
        raise NotImplementedError

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        base = super().get_form(request, obj, change=change, **kwargs)
        page = self

        class ServiceForm(base):  # type: ignore[valid-type,misc]
            saved: models.Model | None = None

            def _post_clean(self) -> None:
                super()._post_clean()
                if self.errors:
                    return
                at = timezone.now()
                try:
                    with transaction.atomic():
                        if obj is None:
                            self.saved = page.service_create(request, self.cleaned_data, at)
                        else:
                            changes = {name: self.cleaned_data[name] for name in self.changed_data}
                            self.saved = page.service_update(request, obj, changes, at)
                except ValidationError as exc:
                    for field, messages in _by_field(exc, self.fields).items():
                        self.add_error(field, messages)
                except (PermissionDenied, Conflict, ObjectDoesNotExist) as exc:
                    self.add_error(None, str(exc))

        return ServiceForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = form.saved
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.service_delete(request, obj, timezone.now())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        at = timezone.now()
        for obj in queryset:
            self.service_delete(request, obj, at)


def _by_field(exc: ValidationError, fields: Mapping[str, Any]) -> dict[str | None, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {None: exc.messages}
    out: dict[str | None, list[str]] = {}
    for name, messages in exc.message_dict.items():
        key = name if name in fields else None
        prefix = "" if key is not None or name == "__all__" else f"{name}: "
        out.setdefault(key, []).extend(prefix + message for message in messages)
    return out
