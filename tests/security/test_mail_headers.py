"""No header injection from any field that reaches a mail header (issue 9 point 5), checked
over the outbox: every mail text in every language, each of its values and the recipient's
display name carrying a line break and a header of its own, is queued, delivered and parsed
back; the message has exactly its own headers and one recipient.

The product reads no inbound mail (there is no mailbox, no SMTP listener and no parser of
received messages), so no forged header of a received mail can post to a case."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import pytest
from django.core import mail as outbox
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from supportdesk.notifications.models import OutboundMail
from supportdesk.notifications.services import mail_queue, outbox_deliver
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
MAIL = Path(__file__).parents[2] / "src/supportdesk/notifications/templates/notifications/mail"
TEMPLATES = sorted({path.name.split(".")[0] for path in MAIL.glob("*.txt")})
#: line breaks of every kind a header parser might split at, each followed by a header
BREAKS = ["\r\n", "\n", "\r", "\u2028", "\x85", "\r\n\t"]
HEADERS = {
    "subject",
    "from",
    "to",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "auto-submitted",
    "in-reply-to",
    "references",
}


def _evil(n: int) -> str:
    line = BREAKS[n % len(BREAKS)]
    return f"Help{line}Bcc: victim{n}@example.com{line}X-Evil: {n}"


def _variables(name: str) -> set[str]:
    found: set[str] = set()
    for path in MAIL.glob(f"{name}.*.txt"):
        found |= set(re.findall(r"{{\s*(\w+)", path.read_text()))
    return found


def _delivered(now: datetime = AT) -> list[Message]:
    outbox_deliver(now=now, limit=1000)
    return [
        message_from_bytes(m.message().as_bytes(), policy=policy.default) for m in outbox.outbox
    ]


def _check(message: Message, to: str) -> None:
    names = {key.lower() for key in message}
    assert names <= HEADERS, names - HEADERS
    assert message["Bcc"] is None
    assert message.get_all("X-Evil") is None
    for key, value in message.items():
        assert not re.search(r"[\r\n]", str(value)), (key, value)
    assert [a.addr_spec for a in message["To"].addresses] == [to]  # type: ignore[union-attr]


@pytest.mark.parametrize("language", ["en", "cs"])
def test_no_value_of_any_mail_reaches_a_header_of_its_own(
    settings: Settings, language: str
) -> None:
    tried = 0
    for index, name in enumerate(TEMPLATES):
        context = {key: _evil(index + k) for k, key in enumerate(sorted(_variables(name)))}
        mail_queue(
            to=f"ops{index}@acme.example",
            to_name=_evil(index),
            template=name,
            context=context,
            language=language,
            thread=_evil(index),  # a case number, made by the server; even so
            at=AT,
        )
        tried += len(context) + 2

    messages = _delivered()

    assert len(messages) == len(TEMPLATES)
    for index, message in enumerate(messages):
        _check(message, f"ops{index}@acme.example")
    print(
        f"mail header payloads tried ({language}): {tried} in {len(TEMPLATES)} texts; "
        f"headers added: 0"
    )


def test_an_address_with_a_line_break_is_refused_naming_the_field() -> None:
    from django.core.exceptions import ValidationError

    for n, line in enumerate(BREAKS):
        with pytest.raises(ValidationError) as refused:
            mail_queue(
                to=f"ops@acme.example{line}Bcc: victim@example.com",
                template="case_update",
                context={},
                at=AT,
            )
        assert set(refused.value.message_dict) == {"to"}, n
    assert OutboundMail.objects.count() == 0


def test_a_display_name_from_the_account_stays_in_its_header(settings: Settings) -> None:
    UserFactory.create(
        username="eve", email="eve@example.com", first_name=_evil(1), last_name=_evil(2)
    )

    Client().post("/password-reset/", {"email": "eve@example.com"})
    (message,) = _delivered(timezone.now())

    _check(message, "eve@example.com")
    (to,) = message["To"].addresses  # type: ignore[union-attr]
    assert to.display_name.startswith("Help Bcc victim1 example.com X-Evil 1")
