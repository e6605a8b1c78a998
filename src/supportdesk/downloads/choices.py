"""Choices of the downloads app; values are the policy core's (policy.entitlement)."""

from __future__ import annotations

from django.db import models


class ReleaseKind(models.TextChoices):
    GA_RELEASE = "ga_release", "GA release"
    MAINTENANCE_RELEASE = "maintenance_release", "Maintenance release"
    HOTFIX = "hotfix", "Hotfix"

    @property
    def colour(self) -> str:
        return {"ga_release": "green", "maintenance_release": "blue", "hotfix": "amber"}[self.value]
