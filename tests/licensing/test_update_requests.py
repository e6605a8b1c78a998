"""R-3's one-click license update: who may ask (the roles that open cases), one open request
per license however often or concurrently it is clicked, the license desk and the asker
mailed in their language, the desk's decision audited and told; refusals name the field and
write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from supportdesk.audit.models import AuditEvent
from supportdesk.errors import Conflict
from supportdesk.licensing import services
from supportdesk.licensing.models import License, LicenseUpdateRequest
from supportdesk.notifications.models import OutboundMail
from tests.accounts.factories import (
    DelegationFactory,
    OrganizationFactory,
    PartnerFactory,
    StaffFactory,
    member,
)
from tests.licensing.factories import LicenseFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def license(settings: Settings) -> License:
    settings.SUPPORTDESK_LICENSE_DESK_EMAIL = "licenses@vendor.test"
    org = OrganizationFactory.create(name="Acme", language="cs")
    return LicenseFactory.create(organization=org, product=ProductFactory.create(name="Backup"))


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_one_click_asks_once_and_mails_the_desk_and_the_asker(license: License) -> None:
    lena = member(license.organization, "license_admin", email="lena@acme.test", language="cs")
    client = _client(lena)
    page = client.get(f"/licenses/{license.pk}/").content.decode()
    assert f'action="/licenses/{license.pk}/update-request/"' in page
    first = client.post(f"/licenses/{license.pk}/update-request/", {"note": "Renewed in May"})
    assert first.status_code == 302
    assert first["Location"].endswith("?update=asked#license-update")
    thanked = client.get(first["Location"]).content.decode()
    assert "licenční oddělení vaši žádost má" in thanked  # lena reads Czech
    again = client.post(f"/licenses/{license.pk}/update-request/", {})
    assert again["Location"].endswith("?update=open#license-update")
    listed = client.get("/licenses/").content.decode()
    assert listed.count('class="badge"') == 1  # the license with the open request
    made = LicenseUpdateRequest.objects.get()
    assert (made.state, made.note, made.requested_by) == ("open", "Renewed in May", lena)
    mails = {m.to_address: m for m in OutboundMail.objects.all()}
    assert set(mails) == {"licenses@vendor.test", "lena@acme.test"}
    assert "Renewed in May" in mails["licenses@vendor.test"].body
    assert mails["lena@acme.test"].subject.startswith("Žádost o aktualizaci licence")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["license_update.request"]
    page = client.get(f"/licenses/{license.pk}/").content.decode()
    assert "update-request/" not in page  # no second button while one is open
    assert "An updated license was asked for on" in page or "aktualizovan" in page


def test_who_may_ask(license: License) -> None:
    org = license.organization
    partner = PartnerFactory.create()
    DelegationFactory.create(customer=org, partner=partner)
    allowed = [member(org, "license_admin"), member(org, "case_admin"),
               member(partner, "case_admin")]  # fmt: skip
    refused = [member(org, "member"), StaffFactory.create()]
    hidden = [member(OrganizationFactory.create(), "license_admin")]
    at = timezone.now()
    for user in refused:
        with pytest.raises(Exception, match="License updates are asked for"):
            services.license_update_request(actor=user, license=license, at=at)
        assert _client(user).post(f"/licenses/{license.pk}/update-request/").status_code in (
            403,
            404,
        )
    for user in hidden:
        assert _client(user).post(f"/licenses/{license.pk}/update-request/").status_code == 404
    assert not LicenseUpdateRequest.objects.exists()
    for user in allowed:
        made, _created = services.license_update_request(actor=user, license=license, at=at)
        assert made.state == "open"
    assert LicenseUpdateRequest.objects.count() == 1


def test_the_database_keeps_one_open_request_per_license(license: License) -> None:
    from django.db import IntegrityError, transaction

    LicenseUpdateRequest.objects.create(license=license, created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        LicenseUpdateRequest.objects.create(license=license, created_at=timezone.now())


def test_the_desk_sends_or_declines_and_the_asker_is_told(license: License) -> None:
    asker = member(license.organization, "case_admin", email="cara@acme.test", language="en")
    made, _ = services.license_update_request(actor=asker, license=license, at=timezone.now())
    desk = _client(StaffFactory.create())
    bad = desk.post(f"/api/v1/license-update-requests/{made.pk}/decline", {},
                    content_type="application/json")  # fmt: skip
    assert bad.status_code == 422
    assert "answer" in bad.content.decode()
    customer = _client(asker)
    assert customer.post(f"/api/v1/license-update-requests/{made.pk}/fulfil", {},
                         content_type="application/json").status_code == 403  # fmt: skip
    sent = desk.post(f"/api/v1/license-update-requests/{made.pk}/fulfil",
                     {"answer": "New key attached."}, content_type="application/json")  # fmt: skip
    assert sent.status_code == 200
    assert sent.json()["state"] == "fulfilled"
    told = OutboundMail.objects.filter(to_address="cara@acme.test").latest("pk")
    assert told.subject == "Your license update for Backup: sent"
    assert "New key attached." in told.body
    with pytest.raises(Conflict):
        services.license_update_decide(actor=None, request=made, fulfilled=False, answer="x",
                                       at=timezone.now())  # fmt: skip
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "license_update.request",
        "license_update.fulfil",
    ]
    # a new request after the decision is a new one
    again = customer.post(f"/api/v1/licenses/{license.pk}/update-requests", {"note": "more"},
                          content_type="application/json")  # fmt: skip
    assert again.status_code == 201
    assert customer.post(f"/api/v1/licenses/{license.pk}/update-requests", {},
                         content_type="application/json").status_code == 200  # fmt: skip
    listed = customer.get("/api/v1/license-update-requests?state=open").json()["items"]
    assert [r["note"] for r in listed] == ["more"]
    outsider = _client(member(OrganizationFactory.create(), "license_admin"))
    assert outsider.get("/api/v1/license-update-requests").json()["items"] == []
    assert outsider.get(f"/api/v1/license-update-requests/{made.pk}").status_code == 404


def test_a_too_long_note_names_the_field_and_writes_nothing(license: License) -> None:
    client = _client(member(license.organization, "license_admin"))
    answer = client.post(f"/api/v1/licenses/{license.pk}/update-requests", {"note": "x" * 2001},
                         content_type="application/json")  # fmt: skip
    assert answer.status_code == 422
    assert "note" in answer.content.decode()
    page = client.post(f"/licenses/{license.pk}/update-request/", {"note": "x" * 2001})
    assert page.status_code == 422
    assert "note:" in page.content.decode()
    assert not LicenseUpdateRequest.objects.exists()
    assert not OutboundMail.objects.exists()


def test_the_desk_declines_in_the_admin_saying_why(license: License) -> None:
    asker = member(license.organization, "case_admin", email="cara@acme.test", language="en")
    made, _ = services.license_update_request(actor=asker, license=license, at=timezone.now())
    other = LicenseFactory.create(organization=license.organization)
    decided, _ = services.license_update_request(actor=asker, license=other, at=timezone.now())
    services.license_update_decide(
        actor=None, request=decided, fulfilled=True, answer="", at=timezone.now()
    )
    desk = _client(StaffFactory.create(is_superuser=True))
    url = "/admin/licensing/licenseupdaterequest/"
    chosen = {"action": "decline", "_selected_action": [made.pk, decided.pk]}

    asked = desk.post(url, chosen)  # the page that asks why, listing the open one only
    assert asked.status_code == 200
    page = asked.content.decode()
    assert 'name="answer"' in page
    assert page.count('name="_selected_action"') == 1
    empty = desk.post(url, {**chosen, "apply": "Decline", "answer": "  "})
    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    made.refresh_from_db()
    assert made.state == "open"  # nothing written without a reason

    done = desk.post(url, {**chosen, "apply": "Decline", "answer": "The contract ended."})
    assert done.status_code == 302
    made.refresh_from_db()
    assert (made.state, made.answer) == ("declined", "The contract ended.")
    told = OutboundMail.objects.filter(to_address="cara@acme.test").latest("pk")
    assert "The contract ended." in told.body
    assert AuditEvent.objects.filter(action="license_update.decline").count() == 1
    none_open = desk.post(url, chosen, follow=True)
    assert "None of the selected requests is open." in none_open.content.decode()


def test_the_desk_reads_its_mail_in_its_language(license: License, settings: Settings) -> None:
    asker = member(license.organization, "license_admin", email="lena@acme.test")
    services.license_update_request(actor=asker, license=license, at=timezone.now())
    english = OutboundMail.objects.get(to_address="licenses@vendor.test")
    assert (english.language, english.subject[:7]) == ("en", "License")

    settings.SUPPORTDESK_LICENSE_DESK_LANGUAGE = "cs"
    second = LicenseFactory.create(organization=license.organization)
    services.license_update_request(actor=asker, license=second, at=timezone.now())
    czech = OutboundMail.objects.filter(to_address="licenses@vendor.test").latest("pk")
    assert czech.language == "cs"
    assert czech.subject.startswith("Žádost o aktualizaci licence")

    # a staff account with the desk's address: its own language wins over the setting
    StaffFactory.create(email="licenses@vendor.test", language="en")
    third = LicenseFactory.create(organization=license.organization)
    services.license_update_request(actor=asker, license=third, at=timezone.now())
    assert OutboundMail.objects.filter(to_address="licenses@vendor.test").latest("pk").language == (
        "en"
    )
