"""Choices of the cases app: value and label together (colour where a page shows one).

Case kinds and states mirror the policy core (``policy.case_kinds``, ``policy/case_states.py``);
a test keeps them equal.
"""

from __future__ import annotations

from django.db import models


class CaseKind(models.TextChoices):
    """R-24."""

    TECHNICAL = "technical", "Technical"
    LICENSING = "licensing", "Licensing"
    GENERAL_INQUIRY = "general_inquiry", "General inquiry or feedback"
    FEATURE_REQUEST = "feature_request", "Feature request"


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_FOR_CUSTOMER = "waiting_for_customer", "Waiting for customer"
    WAITING_FOR_THIRD_PARTY = "waiting_for_third_party", "Waiting for third party"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"

    @property
    def colour(self) -> str:
        return {
            "new": "blue",
            "in_progress": "green",
            "waiting_for_customer": "orange",
            "waiting_for_third_party": "orange",
            "resolved": "grey",
            "closed": "grey",
        }[self.value]


class ContactMethod(models.TextChoices):
    """The preferred way to be reached (R-22)."""

    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"


class SeverityChangeKind(models.TextChoices):
    """R-14: the customer proposes (at opening) or requests (later); support agrees."""

    PROPOSED = "proposed", "Proposed by the customer at opening"
    REQUESTED = "requested", "Requested by the customer"
    AGREED = "agreed", "Agreed by support"
