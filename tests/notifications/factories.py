from __future__ import annotations

from datetime import timedelta

import factory

from supportdesk.notifications.models import OutboundMail, SlaAlert
from tests.accounts.factories import CREATED
from tests.cases.factories import CaseFactory


class OutboundMailFactory(factory.django.DjangoModelFactory[OutboundMail]):
    """A pending mail, due at CREATED; real ones are queued with ``mail_queue``."""

    class Meta:
        model = OutboundMail

    kind = "case_update"
    to_address = factory.Sequence(lambda n: f"reader{n}@example.com")
    subject = "[C-2026-000001] Update on your case: Backups fail"
    body = "We are on it.\n"
    message_id = factory.Sequence(lambda n: f"<m{n}@example.com>")
    next_attempt_at = CREATED
    created_at = CREATED


class SlaAlertFactory(factory.django.DjangoModelFactory[SlaAlert]):
    class Meta:
        model = SlaAlert

    case = factory.SubFactory(CaseFactory)
    kind = "first_response_breach"
    due_at = factory.SelfAttribute("case.first_response_due_at")
    at = factory.SelfAttribute("due_at")
    recorded_at = factory.LazyAttribute(lambda alert: alert.at + timedelta(minutes=1))
