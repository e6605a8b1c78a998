"""Choices of the routing app: value and label together (colour where a page shows one)."""

from __future__ import annotations

from django.db import models


class Tier(models.TextChoices):
    """Support lines (R-20, R-21): L1 in the customer's language where offered, L2 and L3 in
    English."""

    L1 = "L1", "L1 (first line)"
    L2 = "L2", "L2 (second line)"
    L3 = "L3", "L3 (third line)"


class Seniority(models.TextChoices):
    JUNIOR = "junior", "Junior"
    REGULAR = "regular", "Regular"
    SENIOR = "senior", "Senior"


class AssignmentKind(models.TextChoices):
    """How a case came to its queue or engineer; each is recorded (R-10, R-20, R-21)."""

    ROUTED = "routed", "Routed on opening"
    TAKEN = "taken", "Taken by an engineer"
    ASSIGNED = "assigned", "Assigned"
    HANDED_OVER = "handed_over", "Handed over"
    ESCALATED = "escalated", "Escalated a tier"
    RELEASED = "released", "Put back in the queue"

    @property
    def colour(self) -> str:
        return {"escalated": "red", "routed": "blue"}.get(self.value, "grey")


class NumberKind(models.TextChoices):
    """R-26: support numbers are toll-free or local."""

    TOLL_FREE = "toll_free", "Toll-free"
    LOCAL = "local", "Local"
