"""The outbox: queued in the caller's transaction, rendered in the reader's language, headers
that cannot be split, delivered once, retried after an outage, never lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from supportdesk.notifications.models import OutboundMail
from supportdesk.notifications.services import (
    mail_queue,
    mail_requeue,
    outbox_claim,
    outbox_deliver,
    retry_delay,
)
from tests.notifications.smtp import free_port, mailer, smtp_server

pytestmark = pytest.mark.django_db

AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
CONTEXT = {"number": "C-2026-000007", "subject": "Backups fail", "author": "Eva", "body": "Hi"}


def queue(**overrides: object) -> OutboundMail:
    values: dict[str, object] = {
        "to": "ops@acme.example",
        "template": "case_update",
        "context": CONTEXT,
        "thread": "C-2026-000007",
        "at": AT,
    }
    values.update(overrides)
    return mail_queue(**values)  # type: ignore[arg-type]


def test_a_mail_is_rendered_in_the_readers_language_with_its_delivery_task() -> None:
    czech = queue(language="cs-CZ", to_name="Jiří Novák")
    english = queue(language="fr")  # no French text: English

    assert (czech.language, czech.subject, czech.to_name) == (
        "cs",
        "[C-2026-000007] Novinka k vašemu požadavku: Backups fail",
        "Jiří Novák",
    )
    assert czech.body.startswith("Eva napsal(a) k požadavku C-2026-000007:\n\nHi\n")
    assert (english.language, english.subject) == (
        "en",
        "[C-2026-000007] Update on your case: Backups fail",
    )
    assert (czech.status, czech.attempts, czech.next_attempt_at) == ("pending", 0, AT)
    tasks = sorted(t.args_kwargs["args"][0] for t in DBTaskResult.objects.all())
    assert tasks == [czech.pk, english.pk]


def test_a_rolled_back_change_leaves_neither_mail_nor_task() -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            queue()
            raise RuntimeError("the change fails after queuing its mail")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert (OutboundMail.objects.count(), DBTaskResult.objects.count()) == (0, 0)


def test_the_same_dedup_key_queues_one_mail() -> None:
    first = queue(dedup_key="case:7:comment:1")
    second = queue(dedup_key="case:7:comment:1", context={**CONTEXT, "body": "other"})

    assert second.pk == first.pk
    assert (OutboundMail.objects.count(), DBTaskResult.objects.count()) == (1, 1)


def test_mails_of_a_case_thread_on_its_first_one() -> None:
    first = queue(template="case_update", thread_root=True, to="a@acme.example")
    second_reader = queue(template="case_update", thread_root=True, to="b@acme.example")
    later = queue()

    root = "<C-2026-000007.thread@localhost>"
    assert (first.message_id, first.in_reply_to, first.references) == (root, "", "")
    assert (second_reader.in_reply_to, second_reader.references) == (root, root)
    assert second_reader.message_id not in (root, later.message_id)
    assert (later.in_reply_to, later.references) == (root, root)
    assert later.message_id.endswith("@localhost>")


def test_line_breaks_in_names_and_subjects_never_make_headers() -> None:
    evil = queue(
        to_name="Eve\r\nBcc: victim@example.com",
        context={**CONTEXT, "subject": "Help\r\nBcc: victim@example.com\nX-Evil: 1"},
    )
    outbox_deliver(now=AT)

    (message,) = mail.outbox
    assert evil.subject == (
        "[C-2026-000007] Update on your case: Help Bcc: victim@example.com X-Evil: 1"
    )
    # the name loses what would need quoting (a folded header can lose the quotes)
    assert message.to == ['"Eve Bcc victim example.com" <ops@acme.example>']
    assert message.recipients() == ['"Eve Bcc victim example.com" <ops@acme.example>']
    raw = message.message().as_string()
    assert "\nBcc:" not in raw
    assert "\nX-Evil:" not in raw


@pytest.mark.parametrize(
    "address", ["ops@acme.example\r\nBcc: victim@example.com", "not an address", ""]
)
def test_a_bad_address_is_refused_naming_the_field_and_nothing_is_queued(address: str) -> None:
    with pytest.raises(ValidationError) as refused:
        queue(to=address)

    assert list(refused.value.message_dict) == ["to"]
    assert (OutboundMail.objects.count(), DBTaskResult.objects.count()) == (0, 0)


def test_a_mail_is_not_sent_before_its_time_nor_twice() -> None:
    later = queue(send_after=AT + timedelta(hours=1))

    assert outbox_deliver(now=AT).sent == []
    assert outbox_deliver(now=AT + timedelta(hours=1)).sent == [later.pk]
    assert outbox_deliver(now=AT + timedelta(hours=2)).sent == []
    assert len(mail.outbox) == 1
    later.refresh_from_db()
    assert (later.status, later.attempts, later.sent_at) == ("sent", 1, AT + timedelta(hours=1))


def test_a_claimed_mail_is_not_claimed_again_until_its_lease_ends() -> None:
    queued = queue()

    token, claimed = outbox_claim(now=AT)
    assert [m.pk for m in claimed] == [queued.pk]
    assert outbox_claim(now=AT + timedelta(minutes=9))[1] == []
    # its worker died mid-send: after the lease another takes it up
    _, again = outbox_claim(now=AT + timedelta(minutes=10))
    assert [(m.pk, m.attempts) for m in again] == [(queued.pk, 2)]
    assert again[0].claim_token != token


def test_retries_wait_longer_each_time_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == [
        60,
        120,
        240,
        1920,
        3600,
        3600,
    ]


def test_an_smtp_outage_delays_mail_and_loses_none(settings: Settings) -> None:
    port = free_port()
    settings.MAILERS = {"default": mailer(port)}  # nothing listens there yet
    queued = [queue(to=f"reader{n}@acme.example") for n in range(3)]

    down = outbox_deliver(now=AT)

    assert (down.sent, sorted(down.retrying)) == ([], [m.pk for m in queued])
    assert down.next_attempt_at == AT + timedelta(seconds=60)
    rows = list(OutboundMail.objects.order_by("pk"))
    assert [(m.status, m.attempts, m.next_attempt_at) for m in rows] == [
        ("pending", 1, AT + timedelta(seconds=60))
    ] * 3
    assert all("ConnectionRefusedError" in m.last_error for m in rows)

    # still down at the second try: the next one waits twice as long
    outbox_deliver(now=AT + timedelta(seconds=60))
    assert set(OutboundMail.objects.values_list("next_attempt_at", flat=True)) == {
        AT + timedelta(seconds=180)
    }

    with smtp_server(port) as inbox:
        assert outbox_deliver(now=AT + timedelta(seconds=179)).sent == []  # not yet due
        up = outbox_deliver(now=AT + timedelta(seconds=180))
        outbox_deliver(now=AT + timedelta(hours=5))

    assert sorted(up.sent) == [m.pk for m in queued]
    assert sorted(r.rcpt_tos[0] for r in inbox.received) == [
        "reader0@acme.example",
        "reader1@acme.example",
        "reader2@acme.example",
    ]
    assert sorted(inbox.message_ids()) == sorted(m.message_id for m in queued)
    assert [(m.status, m.attempts) for m in OutboundMail.objects.order_by("pk")] == [
        ("sent", 3)
    ] * 3


def test_a_real_smtp_server_gets_one_line_headers_and_only_the_recipient(
    settings: Settings,
) -> None:
    with smtp_server() as inbox:
        settings.MAILERS = {"default": mailer(inbox.port)}
        settings.DEFAULT_FROM_EMAIL = "support@desk.example"
        queued = queue(
            to_name="Eve\r\nBcc: victim@example.com",
            context={**CONTEXT, "subject": "Help\r\nBcc: victim@example.com"},
            language="cs",
        )
        outbox_deliver(now=AT)

    (got,) = inbox.received
    assert got.rcpt_tos == ["ops@acme.example"]
    assert got.envelope_from == "support@desk.example"
    message = got.message
    assert message["Subject"] == (
        "[C-2026-000007] Novinka k vašemu požadavku: Help Bcc: victim@example.com"
    )
    assert message["Bcc"] is None
    assert message["To"] == '"Eve Bcc victim example.com" <ops@acme.example>'
    assert message["Message-ID"] == queued.message_id
    assert (
        message["In-Reply-To"] == message["References"] == ("<C-2026-000007.thread@desk.example>")
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content().startswith("Eva napsal(a) k požadavku C-2026-000007:")


def test_a_permanent_refusal_fails_the_mail_and_it_can_be_requeued(settings: Settings) -> None:
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 no such user"

    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.MAILERS = {"default": mailer(port)}
        queued = queue()
        report = outbox_deliver(now=AT)
    finally:
        controller.stop()

    assert report.failed == [queued.pk]
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("failed", 1)
    assert "550" in queued.last_error

    mail_requeue(mail=queued, at=AT + timedelta(days=1))
    queued.refresh_from_db()
    assert (queued.status, queued.attempts, queued.next_attempt_at) == (
        "pending",
        0,
        AT + timedelta(days=1),
    )
    with pytest.raises(ValidationError) as refused:
        mail_requeue(mail=queued, at=AT)
    assert list(refused.value.message_dict) == ["status"]


def test_after_the_last_try_a_mail_is_failed_not_retried_forever(settings: Settings) -> None:
    settings.MAILERS = {"default": mailer(free_port())}
    settings.SUPPORTDESK_MAIL_MAX_ATTEMPTS = 2
    queued = queue()

    outbox_deliver(now=AT)
    last = outbox_deliver(now=AT + timedelta(minutes=1))

    assert last.failed == [queued.pk]
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("failed", 2)


def test_a_fresh_mail_goes_unawaited_and_its_task_names_it_by_message_id() -> None:
    from supportdesk import rows
    from supportdesk.notifications.tasks import mail_deliver

    with transaction.atomic(), rows.pipelined():
        queued = queue(dedup_key="case:7:confirmation", thread_root=True, fresh=True)
    assert queued.pk is not None  # set at the block's end at the latest
    assert queued.message_id == "<C-2026-000007.thread@localhost>"
    [task] = DBTaskResult.objects.filter(task_path=mail_deliver.module_path)
    assert task.args_kwargs["args"] == [queued.message_id]
    assert mail_deliver.call(queued.message_id)["sent"] == [queued.pk]
    assert mail_deliver.call(queued.message_id)["sent"] == []  # sent once
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [queued.message_id]
    # a task whose mail is not there (its transaction rolled back) delivers nothing
    assert mail_deliver.call("<gone@localhost>") == {"sent": [], "retrying": [], "failed": []}
