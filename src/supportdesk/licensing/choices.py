"""Choices of the licensing app; values are the policy core's (supportdesk.policy.entitlement)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class LicenseType(models.TextChoices):
    PERPETUAL = "perpetual", gettext_noop("Perpetual")
    SUBSCRIPTION = "subscription", gettext_noop("Subscription")
    TRIAL = "trial", gettext_noop("Trial")
    FREE = "free", gettext_noop("Free")
    COMMUNITY = "community", gettext_noop("Community")
    NFR = "nfr", gettext_noop("NFR (not for resale)")


class SupportLevel(models.TextChoices):
    """The level a socket/instance line is covered at (R-7), lowest first."""

    BASIC = "basic", gettext_noop("Basic")
    PRODUCTION = "production", gettext_noop("Production")
    PREMIUM = "premium", gettext_noop("Premium")


class Lifecycle(models.TextChoices):
    """A product version's lifecycle state on a date (R-36)."""

    UNRELEASED = "unreleased", gettext_noop("Not yet released")
    GA = "ga", gettext_noop("GA/current")
    END_OF_FIX = "end_of_fix", gettext_noop("End of Fix")
    END_OF_SUPPORT = "end_of_support", gettext_noop("End of Support")
    END_OF_SALE = "end_of_sale", gettext_noop("End of Sale")

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

    OPEN = "open", gettext_noop("Asked for")
    FULFILLED = "fulfilled", gettext_noop("Sent")
    DECLINED = "declined", gettext_noop("Declined")

    @property
    def colour(self) -> str:
        return {"open": "amber", "fulfilled": "green", "declined": "grey"}[self.value]
