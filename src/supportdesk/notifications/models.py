"""The outbox of outgoing mail, and the first-response alerts recorded by the worker.

A mail is a row written in the same transaction as the change that causes it
(:func:`~supportdesk.notifications.services.mail_queue`); the worker delivers it. Only the
services of :mod:`supportdesk.notifications.services` write these rows.
"""

from __future__ import annotations

from django.db import models

from supportdesk.cases.models import Case
from supportdesk.notifications.choices import MailStatus, SlaAlertKind


class OutboundMail(models.Model):
    """One message to one recipient, rendered when queued, in the recipient's language."""

    kind = models.CharField(max_length=60, help_text="The template it was made from.")
    dedup_key = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="Queuing the same key again adds no second mail (empty: no such check).",
    )
    to_address = models.CharField(max_length=254)
    to_name = models.CharField(max_length=200, blank=True, default="")
    language = models.CharField(max_length=35, default="en")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    redact_after_send = models.BooleanField(
        default=False, help_text="The body holds a private link: blanked once delivered."
    )

    # threading: every mail of a case refers to the case's thread
    message_id = models.CharField(max_length=255, unique=True)
    thread = models.CharField(max_length=100, blank=True, default="")
    in_reply_to = models.CharField(max_length=255, blank=True, default="")
    references = models.TextField(blank=True, default="")

    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="Not sent before this instant.")
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker's claim; another may take it after this."
    )
    claim_token = models.CharField(max_length=32, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = "outgoing mail"
        verbose_name_plural = "outgoing mail"
        indexes = (
            models.Index(
                fields=("next_attempt_at",),
                condition=models.Q(status__in=("pending", "sending")),
                name="notif_mail_due_idx",
            ),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("dedup_key",),
                condition=~models.Q(dedup_key=""),
                name="notifications_mail_one_per_dedup_key",
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address} ({self.status})"


class SlaAlert(models.Model):
    """A warning ahead of a first-response deadline, or the breach of it (R-16): one per
    case and kind, stamped with the instant it stands for, whenever the worker got to it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_alerts")
    kind = models.CharField(max_length=30, choices=SlaAlertKind.choices)
    due_at = models.DateTimeField(help_text="The first-response deadline it is about.")
    at = models.DateTimeField(
        help_text="The instant it stands for: the deadline itself for a breach."
    )
    recorded_at = models.DateTimeField(help_text="When the worker recorded it.")

    class Meta:
        ordering = ("at", "pk")
        verbose_name = "SLA alert"
        constraints = (
            models.UniqueConstraint(
                fields=("case", "kind"), name="notifications_slaalert_one_per_case_and_kind"
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.case_id} at {self.at.isoformat()}"
