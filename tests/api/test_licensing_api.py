"""Products, versions, licenses, Support IDs and entitlements over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from supportdesk.licensing.models import License, SupportId
from tests.accounts.factories import (
    DelegationFactory,
    OrganizationFactory,
    PartnerFactory,
    StaffFactory,
    member,
)
from tests.api.calls import call, error
from tests.licensing.factories import (
    LicenseFactory,
    LicenseLineFactory,
    ProductFactory,
    ProductVersionFactory,
    SupportIdFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(StaffFactory.create())
    return client


def test_the_catalog_with_lifecycle_states_r36(client: Client) -> None:
    product = ProductFactory.create(code="VBR", name="Backup & Replication", is_flagship=True)
    ProductVersionFactory.create(
        product=product, version="11", ga=date(2021, 2, 1), end_of_fix=date(2023, 2, 1),
        end_of_support=date(2025, 2, 1),
    )  # fmt: skip
    ProductVersionFactory.create(
        product=product, version="12", ga=date(2023, 2, 1), end_of_fix=date(2026, 2, 1)
    )
    client.force_login(member(OrganizationFactory.create()))

    status, products = call(client, "GET", "/products")
    _, in_2024 = call(client, "GET", f"/products/{product.pk}/versions?on=2024-06-01")
    _, in_2026 = call(client, "GET", f"/products/{product.pk}/versions?on=2026-06-01")

    assert (status, products) == (
        200,
        {
            "items": [
                {
                    "id": product.pk,
                    "code": "VBR",
                    "name": "Backup & Replication",
                    "is_flagship": True,
                }
            ],
            "count": 1,
        },
    )
    assert [(v["version"], v["lifecycle"]) for v in in_2024["items"]] == [
        ("11", "end_of_fix"),
        ("12", "ga"),
    ]
    assert [(v["version"], v["lifecycle"]) for v in in_2026["items"]] == [
        ("11", "end_of_support"),
        ("12", "end_of_fix"),
    ]
    assert in_2026["items"][1] == {
        "id": in_2026["items"][1]["id"],
        "product": "VBR",
        "version": "12",
        "ga": "2023-02-01",
        "end_of_fix": "2026-02-01",
        "end_of_support": None,
        "end_of_sale": None,
        "lifecycle": "end_of_fix",
    }


def test_staff_add_products_and_versions(staff: Client) -> None:
    status, product = call(staff, "POST", "/products", {"code": "VONE", "name": "ONE"})
    created = call(
        staff,
        "POST",
        f"/products/{product['id']}/versions",
        {"version": "12", "ga": "2024-01-01", "end_of_fix": "2023-01-01"},
    )

    assert (status, product["code"]) == (201, "VONE")
    assert created == (422, error("End of Fix comes on or after GA.", "end_of_fix"))


def test_issue_a_license(staff: Client) -> None:
    org = OrganizationFactory.create(name="Acme")
    ProductFactory.create(code="VBR")

    status, body = call(
        staff,
        "POST",
        f"/organizations/{org.pk}/licenses",
        {
            "product": "VBR",
            "license_type": "subscription",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "maintenance_from": "2026-01-01",
            "maintenance_until": "2026-12-31",
            "lines": [
                {"count": 6, "production": True, "level": "production"},
                {"count": 4, "level": "basic"},
            ],
            "support_id": "sid-7k3m-q9px-2wz4",
        },
    )

    license = License.objects.get()
    assert status == 201
    assert body == {
        "id": license.pk,
        "organization": org.pk,
        "organization_name": "Acme",
        "product": "VBR",
        "license_type": "subscription",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "maintenance_from": "2026-01-01",
        "maintenance_until": "2026-12-31",
        "lines": [
            {"count": 6, "production": True, "level": "production"},
            {"count": 4, "production": True, "level": "basic"},
        ],
        "support_ids": ["SID-7K3M-Q9PX-2WZ4"],
        "created_at": body["created_at"],
    }


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"product": "NOPE"},
            [{"field": "product", "message": "No product with the code 'NOPE'."}],
        ),
        (
            {"lines": [{"count": 0, "level": "gold"}]},
            [
                {"field": "lines.0.count", "message": "Input should be greater than or equal to 1"},
                {
                    "field": "lines.0.level",
                    "message": "Input should be 'basic', 'production' or 'premium'",
                },
            ],
        ),
        (
            {"valid_from": "2026-02-01", "valid_until": "2026-01-01"},
            [
                {
                    "field": "valid_until",
                    "message": "The license ends on or after the day it starts.",
                }
            ],
        ),
        (
            {"support_id": "SID-1"},
            [
                {
                    "field": "support_id",
                    "message": "'SID-1' is not a Support ID (SID-XXXX-XXXX-XXXX).",
                }
            ],
        ),
    ],
)
def test_bad_licenses_answer_422_by_field(
    staff: Client, change: dict[str, object], errors: list[dict[str, str]]
) -> None:
    org = OrganizationFactory.create()
    ProductFactory.create(code="VBR")
    body = {"product": "VBR", "license_type": "perpetual", **change}

    assert call(staff, "POST", f"/organizations/{org.pk}/licenses", body) == (
        422,
        {"errors": errors},
    )
    assert License.objects.count() == 0


def test_change_a_licenses_lines(staff: Client) -> None:
    license = LicenseFactory.create()
    LicenseLineFactory.create(license=license, count=10, level="basic")

    status, body = call(
        staff,
        "PATCH",
        f"/licenses/{license.pk}",
        {"maintenance_until": "2027-12-31", "lines": [{"count": 10, "level": "production"}]},
    )

    assert status == 200
    assert body["maintenance_until"] == "2027-12-31"
    assert body["lines"] == [{"count": 10, "production": True, "level": "production"}]


def test_support_ids_are_added_and_revoked(staff: Client) -> None:
    license = LicenseFactory.create()

    status, created = call(staff, "POST", f"/licenses/{license.pk}/support-ids")
    code = created["code"]
    revoked = call(staff, "DELETE", f"/support-ids/{code.lower()}")
    _, after = call(staff, "GET", f"/support-ids/{code}")
    _, active = call(staff, "GET", "/support-ids?revoked=false")

    assert status == 201
    assert created == {
        "code": code,
        "license": license.pk,
        "organization": license.organization_id,
        "product": license.product.code,
        "created_at": created["created_at"],
        "revoked_at": None,
    }
    assert revoked == (204, None)
    assert after["revoked_at"] is not None
    assert active == {"items": [], "count": 0}
    assert SupportId.objects.get().revoked_at is not None


def test_the_entitlement_of_a_support_id(client: Client) -> None:
    license = LicenseFactory.create(
        organization__name="Acme", product__is_flagship=True, maintenance_until=date(2026, 12, 31)
    )
    LicenseLineFactory.create(license=license, count=6, level="production")
    LicenseLineFactory.create(license=license, count=4, level="basic")
    SupportIdFactory.create(license=license, code="SID-AAAA-BBBB-CCCC")
    ProductVersionFactory.create(product=license.product, version="12", ga=date(2024, 1, 1))
    client.force_login(member(license.organization))

    status, body = call(
        client, "GET", "/entitlements/sid-aaaa-bbbb-cccc?version=12&at=2026-06-15T08:00:00Z"
    )

    assert status == 200
    assert (body["support_id"], body["program"], body["lifecycle"]) == (
        "SID-AAAA-BBBB-CCCC",
        "basic",
        "ga",
    )
    assert body["targets"] == {"1": 120, "2": 480, "3": 720, "4": 1440}
    assert body["hours"] == "Mon-Fri 08:00-20:00, customer's local business days"
    assert body["languages"]["languages"] == ["en", "de", "fr", "ru", "es", "it"]
    assert body["at"] == "2026-06-15T08:00:00Z"
    assert body["on"] == "2026-06-15"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "?version=99",
            (422, error("Product 1 has no version '99' (known: none yet).", "version")),
        ),
        (
            "?at=2026-06-15T08:00:00",
            (422, error("Input should have timezone info", "at")),
        ),
    ],
)
def test_entitlement_errors(client: Client, query: str, expected: object) -> None:
    SupportIdFactory.create(code="SID-AAAA-BBBB-CCCC", license__product__name="Product 1")
    client.force_login(StaffFactory.create())

    assert call(client, "GET", f"/entitlements/SID-AAAA-BBBB-CCCC{query}") == expected


def test_an_unknown_or_revoked_support_id(staff: Client) -> None:
    sid = SupportIdFactory.create(code="SID-AAAA-BBBB-CCCC")
    call(staff, "DELETE", f"/support-ids/{sid.code}")

    assert call(staff, "GET", "/entitlements/SID-0000-0000-0000") == (404, error("Not found."))
    status, body = call(staff, "GET", "/entitlements/SID-AAAA-BBBB-CCCC")
    assert (status, body["errors"][0]["field"]) == (422, "support_id")


def test_asking_about_another_time_grants_no_access_r4(client: Client) -> None:
    sid = SupportIdFactory.create(code="SID-AAAA-BBBB-CCCC")
    partner = PartnerFactory.create()
    DelegationFactory.create(
        customer=sid.license.organization,
        partner=partner,
        starts_at=datetime(2026, 1, 1, tzinfo=UTC),
        ends_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    client.force_login(member(partner))

    during = "/entitlements/SID-AAAA-BBBB-CCCC?at=2026-01-15T12:00:00Z"
    assert call(client, "GET", during) == (404, error("Not found."))


def test_the_api_documents_itself(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    paths = response.json()["paths"]
    assert response.status_code == 200
    assert "/api/v1/entitlements/{support_id}" in paths
    assert sorted(paths["/api/v1/licenses/{license_id}"]) == ["delete", "get", "patch"]
