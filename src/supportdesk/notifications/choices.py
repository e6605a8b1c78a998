"""Choices of the notifications app: value and label together (colour where a page shows one)."""

from __future__ import annotations

from django.db import models


class MailStatus(models.TextChoices):
    """Where a mail of the outbox is: waiting (perhaps for a retry), in a worker's hands,
    accepted by the SMTP server, or given up on (a permanent refusal, or too many tries)."""

    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"

    @property
    def colour(self) -> str:
        return {"pending": "orange", "sending": "blue", "sent": "green", "failed": "red"}[
            self.value
        ]


class SlaAlertKind(models.TextChoices):
    """The two alerts of a first-response deadline (R-16)."""

    WARNING = "first_response_warning", "First response due soon"
    BREACH = "first_response_breach", "First response breached"
