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
    LOWERED = "lowered", "Lowered by a resolution (R-30)"


class ContactChannel(models.TextChoices):
    """How support tried to reach the customer (R-29); mirrors ``policy.contact_attempts``."""

    PHONE = "phone", "Phone call"
    EMAIL = "email", "E-mail"


class ContactOutcome(models.TextChoices):
    """What came of an attempt (R-29); only ``reached`` is an answer."""

    NO_ANSWER = "no_answer", "No answer"
    VOICEMAIL = "voicemail", "Left a voicemail"
    BUSY = "busy", "Line busy or unreachable"
    NO_REPLY = "no_reply", "E-mail sent, no reply"
    REACHED = "reached", "Reached the customer"


class ResolutionType(models.TextChoices):
    """R-30, R-31; mirrors ``policy.resolutions.TYPES``."""

    SOFTWARE_FIX = "software_fix", "Software that fixes the problem"
    PERMANENT_WORKAROUND = "permanent_workaround", "Permanent business or system workaround"
    TEMPORARY_WORKAROUND = "temporary_workaround", "Temporary workaround"
    ACTION_PLAN = "action_plan", "Action plan for a fix or workaround"
    ENHANCEMENT_NEEDED = (
        "enhancement_needed",
        "Needs a customization or enhancement outside maintenance",
    )
    OUT_OF_SCOPE = "out_of_scope", "Out of scope of support"


class OutOfScope(models.TextChoices):
    """R-31; mirrors ``policy.resolutions.OUT_OF_SCOPE``."""

    INSTALLATION = "installation", "Installation of the products"
    CONFIGURATION = "configuration", "Configuration of the products"
    UPGRADE = "upgrade", "Upgrades of the products"
    CUSTOM_SCRIPTS = "custom_scripts", "Writing or debugging custom scripts"


class ManagerRequestStatus(models.TextChoices):
    """R-32."""

    OPEN = "open", "Waiting for a support manager"
    ANSWERED = "answered", "Answered by a support manager"


class ThirdPartyAction(models.TextChoices):
    """What support did about a third-party product (R-35)."""

    SUSPECTED = "suspected", "A third-party product may cause the problem"
    REMOVAL_REQUESTED = "removal_requested", "Asked the customer to remove it to isolate the issue"
    TSANET = "tsanet", "Contacted the vendor through TSANet"
    CUSTOMER_OPENS_VENDOR_CASE = (
        "customer_opens_vendor_case",
        "Asked the customer to open a case with the vendor",
    )


class DiagnosticsKind(models.TextChoices):
    """How support collects diagnostics (R-27)."""

    LOG_UPLOAD = "log_upload", "Log upload"
    REMOTE_SESSION = "remote_session", "Remote session"
