"""Cases (R-1, R-2, R-13 to R-24, R-37), their comments and their severity history.

A case keeps the first-response clock it was opened with (program, hours, target, clock, the
policy in force, the customer's place): later changes to licenses or to the policy file do
not move a due time already promised. Only the services of :mod:`supportdesk.cases.services`
write these rows.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from supportdesk.accounts.models import Organization, User
from supportdesk.cases.choices import (
    CaseKind,
    CaseStatus,
    ContactChannel,
    ContactMethod,
    ContactOutcome,
    DiagnosticsKind,
    ManagerRequestStatus,
    OutOfScope,
    ResolutionType,
    SeverityChangeKind,
    ThirdPartyAction,
)
from supportdesk.licensing.models import Product, ProductVersion, SupportId

SEVERITY = (MinValueValidator(1), MaxValueValidator(4))


class CaseNumberCounter(models.Model):
    """The last case number handed out in a year; incremented under its row lock."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(models.Model):
    number = models.CharField(
        max_length=20, unique=True, help_text="Unique and human-friendly, such as C-2026-000123."
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases")
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="cases_opened")
    idempotency_key = models.CharField(
        max_length=100, blank=True, default="", help_text="The opener's key for a retried submit."
    )
    idempotency_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="SHA-256 of the submission the key came with: a retry must repeat it.",
    )
    kind = models.CharField(max_length=20, choices=CaseKind.choices)
    status = models.CharField(max_length=30, choices=CaseStatus.choices, default=CaseStatus.NEW)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped by every write; a write names the version it read."
    )

    # what the problem is in
    support_id = models.ForeignKey(
        SupportId, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="cases")
    product_version = models.ForeignKey(
        ProductVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    maintenance_level = models.CharField(max_length=100, blank=True, default="")

    # the problem
    subject = models.CharField(max_length=200)
    description = models.TextField()
    business_impact = models.TextField(blank=True, default="")
    error_text = models.TextField(blank=True, default="")
    diagnostics = models.TextField(blank=True, default="")
    steps_to_reproduce = models.TextField(blank=True, default="")
    known_workarounds = models.TextField(blank=True, default="")

    # how to reach the customer
    contact_phone = models.CharField(max_length=32, blank=True, default="", help_text="E.164.")
    contact_email = models.EmailField()
    best_time_to_reach = models.CharField(max_length=200, blank=True, default="")
    preferred_contact = models.CharField(
        max_length=10, choices=ContactMethod.choices, default=ContactMethod.EMAIL
    )

    # severity
    proposed_severity = models.PositiveSmallIntegerField(validators=SEVERITY)
    severity = models.PositiveSmallIntegerField(
        validators=SEVERITY, help_text="The severity in force: proposed until agreed."
    )
    severity_agreed_at = models.DateTimeField(null=True, blank=True)
    requested_severity = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=SEVERITY, help_text="A customer's pending request."
    )
    technical_contact_available = models.BooleanField(default=False)
    round_the_clock = models.BooleanField(
        default=False, help_text="Worked around the clock (R-15)."
    )

    # the first-response clock, frozen at opening
    program = models.CharField(max_length=20, blank=True, default="")
    hours_label = models.CharField(max_length=100, blank=True, default="")
    target_minutes = models.PositiveIntegerField(null=True, blank=True)
    clock = models.CharField(max_length=20, default="none")
    policy_version = models.CharField(max_length=40)
    policy_sha256 = models.CharField(max_length=64)
    time_zone = models.CharField(max_length=64)
    country = models.CharField(max_length=2)
    subdivision = models.CharField(max_length=10, blank=True, default="")
    first_response_reasons = models.JSONField(default=list, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    first_response_late_by = models.DurationField(null=True, blank=True)

    # routing: written only by supportdesk.routing.services
    queue = models.ForeignKey(
        "routing.Queue", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="cases_assigned"
    )
    tier = models.CharField(max_length=2, default="L1", help_text="L1, L2 or L3 (R-21).")
    language = models.CharField(
        max_length=35, blank=True, default="", help_text="The language support works in."
    )
    routing_reasons = models.JSONField(default=list, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)

    opened_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When the case was closed (closures per day in reports).",
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    # contact attempts and closing
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_by",
        help_text="The closed case this one takes up again (R-29).",
    )
    contact_closable_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="From when the case may be closed for want of an answer (R-29).",
    )
    close_reason = models.TextField(
        blank=True, default="", help_text="Why the case was closed, as the customer is told."
    )

    class Meta:
        ordering = ("-opened_at", "-pk")
        indexes = (
            # the management reports (supportdesk.reports), aggregated in the database:
            # the cases opened in a period with every column the SLA reports count by (an
            # index-only scan), the cases not closed yet (the backlog, and the cases the
            # reports' roll-ups leave out), the unanswered ones by due time (the console's at
            # risk as well) and the ones answered late by how late
            models.Index(
                fields=(
                    "opened_at",
                    "program",
                    "severity",
                    "kind",
                    "product",
                    "organization",
                    "first_response_due_at",
                    "first_responded_at",
                    "first_response_late_by",
                ),
                name="cases_case_report_opened_idx",
            ),
            models.Index(
                fields=(
                    "opened_at",
                    "status",
                    "program",
                    "severity",
                    "kind",
                    "product",
                    "organization",
                    "first_response_due_at",
                    "first_responded_at",
                    "first_response_late_by",
                    "closed_at",
                ),
                condition=~models.Q(status="closed"),
                name="cases_case_not_closed_idx",
            ),
            models.Index(
                fields=(
                    "first_response_due_at",
                    "opened_at",
                    "status",
                    "closed_at",
                    "id",
                    "program",
                    "severity",
                    "kind",
                    "product",
                    "organization",
                    "first_responded_at",
                    "first_response_late_by",
                ),
                condition=models.Q(first_responded_at__isnull=True),
                name="cases_case_unanswered_due_idx",
            ),
            models.Index(
                fields=("first_response_late_by",),
                condition=models.Q(first_response_late_by__isnull=False),
                name="cases_case_answered_late_idx",
            ),
            # the console's queues: open cases by first-response due instant
            models.Index(
                fields=("queue", "first_response_due_at", "id"),
                condition=~models.Q(status__in=("resolved", "closed")),
                name="cases_open_by_queue_due",
            ),
            models.Index(
                fields=("assignee", "first_response_due_at", "id"),
                condition=~models.Q(status__in=("resolved", "closed")),
                name="cases_open_by_assignee_due",
            ),
            # a manager's queue of every open case, and an engineer's "all my queues" (which
            # filters it): the due-time index above also holds the closed cases, nine in ten
            # at scale, that a scan in due order would read and throw away
            models.Index(
                fields=("first_response_due_at", "id"),
                condition=~models.Q(status__in=("resolved", "closed")),
                name="cases_open_by_due",
            ),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("opened_by", "idempotency_key"),
                condition=~models.Q(idempotency_key=""),
                name="cases_case_one_per_idempotency_key",
            ),
        )

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def breached(self) -> bool:
        return self.first_response_late_by is not None


class Comment(models.Model):
    """A reply on a case. Internal comments are for support only, never shown to customers."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"{'internal' if self.internal else 'public'} comment on {self.case_id}"


class SeverityChange(models.Model):
    """Who proposed, requested or agreed which severity, when and why (R-14)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="severity_changes")
    kind = models.CharField(max_length=10, choices=SeverityChangeKind.choices)
    from_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    to_severity = models.PositiveSmallIntegerField(validators=SEVERITY)
    reason = models.TextField(blank=True, default="")
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    due_before = models.DateTimeField(null=True, blank=True)
    due_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.kind} {self.from_severity} → {self.to_severity} on {self.case_id}"


class ContactAttempt(models.Model):
    """One attempt of support to reach the customer, with its channel and outcome (R-29)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contact_attempts")
    channel = models.CharField(max_length=10, choices=ContactChannel.choices)
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    note = models.TextField(blank=True, default="")
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(help_text="When the attempt was made.")
    logged_at = models.DateTimeField()

    class Meta:
        ordering = ("made_at", "pk")

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome} on {self.case_id} at {self.made_at:%Y-%m-%d %H:%M}"


class Resolution(models.Model):
    """A resolution support gives a case, and what it did to it (R-30, R-31)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="resolutions")
    type = models.CharField(max_length=30, choices=ResolutionType.choices)
    summary = models.TextField(help_text="What the customer is given: the fix, the workaround...")
    out_of_scope_reason = models.CharField(
        max_length=20, blank=True, default="", choices=OutOfScope.choices
    )
    explanation = models.TextField(help_text="What the resolution did to the case, as told.")
    status_before = models.CharField(max_length=30, choices=CaseStatus.choices)
    status_after = models.CharField(max_length=30, choices=CaseStatus.choices)
    severity_before = models.PositiveSmallIntegerField(validators=SEVERITY)
    severity_after = models.PositiveSmallIntegerField(validators=SEVERITY)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.type} on {self.case_id}"


class Milestone(models.Model):
    """A milestone of an action plan, with its date and dependencies, shown to the customer
    (R-30)."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    depends_on = models.TextField(blank=True, default="", help_text="What it waits for.")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("resolution", "position")
        constraints = (
            models.UniqueConstraint(
                fields=("resolution", "position"), name="cases_milestone_one_per_position"
            ),
        )

    def __str__(self) -> str:
        return f"{self.position}. {self.title} (by {self.due_on})"


class ManagerRequest(models.Model):
    """A customer's "Talk to a manager" request and the support manager's answer (R-32)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="manager_requests")
    reason = models.TextField(help_text="What the customer is unhappy with.")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=10, choices=ManagerRequestStatus.choices, default=ManagerRequestStatus.OPEN
    )
    answer = models.TextField(blank=True, default="")
    resources_adjusted = models.TextField(
        blank=True, default="", help_text="What the manager changed: engineers, priority..."
    )
    answered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("requested_at", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("case",),
                condition=models.Q(status="open"),
                name="cases_managerrequest_one_open_per_case",
            ),
        )

    def __str__(self) -> str:
        return f"talk to a manager on {self.case_id} ({self.status})"


class FeatureRequest(models.Model):
    """A feature request support files for the customer from a case (R-33)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feature_requests")
    title = models.CharField(max_length=200)
    wanted_behaviour = models.TextField()
    use_case = models.TextField()
    reference = models.CharField(
        max_length=100, blank=True, default="", help_text="Its id in the product's tracker."
    )
    filed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()

    class Meta:
        ordering = ("filed_at", "pk")

    def __str__(self) -> str:
        return self.title


class ThirdPartyReferral(models.Model):
    """What support did about a third-party product on the case (R-35)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="third_party_referrals")
    vendor = models.CharField(max_length=200)
    product = models.CharField(max_length=200, blank=True, default="")
    action = models.CharField(max_length=30, choices=ThirdPartyAction.choices)
    reference = models.CharField(
        max_length=100, blank=True, default="", help_text="The TSANet or vendor case number."
    )
    note = models.TextField(blank=True, default="")
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.action} {self.vendor} on {self.case_id}"


class DiagnosticsRequest(models.Model):
    """Support asks for diagnostics: a log upload or a short remote session (R-27)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="diagnostics_requests")
    kind = models.CharField(max_length=20, choices=DiagnosticsKind.choices)
    what = models.TextField(help_text="Which logs or checks are needed.")
    session_at = models.DateTimeField(
        null=True, blank=True, help_text="When the remote session is planned."
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    findings = models.TextField(blank=True, default="", help_text="What the analysis found.")

    class Meta:
        ordering = ("requested_at", "pk")

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id}"
