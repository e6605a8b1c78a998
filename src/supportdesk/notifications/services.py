"""Queuing and delivering outgoing mail (the transactional outbox).

:func:`mail_queue` writes a mail row inside the caller's transaction, with the worker task
that delivers it: both commit with the change that causes the mail, or neither does. The
worker then claims due mails (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, where two
workers take disjoint rows; SQLite has one writer at a time) and marks each claim with a
token and a lease, so a mail is handed to the SMTP server by one worker only. A failed
delivery is retried with growing delays; a worker that dies mid-send leaves a lease that
expires, and the periodic sweep takes the mail up again.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from supportdesk import rows
from supportdesk.notifications.choices import MailStatus
from supportdesk.notifications.mail import (
    clean_address,
    mailbox,
    new_message_id,
    one_line,
    render,
    thread_id,
)
from supportdesk.notifications.models import OutboundMail
from supportdesk.taskqueue import enqueue

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # longer than any SMTP timeout
REDACTED = "(removed once delivered: it held a private link)\n"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: the base, doubled each time,
    at most an hour (60 s, 2 min, 4 min, ... with the default base of 60 s)."""
    base = float(settings.SUPPORTDESK_MAIL_RETRY_SECONDS)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), max(base, 3600.0)))


def mail_queue(
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    language: str = "en",
    to_name: str = "",
    thread: str = "",
    thread_root: bool = False,
    dedup_key: str = "",
    at: datetime,
    send_after: datetime | None = None,
    redact_after_send: bool = False,
    fresh: bool = False,
) -> OutboundMail:
    """Queue one mail to ``to``, rendered now from ``template`` in ``language`` (falling back
    to English), to be delivered by the worker once the caller's transaction commits.

    Call it inside the transaction of the change that causes the mail. ``thread`` (a case
    number) threads the mail with the others of the case; the mail that starts the thread
    passes ``thread_root``. A second call with the same ``dedup_key`` queues nothing and
    returns the first mail. A bad address is refused naming ``to``. A mail whose body holds a
    secret (a survey's link) passes ``redact_after_send``: its body is blanked once delivered.

    ``fresh``: the caller knows that no mail with this ``dedup_key`` or thread root can be
    queued yet (the first mails of a case just written). Its row then goes without waiting
    for an answer inside ``rows.pipelined`` (its key is set at the block's end) and the task
    names it by its Message-ID; a refusal would fail the caller's transaction.
    """
    address = clean_address(to)
    key = dedup_key.strip()
    if len(key) > 200:
        raise ValidationError({"dedup_key": ["At most 200 characters."]})
    # No lookup first: the unique dedup key and Message-ID refuse a second mail, and the
    # first one is fetched only then (a repeat is the rare case; a lookup cost every mail).
    subject, body, used = render(template, context, language)
    root = thread_id(thread) if thread else ""
    mail = OutboundMail(
        kind=template,
        dedup_key=key,
        to_address=address,
        to_name=one_line(to_name, 200),
        language=used,
        subject=subject,
        body=body,
        redact_after_send=redact_after_send,
        message_id=root if thread_root else new_message_id(),
        thread=thread,
        in_reply_to="" if thread_root else root,
        references="" if thread_root else root,
        next_attempt_at=send_after or at,
        created_at=at,
    )
    from supportdesk.notifications.tasks import mail_deliver

    if fresh:
        rows.insert(mail, key_later=True)
        enqueue(mail_deliver, mail.message_id, run_after=send_after)
        return mail
    # ON CONFLICT DO NOTHING: a refused row leaves the caller's transaction usable, so no
    # savepoint is needed around the insert
    if not rows.insert(mail, ignore_conflicts=True):
        # the same key queued at the same moment by another transaction, or a thread's
        # first mail queued twice: the one that is there stands
        if key and (existing := OutboundMail.objects.filter(dedup_key=key).first()):
            return existing
        if not thread_root:
            raise IntegrityError(f"mail {mail.message_id}: refused by a unique constraint")
        mail.message_id, mail.in_reply_to, mail.references = new_message_id(), root, root
        rows.insert(mail)

    enqueue(mail_deliver, mail.pk, run_after=send_after)
    return mail


def recipient_language(address: str, *, default: str = "en") -> str:
    """The language of the person who reads ``address``: a user's with that address, else
    ``default`` (the organization's, say)."""
    from supportdesk.accounts.models import User

    found = (
        User.objects.filter(email__iexact=address.strip(), is_active=True)
        .order_by("pk")
        .values_list("language", flat=True)
        .first()
    )
    return found or default


# --- delivery (the worker) -------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    next_attempt_at: datetime | None = None


def _due(now: datetime) -> Q:
    return Q(status=MailStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=MailStatus.SENDING, lease_until__lte=now
    )


def outbox_claim(
    *, now: datetime, limit: int = 50, ids: Sequence[int] | None = None
) -> tuple[str, list[OutboundMail]]:
    """Claim up to ``limit`` due mails (of ``ids`` if given) for this worker: the claim token
    and the mails claimed with it. Two workers never claim the same mail while its lease
    runs."""
    token = secrets.token_hex(16)
    with transaction.atomic():
        due = OutboundMail.objects.filter(_due(now))
        if ids is not None:
            due = due.filter(pk__in=list(ids))
        picked = list(
            due.select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not picked:
            return token, []
        # the condition again: under READ COMMITTED a row picked may have changed since
        OutboundMail.objects.filter(_due(now), pk__in=picked).update(
            status=MailStatus.SENDING,
            claim_token=token,
            lease_until=now + LEASE,
            attempts=F("attempts") + 1,
        )
    return token, list(OutboundMail.objects.filter(claim_token=token).order_by("pk"))


def _message(mail: OutboundMail) -> EmailMessage:
    headers = {"Message-ID": mail.message_id, "Auto-Submitted": "auto-generated"}
    if mail.in_reply_to:
        headers["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        headers["References"] = mail.references
    to = mailbox(mail.to_name, mail.to_address) if mail.to_name else mail.to_address
    return EmailMessage(
        subject=one_line(mail.subject, 300),
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )


def _permanent(exc: Exception) -> bool:
    """An SMTP refusal that retrying cannot cure (5xx), rather than an outage."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return bool(exc.smtp_code >= 500)
    return isinstance(exc, ValueError)  # a header Django refuses to write


def outbox_deliver(
    *, now: datetime, limit: int = 50, ids: Sequence[int] | None = None
) -> DeliveryReport:
    """Deliver the due mails (of ``ids`` if given) that this call claims: sent ones are
    marked sent, refused ones failed, the others retried after :func:`retry_delay`."""
    token, mails = outbox_claim(now=now, limit=limit, ids=ids)
    report = DeliveryReport()
    if not mails:
        return report
    connection = mailers.default
    try:
        for mail in mails:
            mine = OutboundMail.objects.filter(pk=mail.pk, claim_token=token)
            try:
                connection.send_messages([_message(mail)])
            except Exception as exc:  # an outage or a refusal: recorded on the mail
                connection.close()
                error = f"{type(exc).__name__}: {exc}"[:2000]
                max_attempts = int(settings.SUPPORTDESK_MAIL_MAX_ATTEMPTS)
                if _permanent(exc) or mail.attempts >= max_attempts:
                    log.error("mail %s to %s failed for good: %s", mail.pk, mail.to_address, error)
                    mine.update(status=MailStatus.FAILED, last_error=error, lease_until=None)
                    report.failed.append(mail.pk)
                    continue
                retry_at = now + retry_delay(mail.attempts)
                log.warning("mail %s: %s; trying again at %s", mail.pk, error, retry_at)
                mine.update(
                    status=MailStatus.PENDING,
                    next_attempt_at=retry_at,
                    last_error=error,
                    lease_until=None,
                )
                report.retrying.append(mail.pk)
                if report.next_attempt_at is None or retry_at < report.next_attempt_at:
                    report.next_attempt_at = retry_at
                continue
            sent: dict[str, Any] = {"status": MailStatus.SENT, "sent_at": now, "last_error": ""}
            if mail.redact_after_send:
                sent["body"] = REDACTED
            mine.update(lease_until=None, **sent)
            report.sent.append(mail.pk)
    finally:
        connection.close()
    return report


@transaction.atomic
def mail_requeue(*, mail: OutboundMail, at: datetime) -> OutboundMail:
    """Try a failed mail again (from the admin, once its address or the server is fixed)."""
    locked = OutboundMail.objects.select_for_update().get(pk=mail.pk)
    if locked.status != MailStatus.FAILED:
        raise ValidationError(
            {"status": [f"Only a failed mail is tried again, not {locked.status}."]}
        )
    locked.status, locked.next_attempt_at, locked.attempts = MailStatus.PENDING, at, 0
    locked.save(update_fields=["status", "next_attempt_at", "attempts"])

    from supportdesk.notifications.tasks import mail_deliver

    mail_deliver.enqueue(locked.pk)
    return locked
