"""Choices of the downloads app; values are the policy core's (policy.entitlement)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class ReleaseKind(models.TextChoices):
    GA_RELEASE = "ga_release", gettext_noop("GA release")
    MAINTENANCE_RELEASE = "maintenance_release", gettext_noop("Maintenance release")
    HOTFIX = "hotfix", gettext_noop("Hotfix")

    @property
    def colour(self) -> str:
        return {"ga_release": "green", "maintenance_release": "blue", "hotfix": "amber"}[self.value]
