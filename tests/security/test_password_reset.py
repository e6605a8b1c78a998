"""Forgotten passwords (issue 9 point 4): the answer does not tell whether an account exists;
the link's token has 256 random bits, is kept only as a digest bound to its purpose, and works
once, before it expires, for the user it was mailed to; the mail goes through the outbox in
the user's language; setting the password ends the user's other sessions and API tokens;
requests and link tries are rate limited.

``TOKENS`` counts the tokens tried and accepted, for the issue's figures."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from supportdesk.accounts import services
from supportdesk.accounts.models import ApiToken, PasswordReset, User
from supportdesk.audit.models import AuditEvent
from supportdesk.notifications.models import OutboundMail
from supportdesk.surveys.services import token_digest as survey_digest
from tests.accounts.factories import ApiTokenFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD = "correct horse battery staple"
NEW = "a new and long passphrase 2026"
TOKENS: Counter[str] = Counter()


@pytest.fixture
def ann() -> User:
    return UserFactory.create(username="ann", email="ann@example.com", password=OLD)


def _ask(client: Client, email: str, address: str = "198.51.100.7") -> Any:
    return client.post("/password-reset/", {"email": email}, REMOTE_ADDR=address)


def _link(mail: OutboundMail) -> tuple[int, str]:
    match = re.search(r"/password-reset/(\d+)/([^/\s]+)/", mail.body)
    assert match is not None, mail.body
    return int(match.group(1)), match.group(2)


def _set(client: Client, uid: int, token: str, password: str = NEW) -> Any:
    response = client.post(
        f"/password-reset/{uid}/{token}/", {"password": password, "again": password}
    )
    TOKENS["tried"] += 1
    if response.status_code == 302:
        TOKENS["accepted"] += 1
    return response


def test_a_known_and_an_unknown_address_get_the_same_answer(client: Client, ann: User) -> None:
    from supportdesk.notifications import mail
    from supportdesk.notifications import services as outbox

    with (
        mock.patch.object(mail, "render", wraps=mail.render) as by_the_reset,
        mock.patch.object(outbox, "render", wraps=outbox.render) as by_the_outbox,
    ):
        known = _ask(client, "ANN@example.com ")
        unknown = _ask(client, "nobody@example.com")

    assert (known.status_code, known["Location"]) == (302, "/password-reset/sent/")
    assert (unknown.status_code, unknown["Location"]) == (302, "/password-reset/sent/")
    assert known.content == unknown.content
    # the unknown address costs the same token and rendering as the known one
    assert (by_the_outbox.call_count, by_the_reset.call_count) == (1, 1)
    assert list(OutboundMail.objects.values_list("to_address", "kind")) == [
        ("ann@example.com", "password_reset")
    ]
    assert PasswordReset.objects.get().user == ann
    assert client.get("/password-reset/sent/").status_code == 200


def test_the_token_is_long_kept_as_a_digest_and_mailed_in_the_users_language(
    client: Client, ann: User
) -> None:
    User.objects.filter(pk=ann.pk).update(language="cs")
    _ask(client, "ann@example.com")

    mail = OutboundMail.objects.get()
    uid, token = _link(mail)
    reset = PasswordReset.objects.get()
    assert uid == ann.pk
    assert len(token) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    assert reset.digest == services.reset_digest(token) != token
    assert token not in str(list(PasswordReset.objects.values()))
    assert (mail.language, mail.subject) == ("cs", "Nové heslo pro účet ann")
    assert mail.redact_after_send
    assert reset.expires_at - reset.created_at == timedelta(
        minutes=settings.SUPPORTDESK_PASSWORD_RESET_MINUTES
    )
    event = AuditEvent.objects.get(action="password_reset.request")
    assert (event.target_id, event.actor) == (str(ann.pk), None)


def test_the_link_sets_the_password_once_and_ends_every_other_session_and_token(
    ann: User,
) -> None:
    elsewhere = Client()
    assert elsewhere.login(username="ann", password=OLD)
    api = ApiTokenFactory.create(user=ann, secret="sdt_reset-test")
    _ask(Client(), "ann@example.com")
    uid, token = _link(OutboundMail.objects.get())
    page = Client()

    assert page.get(f"/password-reset/{uid}/{token}/").status_code == 200
    response = _set(page, uid, token)

    assert (response.status_code, response["Location"]) == (302, "/login/?reset=done")
    ann.refresh_from_db()
    assert ann.check_password(NEW)
    assert elsewhere.get("/").status_code == 302  # signed out: to the sign-in page
    assert ApiToken.objects.get(pk=api.pk).revoked_at is not None
    assert PasswordReset.objects.get().used_at is not None
    assert AuditEvent.objects.filter(action="password_reset.confirm", actor=ann).count() == 1
    again = _set(Client(), uid, token, "yet another long passphrase")  # reused
    assert again.status_code == 404
    ann.refresh_from_db()
    assert ann.check_password(NEW)


def test_every_other_token_is_refused_and_changes_nothing(ann: User, settings: Settings) -> None:
    bob = UserFactory.create(username="bob", email="bob@example.com", password=OLD)
    for person in ("ann@example.com", "bob@example.com"):
        _ask(Client(), person)
    mails = {m.to_address: _link(m) for m in OutboundMail.objects.all()}
    uid, token = mails["ann@example.com"]
    bob_uid, bob_token = mails["bob@example.com"]
    expired_token = "x" * 43
    PasswordReset.objects.create(
        user=ann,
        digest=services.reset_digest(expired_token),
        created_at=timezone.now() - timedelta(hours=3),
        expires_at=timezone.now() - timedelta(hours=2),
    )
    survey_token = "survey-token-of-ann"  # a token of another purpose, as a survey keeps it
    PasswordReset.objects.create(
        user=ann,
        digest=survey_digest(survey_token),
        created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    refused = {
        "another user's id": (bob.pk, token),
        "another user's token": (uid, bob_token),
        "expired": (uid, expired_token),
        "of another purpose": (uid, survey_token),
        "tampered": (uid, flipped),
        "cut short": (uid, token[:20]),
        "made up": (uid, "A" * 43),
        "no such user": (999999, token),
    }
    before = (
        list(User.objects.order_by("pk").values_list("password", "sessions_valid_from")),
        AuditEvent.objects.count(),
    )
    settings.SUPPORTDESK_RATE_LIMITS = {
        **settings.SUPPORTDESK_RATE_LIMITS,
        "password-reset-link": (100, 600),
    }
    for why, (user_id, tried) in refused.items():
        page = Client()
        assert (why, page.get(f"/password-reset/{user_id}/{tried}/").status_code) == (why, 404)
        response = _set(page, user_id, tried)
        assert (why, response.status_code) == (why, 404)
        assert "not valid or has expired" in response.content.decode()

    after = (
        list(User.objects.order_by("pk").values_list("password", "sessions_valid_from")),
        AuditEvent.objects.count(),
    )
    assert after == before
    assert _set(Client(), bob_uid, bob_token).status_code == 302  # bob's own link still works
    print(f"reset tokens tried {TOKENS['tried']}, accepted {TOKENS['accepted']}")


def test_a_weak_or_mistyped_password_is_refused_naming_the_field(ann: User) -> None:
    _ask(Client(), "ann@example.com")
    uid, token = _link(OutboundMail.objects.get())
    page = Client()

    weak = page.post(f"/password-reset/{uid}/{token}/", {"password": "123", "again": "123"})
    typo = page.post(f"/password-reset/{uid}/{token}/", {"password": NEW, "again": NEW + "x"})

    assert (weak.status_code, typo.status_code) == (422, 422)
    assert "This password is too short" in weak.content.decode()
    assert "The two passwords differ." in typo.content.decode()
    assert PasswordReset.objects.get().used_at is None  # still usable
    assert _set(page, uid, token).status_code == 302


def test_a_new_password_ends_the_other_links_too(ann: User) -> None:
    _ask(Client(), "ann@example.com")
    _ask(Client(), "ann@example.com")
    (first, second) = [_link(m) for m in OutboundMail.objects.order_by("pk")]

    assert _set(Client(), *second).status_code == 302
    assert _set(Client(), *first).status_code == 404


def test_a_disabled_user_gets_no_mail_and_no_reset(client: Client, ann: User) -> None:
    _ask(client, "ann@example.com")
    uid, token = _link(OutboundMail.objects.get())
    User.objects.filter(pk=ann.pk).update(is_active=False)

    assert _ask(client, "ann@example.com").status_code == 302
    assert OutboundMail.objects.count() == 1
    assert _set(Client(), uid, token).status_code == 404


def test_requests_are_limited_per_requester_and_per_account(ann: User, settings: Settings) -> None:
    settings.SUPPORTDESK_RATE_LIMITS = {
        **settings.SUPPORTDESK_RATE_LIMITS,
        "password-reset": (2, 3600),
    }
    client = Client()
    answers = [_ask(client, "ann@example.com", f"198.51.100.{n}").status_code for n in range(4)]
    # a new address each time: the page answers, but the account's mailbox gets two links
    assert answers == [302, 302, 302, 302]
    assert OutboundMail.objects.count() == 2
    for _ in range(2):
        _ask(client, "nobody@example.com", "203.0.113.9")
    limited = _ask(client, "nobody@example.com", "203.0.113.9")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1


def test_reset_links_are_limited_per_address(ann: User, settings: Settings) -> None:
    settings.SUPPORTDESK_RATE_LIMITS = {
        **settings.SUPPORTDESK_RATE_LIMITS,
        "password-reset-link": (3, 600),
    }
    client = Client()
    answers = [client.get(f"/password-reset/{ann.pk}/guess{n}/").status_code for n in range(4)]
    assert answers == [404, 404, 404, 429]


def test_the_sign_in_page_offers_the_reset(client: Client) -> None:
    page = client.get("/login/").content.decode()
    assert 'href="/password-reset/"' in page
    form = client.get("/password-reset/")
    assert form.status_code == 200
    assert form["Referrer-Policy"] == "same-origin"
