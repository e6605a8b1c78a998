"""Choices of the knowledge app; values are the policy core's (supportdesk.policy.knowledge)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class Visibility(models.TextChoices):
    PUBLIC = "public", gettext_noop("Public: everyone")
    CUSTOMERS = "customers", gettext_noop("Customers: signed-in customers and partners")
    INTERNAL = "internal", gettext_noop("Internal: support staff only")

    @property
    def colour(self) -> str:
        return {"public": "green", "customers": "blue", "internal": "purple"}[self.value]


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("Draft")
    PUBLISHED = "published", gettext_noop("Published")

    @property
    def colour(self) -> str:
        return {"draft": "grey", "published": "green"}[self.value]


class Outcome(models.TextChoices):
    """How a new-case wizard session ended (deflection)."""

    PENDING = "pending", gettext_noop("Pending")
    DEFLECTED = "deflected", gettext_noop("Deflected: an article answered it")
    CASE_OPENED = "case_opened", gettext_noop("Case opened all the same")

    @property
    def colour(self) -> str:
        return {"pending": "grey", "deflected": "green", "case_opened": "amber"}[self.value]
