"""Engineers, queues and the record of every assignment (R-10, R-20, R-21, R-25).

A case's queue and assignee are fields of the case (``Case.queue``, ``Case.assignee``); how it
got there, and every move after, is a :class:`CaseAssignment` row and an audit event. Only
the services of :mod:`supportdesk.routing.services` write these rows.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from supportdesk.accounts.choices import Region
from supportdesk.accounts.models import User
from supportdesk.accounts.validators import (
    validate_country,
    validate_language_tag,
    validate_time_zone,
)
from supportdesk.licensing.models import Product
from supportdesk.policy import InputError
from supportdesk.policy.shifts import parse_shifts
from supportdesk.routing.choices import AssignmentKind, NumberKind, Seniority, Tier


def validate_shifts(value: object) -> None:
    try:
        parse_shifts(value)
    except InputError as exc:
        raise ValidationError(exc.message) from None


def validate_languages(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError('A list of language tags, such as ["en", "de"].')
    for tag in value:
        validate_language_tag(tag)


class Queue(models.Model):
    """A team queue: a tier, and optionally the product, language and region it serves.
    Engineers see the cases of the queues they belong to."""

    code = models.SlugField(max_length=60, unique=True, help_text="Such as l1-br-de.")
    name = models.CharField(max_length=200)
    tier = models.CharField(max_length=2, choices=Tier.choices, default=Tier.L1)
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queues",
        help_text="Empty: every product.",
    )
    language = models.CharField(
        max_length=35, default="en", validators=[validate_language_tag], help_text="Such as de."
    )
    region = models.CharField(
        max_length=10, choices=Region.choices, blank=True, default="", help_text="Empty: all."
    )

    class Meta:
        ordering = ("tier", "code")

    def __str__(self) -> str:
        return self.name


class EngineerProfile(models.Model):
    """What routing knows of a staff member: languages, products, tier, seniority, time zone,
    shifts and on-call; a PDM's duty cover out of hours (R-10, R-11)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="engineer_profile")
    tier = models.CharField(max_length=2, choices=Tier.choices, default=Tier.L1)
    seniority = models.CharField(
        max_length=10, choices=Seniority.choices, default=Seniority.REGULAR
    )
    languages = models.JSONField(
        default=list, blank=True, validators=[validate_languages], help_text='Such as ["en"].'
    )
    products = models.ManyToManyField(Product, blank=True, related_name="engineers")
    queues = models.ManyToManyField(Queue, blank=True, related_name="members")
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone], help_text="Of the shifts."
    )
    shifts = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_shifts],
        help_text='Such as [{"days": "mon-fri", "start": "08:00", "end": "16:00"}].',
    )
    on_call = models.BooleanField(default=False, help_text="Reachable outside the shifts.")
    pdm_on_duty = models.BooleanField(
        default=False, help_text="A PDM covering Premium customers out of hours (R-11)."
    )

    class Meta:
        ordering = ("user__username",)

    def __str__(self) -> str:
        return f"{self.user} ({self.tier})"


class CaseAssignment(models.Model):
    """One move of a case between queues and engineers, with who, when and why."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(max_length=20, choices=AssignmentKind.choices)
    from_queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tier = models.CharField(max_length=2, choices=Tier.choices)
    language = models.CharField(max_length=35, blank=True, default="")
    reasons = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id} at {self.at:%Y-%m-%d %H:%M}"


class SupportNumber(models.Model):
    """A phone number customers of a country call for support (R-26), kept in E.164."""

    country = models.CharField(
        max_length=2, validators=[validate_country], help_text="ISO 3166-1 alpha-2, such as DE."
    )
    number = models.CharField(max_length=20, help_text="E.164, such as +498001234567.")
    kind = models.CharField(max_length=10, choices=NumberKind.choices)
    label = models.CharField(
        max_length=200, blank=True, default="", help_text="Such as: English and German."
    )

    class Meta:
        ordering = ("country", "kind", "number")
        constraints = (
            models.UniqueConstraint(
                fields=("country", "number"),
                name="routing_supportnumber_once_per_country",
                violation_error_message="This number is listed for this country already.",
            ),
        )

    def __str__(self) -> str:
        return f"{self.country} {self.number}"
