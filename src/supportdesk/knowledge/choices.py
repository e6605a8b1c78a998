"""Choices of the knowledge app; values are the policy core's (supportdesk.policy.knowledge)."""

from __future__ import annotations

from django.db import models


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: everyone"
    CUSTOMERS = "customers", "Customers: signed-in customers and partners"
    INTERNAL = "internal", "Internal: support staff only"

    @property
    def colour(self) -> str:
        return {"public": "green", "customers": "blue", "internal": "purple"}[self.value]


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"

    @property
    def colour(self) -> str:
        return {"draft": "grey", "published": "green"}[self.value]


class Outcome(models.TextChoices):
    """How a new-case wizard session ended (deflection)."""

    PENDING = "pending", "Pending"
    DEFLECTED = "deflected", "Deflected: an article answered it"
    CASE_OPENED = "case_opened", "Case opened all the same"

    @property
    def colour(self) -> str:
        return {"pending": "grey", "deflected": "green", "case_opened": "amber"}[self.value]
