"""Satisfaction surveys (R-34): one per closed case and recipient, opened by a token.

Only the SHA-256 of the token is kept; the token itself is in the mailed link. Only the
services of :mod:`supportdesk.surveys.services` write these rows.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from supportdesk.cases.models import Case

SCORE = (MinValueValidator(1), MaxValueValidator(5))


class Survey(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="surveys")
    recipient_email = models.CharField(max_length=254)
    language = models.CharField(max_length=35, default="en")
    token_digest = models.CharField(max_length=64, unique=True, help_text="SHA-256, hex.")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    resolution = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE)
    professionalism = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE)
    knowledge = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE)
    overall = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE)
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=("case", "recipient_email"), name="surveys_survey_one_per_case_and_recipient"
            ),
        )

    def __str__(self) -> str:
        return f"survey of {self.case_id} for {self.recipient_email}"
