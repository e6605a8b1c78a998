"""Choices of the cases app: value and label together (colour where a page shows one).

Case kinds and states mirror the policy core (``policy.case_kinds``, ``policy/case_states.py``);
a test keeps them equal.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class CaseKind(models.TextChoices):
    """R-24."""

    TECHNICAL = "technical", gettext_noop("Technical")
    LICENSING = "licensing", gettext_noop("Licensing")
    GENERAL_INQUIRY = "general_inquiry", gettext_noop("General inquiry or feedback")
    FEATURE_REQUEST = "feature_request", gettext_noop("Feature request")


class CaseStatus(models.TextChoices):
    NEW = "new", gettext_noop("New")
    IN_PROGRESS = "in_progress", gettext_noop("In progress")
    WAITING_FOR_CUSTOMER = "waiting_for_customer", gettext_noop("Waiting for customer")
    WAITING_FOR_THIRD_PARTY = "waiting_for_third_party", gettext_noop("Waiting for third party")
    RESOLVED = "resolved", gettext_noop("Resolved")
    CLOSED = "closed", gettext_noop("Closed")

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

    EMAIL = "email", gettext_noop("E-mail")
    PHONE = "phone", gettext_noop("Phone")


class SeverityChangeKind(models.TextChoices):
    """R-14: the customer proposes (at opening) or requests (later); support agrees."""

    PROPOSED = "proposed", gettext_noop("Proposed by the customer at opening")
    REQUESTED = "requested", gettext_noop("Requested by the customer")
    AGREED = "agreed", gettext_noop("Agreed by support")
    LOWERED = "lowered", gettext_noop("Lowered by a resolution (R-30)")


class ContactChannel(models.TextChoices):
    """How support tried to reach the customer (R-29); mirrors ``policy.contact_attempts``."""

    PHONE = "phone", gettext_noop("Phone call")
    EMAIL = "email", gettext_noop("E-mail")


class ContactOutcome(models.TextChoices):
    """What came of an attempt (R-29); only ``reached`` is an answer."""

    NO_ANSWER = "no_answer", gettext_noop("No answer")
    VOICEMAIL = "voicemail", gettext_noop("Left a voicemail")
    BUSY = "busy", gettext_noop("Line busy or unreachable")
    NO_REPLY = "no_reply", gettext_noop("E-mail sent, no reply")
    REACHED = "reached", gettext_noop("Reached the customer")


class ResolutionType(models.TextChoices):
    """R-30, R-31; mirrors ``policy.resolutions.TYPES``."""

    SOFTWARE_FIX = "software_fix", gettext_noop("Software that fixes the problem")
    PERMANENT_WORKAROUND = (
        "permanent_workaround",
        gettext_noop("Permanent business or system workaround"),
    )
    TEMPORARY_WORKAROUND = "temporary_workaround", gettext_noop("Temporary workaround")
    ACTION_PLAN = "action_plan", gettext_noop("Action plan for a fix or workaround")
    ENHANCEMENT_NEEDED = (
        "enhancement_needed",
        gettext_noop("Needs a customization or enhancement outside maintenance"),
    )
    OUT_OF_SCOPE = "out_of_scope", gettext_noop("Out of scope of support")


class OutOfScope(models.TextChoices):
    """R-31; mirrors ``policy.resolutions.OUT_OF_SCOPE``."""

    INSTALLATION = "installation", gettext_noop("Installation of the products")
    CONFIGURATION = "configuration", gettext_noop("Configuration of the products")
    UPGRADE = "upgrade", gettext_noop("Upgrades of the products")
    CUSTOM_SCRIPTS = "custom_scripts", gettext_noop("Writing or debugging custom scripts")


class ManagerRequestStatus(models.TextChoices):
    """R-32."""

    OPEN = "open", gettext_noop("Waiting for a support manager")
    ANSWERED = "answered", gettext_noop("Answered by a support manager")


class ThirdPartyAction(models.TextChoices):
    """What support did about a third-party product (R-35)."""

    SUSPECTED = "suspected", gettext_noop("A third-party product may cause the problem")
    REMOVAL_REQUESTED = (
        "removal_requested",
        gettext_noop("Asked the customer to remove it to isolate the issue"),
    )
    TSANET = "tsanet", gettext_noop("Contacted the vendor through TSANet")
    CUSTOMER_OPENS_VENDOR_CASE = (
        "customer_opens_vendor_case",
        gettext_noop("Asked the customer to open a case with the vendor"),
    )


class DiagnosticsKind(models.TextChoices):
    """How support collects diagnostics (R-27)."""

    LOG_UPLOAD = "log_upload", gettext_noop("Log upload")
    REMOTE_SESSION = "remote_session", gettext_noop("Remote session")
