"""Invitations by e-mail (issue 9 point 4, R-1): a license administrator invites an address
without learning whether it has an account; the token has 256 random bits, is kept only as a
digest bound to its purpose, and works once, before it expires, for the owner of the address
only; a newer invitation ends the older; accepting is audited and, for a new account, signs
in with a new session key; link tries are rate limited.

``TOKENS`` counts the wrong tokens tried and accepted, for the issue's figures."""

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
from supportdesk.accounts.models import Invitation, Membership, Organization, User
from supportdesk.audit.models import AuditEvent
from supportdesk.notifications.models import OutboundMail
from tests.accounts.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

PASSWORD = "a long and new passphrase 2026"
TOKENS: Counter[str] = Counter()


@pytest.fixture
def acme() -> Organization:
    return OrganizationFactory.create(name="Acme", language="en")


@pytest.fixture
def admin_client(acme: Organization) -> Client:
    client = Client()
    client.force_login(member(acme, "license_admin", username="lena", email="lena@acme.test"))
    return client


def _token(mail: OutboundMail) -> str:
    match = re.search(r"/invite/([^/\s]+)/", mail.body)
    assert match is not None, mail.body
    return match.group(1)


def _invite(client: Client, org: Organization, email: str, role: str = "member") -> Any:
    return client.post(
        f"/api/v1/organizations/{org.pk}/invitations",
        {"email": email, "role": role},
        content_type="application/json",
    )


def _wrong(client: Client, token: str, data: dict[str, str] | None = None) -> int:
    """Try a token that must not work: counted, and the answer's status returned."""
    response = (
        client.post(f"/invite/{token}/", data or {}) if data else client.get(f"/invite/{token}/")
    )
    TOKENS["wrong tried"] += 1
    if response.status_code not in (404, 422, 429):
        TOKENS["wrong accepted"] += 1
    return response.status_code


def _new_account(username: str = "neo") -> dict[str, str]:
    return {"username": username, "first_name": "Neo", "last_name": "Ng",
            "password": PASSWORD, "again": PASSWORD}  # fmt: skip


def test_an_address_with_and_without_an_account_get_the_same_answer(
    admin_client: Client, acme: Organization
) -> None:
    member(OrganizationFactory.create(), username="kim", email="kim@example.com")
    from supportdesk.notifications import services as outbox

    with mock.patch.object(outbox, "render", wraps=outbox.render) as rendered:
        known = _invite(admin_client, acme, "KIM@example.com ")
        unknown = _invite(admin_client, acme, "nobody@example.com")
    assert (known.status_code, unknown.status_code) == (201, 201)
    keys = {k for k in known.json() if k not in ("id", "email", "created_at", "expires_at")}
    assert {k: known.json()[k] for k in keys} == {k: unknown.json()[k] for k in keys}
    assert known.json()["email"] == "kim@example.com"
    assert known.json()["state"] == "open"
    assert rendered.call_count == 2  # the same work for both
    mails = OutboundMail.objects.order_by("pk")
    assert [m.to_address for m in mails] == ["kim@example.com", "nobody@example.com"]
    assert all("/invite/" in m.body for m in mails)


def test_the_token_is_long_kept_only_as_a_digest_and_mailed_in_the_readers_language(
    admin_client: Client, acme: Organization
) -> None:
    member(OrganizationFactory.create(), username="jana", email="jana@example.cz", language="cs")
    assert _invite(admin_client, acme, "jana@example.cz", "case_admin").status_code == 201
    mail = OutboundMail.objects.get()
    token = _token(mail)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    invitation = Invitation.objects.get()
    assert invitation.digest == services.invitation_digest(token)
    assert token not in invitation.digest
    assert not Invitation.objects.filter(digest__contains=token).exists()
    assert "Pozvánka do organizace Acme" in mail.subject
    assert "správce případů" in mail.body
    assert mail.redact_after_send  # the link is not kept once the mail is sent


def test_a_new_person_makes_an_account_and_joins_once(
    admin_client: Client, acme: Organization
) -> None:
    _invite(admin_client, acme, "neo@example.com", "case_admin")
    token = _token(OutboundMail.objects.get())
    visitor = Client()
    page = visitor.get(f"/invite/{token}/")
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert "You are invited to join Acme as Case administrator." in page.content.decode()
    before = visitor.cookies.get(settings.SESSION_COOKIE_NAME)
    joined = visitor.post(f"/invite/{token}/", _new_account())
    assert (joined.status_code, joined["Location"]) == (302, "/?joined=1")
    neo = User.objects.get(username="neo")
    assert (neo.email, neo.check_password(PASSWORD)) == ("neo@example.com", True)
    assert Membership.objects.get(user=neo).role == "case_admin"
    assert visitor.cookies[settings.SESSION_COOKIE_NAME] != before  # a new session key
    assert visitor.get("/").status_code == 200  # signed in
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["invitation.create", "user.create", "membership.create",
                       "invitation.accept"]  # fmt: skip
    # once
    assert _wrong(Client(), token) == 404
    assert _wrong(Client(), token, _new_account("trinity")) == 404
    assert not User.objects.filter(username="trinity").exists()


def test_only_the_owner_of_the_address_accepts(admin_client: Client, acme: Organization) -> None:
    kim = member(OrganizationFactory.create(), username="kim", email="Kim@Example.com")
    eve = member(OrganizationFactory.create(), username="eve", email="eve@example.com")
    _invite(admin_client, acme, "kim@example.com")
    token = _token(OutboundMail.objects.get())
    as_eve = Client()
    as_eve.force_login(eve)
    page = as_eve.get(f"/invite/{token}/")
    assert "sent to another e-mail address" in page.content.decode()
    assert _wrong(as_eve, token, {"accept": "1"}) == 422
    assert not Membership.objects.filter(user=eve, organization=acme).exists()
    # nobody makes a second account with an address that has one
    assert _wrong(Client(), token, _new_account("kim2")) == 422
    assert not User.objects.filter(username="kim2").exists()
    as_kim = Client()
    as_kim.force_login(kim)
    assert as_kim.post(f"/invite/{token}/", {"accept": "1"}).status_code == 302
    assert Membership.objects.get(user=kim, organization=acme).role == "member"
    assert Invitation.objects.get().accepted_by == kim


def test_wrong_expired_withdrawn_and_replaced_links_do_not_work(
    admin_client: Client, acme: Organization, settings: Settings
) -> None:
    _invite(admin_client, acme, "neo@example.com")
    first = _token(OutboundMail.objects.get())
    _invite(admin_client, acme, "neo@example.com", "license_admin")  # replaces the first
    second = _token(OutboundMail.objects.latest("pk"))
    assert (
        Invitation.objects.get(digest=services.invitation_digest(first)).state(timezone.now())
        == "ended"
    )
    from supportdesk.accounts.services import reset_digest

    wrong = [
        first,  # replaced
        second[:-1],  # cut short
        second[:-1] + ("A" if second[-1] != "A" else "B"),  # tampered
        "x" * 43,  # made up
        reset_digest(second),  # another kind's
        services.invitation_digest(second),  # its own digest
    ]
    for token in wrong:
        assert _wrong(Client(), token) == 404, token
        assert _wrong(Client(), token, _new_account()) == 404, token
    assert not User.objects.filter(username="neo").exists()
    # withdrawn
    invitation = Invitation.objects.get(digest=services.invitation_digest(second))
    assert admin_client.delete(f"/api/v1/invitations/{invitation.pk}").status_code == 204
    assert admin_client.delete(f"/api/v1/invitations/{invitation.pk}").status_code == 409
    assert _wrong(Client(), second) == 404
    # expired
    _invite(admin_client, acme, "neo@example.com")
    third = _token(OutboundMail.objects.latest("pk"))
    Invitation.objects.filter(digest=services.invitation_digest(third)).update(
        created_at=timezone.now() - timedelta(days=8),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert _wrong(Client(), third, _new_account()) == 404
    assert not User.objects.filter(username="neo").exists()
    assert TOKENS["wrong accepted"] == 0


def test_link_tries_are_limited(settings: Settings) -> None:
    settings.SUPPORTDESK_RATE_LIMITS = {**settings.SUPPORTDESK_RATE_LIMITS,
                                        "invitation-link": (3, 600)}  # fmt: skip
    client = Client()
    answers = [client.get(f"/invite/guess{n}/").status_code for n in range(4)]
    assert answers == [404, 404, 404, 429]
    limited = client.get("/invite/guess5/")
    assert int(limited["Retry-After"]) > 0


def test_bad_input_names_the_field_and_writes_nothing(
    admin_client: Client, acme: Organization
) -> None:
    for body, field in (
        ({"email": "not an address", "role": "member"}, "email"),
        ({"email": "a@example.com", "role": "owner"}, "role"),
        ({"email": "x" * 300 + "@example.com", "role": "member"}, "email"),
    ):
        answer = admin_client.post(
            f"/api/v1/organizations/{acme.pk}/invitations", body, content_type="application/json"
        )
        assert answer.status_code == 422, body
        assert field in answer.content.decode(), body
    assert not Invitation.objects.exists()
    assert not OutboundMail.objects.exists()
    _invite(admin_client, acme, "neo@example.com")
    token = _token(OutboundMail.objects.get())
    weak = _new_account() | {"password": "short", "again": "short"}
    answer = Client().post(f"/invite/{token}/", weak)
    assert answer.status_code == 422
    assert "password:" in answer.content.decode()
    taken = Client().post(f"/invite/{token}/", _new_account("lena"))  # the admin's name
    assert taken.status_code == 422
    assert "user name is taken" in taken.content.decode()
    assert not User.objects.filter(email="neo@example.com").exists()


def test_only_license_administrators_invite_and_see_invitations(acme: Organization) -> None:
    other = OrganizationFactory.create()
    someone = Client()
    someone.force_login(member(acme, "case_admin"))
    assert _invite(someone, acme, "a@example.com").status_code == 403
    outsider = Client()
    outsider.force_login(member(other, "license_admin"))
    assert _invite(outsider, acme, "a@example.com").status_code == 404
    lena = Client()
    lena.force_login(member(acme, "license_admin"))
    invitation = Invitation.objects.get(pk=_invite(lena, acme, "a@example.com").json()["id"])
    assert [i["id"] for i in lena.get("/api/v1/invitations").json()["items"]] == [invitation.pk]
    assert someone.get("/api/v1/invitations").json()["items"] == []
    assert outsider.get(f"/api/v1/invitations/{invitation.pk}").status_code == 404
    assert outsider.delete(f"/api/v1/invitations/{invitation.pk}").status_code == 404
    assert invitation.state(timezone.now()) == "open"
    assert Invitation.objects.count() == 1
