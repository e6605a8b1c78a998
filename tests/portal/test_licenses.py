"""The portal's sign-in and license pages (R-2, R-3, R-5 to R-10, R-36)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from supportdesk.licensing.models import License
from tests.accounts.factories import (
    DelegationFactory,
    OrganizationFactory,
    PartnerFactory,
    PdmFactory,
    StaffFactory,
    UserFactory,
    member,
)
from tests.licensing.factories import (
    LicenseFactory,
    LicenseLineFactory,
    ProductVersionFactory,
    SupportIdFactory,
)

pytestmark = pytest.mark.django_db


def _mixed_license() -> License:
    """10 production sockets, 6 at Production and 4 at Basic: Basic (R-7)."""
    license = LicenseFactory.create(
        organization__name="Acme",
        product__name="Backup & Replication",
        product__is_flagship=True,
        maintenance_until=timezone.now().date() + timedelta(days=300),
    )
    LicenseLineFactory.create(license=license, count=6, level="production")
    LicenseLineFactory.create(license=license, count=4, level="basic")
    SupportIdFactory.create(license=license, code="SID-AAAA-BBBB-CCCC")
    return license


def test_pages_ask_to_sign_in(client: Client) -> None:
    response = client.get("/licenses/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/licenses/"


def test_customers_sign_in_on_the_portal(client: Client) -> None:
    user = UserFactory.create(username="ana")
    member(OrganizationFactory.create(), "license_admin", username="bob")

    page = client.get("/login/?next=/licenses/")
    wrong = client.post("/login/", {"username": "ana", "password": "nope"})
    right = client.post(
        "/login/",
        {"username": "ana", "password": "correct horse battery staple", "next": "/licenses/"},
    )

    assert page.status_code == 200
    assert "<h1>Sign in</h1>" in page.content.decode()
    assert wrong.status_code == 200
    assert "Please enter a correct username and password." in wrong.content.decode()
    assert (right.status_code, right["Location"]) == (302, "/licenses/")
    assert client.get("/licenses/").context["user"] == user


def test_the_license_list_shows_support_ids_and_programs(client: Client) -> None:
    license = _mixed_license()
    LicenseFactory.create(organization__name="Globex")  # someone else's
    client.force_login(member(license.organization))

    response = client.get("/licenses/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<code>SID-AAAA-BBBB-CCCC</code>" in page
    assert '<span class="badge badge-basic">Basic</span>' in page
    assert "Globex" not in page
    assert [row.license.organization.name for row in response.context["rows"]] == ["Acme"]


def test_a_license_page_shows_the_entitlement(client: Client) -> None:
    license = _mixed_license()
    ProductVersionFactory.create(
        product=license.product,
        version="11",
        ga=date(2020, 1, 1),
        end_of_fix=date(2022, 1, 1),
        end_of_support=date(2024, 1, 1),
    )
    client.force_login(member(license.organization))

    response = client.get(f"/licenses/{license.pk}/")
    for_11 = client.get(f"/licenses/{license.pk}/?version=11")

    page = response.content.decode()
    assert response.status_code == 200
    assert "6 production at Production; 4 production at Basic" in page
    assert "<li>Severity 1: 2 h of business hours</li>" in page
    assert "<li>Severity 4: 24 h of business hours</li>" in page
    assert "Mon-Fri 08:00-20:00, customer&#x27;s local business days" in page
    assert "4 of 10 production sockets/instances are covered at Basic level" in page
    assert '<tr class="lifecycle-end_of_support"><td>11</td>' in page
    eleven = for_11.content.decode()
    assert "<td>11: End of Support</td>" in eleven
    assert "We can offer:</strong> Upgrade to a supported version." in eleven


def test_a_premium_customer_sees_its_pdm(client: Client) -> None:
    pdm = PdmFactory.create(first_name="Paula", last_name="Novak")
    license = LicenseFactory.create(organization__pdm=pdm)
    LicenseLineFactory.create(license=license, level="premium")
    SupportIdFactory.create(license=license)
    client.force_login(member(license.organization))

    page = client.get(f"/licenses/{license.pk}/").content.decode()

    assert "<tr><th>Your PDM</th><td>Paula Novak</td></tr>" in page
    assert "<li>Severity 1: 30 min</li>" in page


def test_lapsed_maintenance_offers_a_renewal(client: Client) -> None:
    license = LicenseFactory.create(maintenance_until=date(2025, 12, 31))
    SupportIdFactory.create(license=license)
    client.force_login(member(license.organization))

    page = client.get(f"/licenses/{license.pk}/").content.decode()

    assert '<span class="badge badge-none">No support program</span>' in page
    assert "We can offer:</strong> Renew the maintenance contract." in page


def test_another_organizations_license_is_not_found(client: Client) -> None:
    license = LicenseFactory.create()
    client.force_login(member(OrganizationFactory.create(), "license_admin"))

    assert client.get(f"/licenses/{license.pk}/").status_code == 404


def test_a_partner_sees_delegated_licenses_while_the_delegation_lasts(client: Client) -> None:
    license = LicenseFactory.create()
    partner = PartnerFactory.create()
    DelegationFactory.create(
        customer=license.organization,
        partner=partner,
        ends_at=timezone.now() + timedelta(days=1),
    )
    gone = LicenseFactory.create()
    DelegationFactory.create(
        customer=gone.organization, partner=partner, ends_at=timezone.now() - timedelta(days=1)
    )
    client.force_login(member(partner))

    assert client.get(f"/licenses/{license.pk}/").status_code == 200
    assert client.get(f"/licenses/{gone.pk}/").status_code == 404


def test_staff_see_every_license(client: Client) -> None:
    LicenseFactory.create_batch(2)
    client.force_login(StaffFactory.create())

    assert len(client.get("/licenses/").context["rows"]) == 2


def test_signing_out(client: Client) -> None:
    client.force_login(member(OrganizationFactory.create()))

    response = client.post("/logout/")

    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert client.get("/licenses/").status_code == 302
