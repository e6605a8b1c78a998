"""Background work of the cases app. Each task is safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone

from supportdesk.cases.models import Case


def confirmation_text(case: Case) -> tuple[str, str]:
    """The subject and body of the e-mail that confirms a new case (R-23)."""
    subject = f"[{case.number}] We have received your case: {case.subject}"
    body = (
        f"Your case {case.number} is open.\n\n"
        f"Subject: {case.subject}\n"
        f"Kind: {case.get_kind_display()}\n"
        f"Severity (proposed): {case.proposed_severity}\n\n"
        f"Quote {case.number} in every message and call about it.\n"
    )
    return subject, body


@task
def case_confirmation_send(case_id: int) -> None:
    """Mail the case's contact its case number (R-23); a second run sends nothing."""
    case = Case.objects.filter(pk=case_id, confirmation_sent_at__isnull=True).first()
    if case is None:
        return
    subject, body = confirmation_text(case)
    recipients = list(dict.fromkeys(filter(None, [case.contact_email, case.opened_by.email])))
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    Case.objects.filter(pk=case_id, confirmation_sent_at__isnull=True).update(
        confirmation_sent_at=timezone.now()
    )
