"""Sign-in: guessing is slowed per user name and address without locking the real user out
and without telling which names exist; a new session key at sign-in; sessions and API
tokens end on a password change, on disabling the user and on leaving an organization."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from pytest_django import Settings

from supportdesk.accounts import backends
from supportdesk.accounts.choices import MembershipRole
from supportdesk.accounts.models import ApiToken, User
from supportdesk.accounts.services import membership_delete
from tests.accounts.factories import (
    ApiTokenFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    member,
)
from tests.api.calls import call

PASSWORD = "correct horse battery staple"
AT = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _stopped_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The waits are seconds long: a slow machine must not see them run out mid-test."""
    monkeypatch.setattr(backends, "clock", lambda: 1_000_000.0)


def _sign_in(client: Client, username: str, password: str, address: str = "198.51.100.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_backoff_doubles_after_the_free_failures(settings: Settings) -> None:
    settings.SUPPORTDESK_LOGIN_FREE_FAILURES = 3
    settings.SUPPORTDESK_LOGIN_MAX_WAIT_SECONDS = 5
    waits = []
    for attempt in range(6):
        backends.login_failed("ann", "192.0.2.1", now=1000.0 + attempt)
        waits.append(backends.login_wait("ann", "192.0.2.1", now=1000.0 + attempt))

    assert waits == [0.0, 0.0, 1.0, 2.0, 4.0, 5.0]  # 1, 2, 4 s, then the 5 s maximum
    assert backends.login_wait("ANN ", "192.0.2.1", now=1005.0) == 5.0  # the same name
    assert backends.login_wait("ann", "192.0.2.2", now=1005.0) == 0.0  # another address
    backends.login_succeeded("ann", "192.0.2.1")
    assert backends.login_wait("ann", "192.0.2.1", now=1005.0) == 0.0


def test_a_guesser_is_slowed_and_the_real_user_elsewhere_is_not(settings: Settings) -> None:
    settings.SUPPORTDESK_LOGIN_FREE_FAILURES = 2
    user = UserFactory.create(username="ann")
    guesser, real = Client(), Client()

    answers = [_sign_in(guesser, "ann", f"guess{i}") for i in range(3)]
    right_but_waiting = _sign_in(guesser, "ann", PASSWORD)
    from_elsewhere = _sign_in(real, "ann", PASSWORD, address="203.0.113.50")

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert "Too many failed sign-ins" not in answers[0].content.decode()
    assert "Too many failed sign-ins" in answers[2].content.decode()
    assert right_but_waiting.status_code == 200  # the form again: not signed in
    assert "_auth_user_id" not in guesser.session
    assert from_elsewhere.status_code == 302
    assert real.session["_auth_user_id"] == str(user.pk)


def test_unknown_names_are_answered_and_slowed_exactly_like_real_ones(
    settings: Settings,
) -> None:
    settings.SUPPORTDESK_LOGIN_FREE_FAILURES = 1
    UserFactory.create(username="ann")

    def texts(name: str) -> list[str]:
        client = Client()
        pages = [_sign_in(client, name, "wrong").content.decode() for _ in range(2)]
        return [re.sub(r'"[A-Za-z0-9]{64}"', "TOKEN", page) for page in pages]  # CSRF

    real, unknown = texts("ann"), texts("nobody")

    assert [t.replace("ann", "X") for t in real] == [t.replace("nobody", "X") for t in unknown]


def test_the_admin_sign_in_is_slowed_too(settings: Settings) -> None:
    settings.SUPPORTDESK_LOGIN_FREE_FAILURES = 1
    UserFactory.create(username="root", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(2):
        response = client.post(
            "/admin/login/", {"username": "root", "password": "wrong"}, REMOTE_ADDR="192.0.2.9"
        )

    assert "Too many failed sign-ins" in response.content.decode()


def test_signing_in_gives_a_new_session_key() -> None:
    UserFactory.create(username="ann")
    client = Client()
    client.get("/login/")
    session = client.session
    session["before"] = "sign-in"
    session.save()
    key_before = session.session_key

    assert _sign_in(client, "ann", PASSWORD).status_code == 302
    assert client.session.session_key != key_before


def test_passwords_are_hashed_with_argon2() -> None:
    user = UserFactory.create()

    assert user.password.startswith("argon2$")
    assert check_password(PASSWORD, user.password)


def _signed_in_everywhere(user: User) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    ApiTokenFactory.create(user=user, secret=f"sdt_{user.username}")
    return client, f"sdt_{user.username}"


def _still_in(client: Client, token: str) -> tuple[bool, int]:
    signed_in = client.get("/licenses/").wsgi_request.user.is_authenticated
    return signed_in, call(Client(), "GET", "/tokens", token=token)[0]


def test_a_password_change_ends_sessions_and_tokens_but_a_hash_upgrade_does_not() -> None:
    user = UserFactory.create(username="ann")
    client, token = _signed_in_everywhere(user)
    assert _still_in(client, token) == (True, 200)

    user.check_password(PASSWORD)  # may rehash; must not sign anyone out
    user.save()
    assert _still_in(client, token) == (True, 200)

    user.set_password("a new and long passphrase")
    user.save()

    assert _still_in(client, token) == (False, 401)
    assert ApiToken.objects.get().revoked_at == User.objects.get().sessions_valid_from


def test_disabling_a_user_ends_sessions_and_tokens() -> None:
    user = UserFactory.create(username="ann")
    client, token = _signed_in_everywhere(user)

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert _still_in(client, token) == (False, 401)


def test_leaving_an_organization_ends_sessions_and_tokens() -> None:
    org = OrganizationFactory.create()
    admin = member(org, MembershipRole.LICENSE_ADMIN)
    leaver = UserFactory.create(username="leaver")
    membership = MembershipFactory.create(organization=org, user=leaver)
    client, token = _signed_in_everywhere(leaver)
    stays, stays_token = _signed_in_everywhere(admin)

    membership_delete(actor=admin, membership=membership, at=AT)

    assert _still_in(client, token) == (False, 401)
    assert _still_in(stays, stays_token) == (True, 200)
    assert User.objects.get(pk=leaver.pk).sessions_valid_from == AT
