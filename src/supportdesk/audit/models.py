from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Audit events are written once and never changed or deleted."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are never changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events are never deleted")


class AuditEvent(models.Model):
    """One change made by a service: who did it, when, to what, and which values changed.

    Append-only: saving an existing event, updating or deleting events raises
    :class:`AppendOnlyError`; the database refuses UPDATE as well (migration 0002).
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who made the change; empty for the system (an import, the demo loader).",
    )
    action = models.CharField(max_length=64, help_text='What was done, such as "license.create".')
    target_type = models.CharField(max_length=100, help_text='Such as "licensing.license".')
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=200)
    changes = models.JSONField(
        default=dict, blank=True, help_text='{"field": [old value, new value], ...}'
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("at", "id")
        indexes = (models.Index(fields=("target_type", "target_id"), name="audit_target_idx"),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are never deleted")
