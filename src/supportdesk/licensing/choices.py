"""Choices of the licensing app; values are the policy core's (supportdesk.policy.entitlement)."""

from __future__ import annotations

from django.db import models


class LicenseType(models.TextChoices):
    PERPETUAL = "perpetual", "Perpetual"
    SUBSCRIPTION = "subscription", "Subscription"
    TRIAL = "trial", "Trial"
    FREE = "free", "Free"
    COMMUNITY = "community", "Community"
    NFR = "nfr", "NFR (not for resale)"


class SupportLevel(models.TextChoices):
    """The level a socket/instance line is covered at (R-7), lowest first."""

    BASIC = "basic", "Basic"
    PRODUCTION = "production", "Production"
    PREMIUM = "premium", "Premium"


class Lifecycle(models.TextChoices):
    """A product version's lifecycle state on a date (R-36)."""

    UNRELEASED = "unreleased", "Not yet released"
    GA = "ga", "GA/current"
    END_OF_FIX = "end_of_fix", "End of Fix"
    END_OF_SUPPORT = "end_of_support", "End of Support"
    END_OF_SALE = "end_of_sale", "End of Sale"

    @property
    def colour(self) -> str:
        return {
            "unreleased": "grey",
            "ga": "green",
            "end_of_fix": "amber",
            "end_of_support": "red",
            "end_of_sale": "red",
        }[self.value]


class UpdateRequestState(models.TextChoices):
    """A license update request's course (R-3): asked for, then sent or declined."""

    OPEN = "open", "Asked for"
    FULFILLED = "fulfilled", "Sent"
    DECLINED = "declined", "Declined"

    @property
    def colour(self) -> str:
        return {"open": "amber", "fulfilled": "green", "declined": "grey"}[self.value]
