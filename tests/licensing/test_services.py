from __future__ import annotations

from datetime import UTC, date, datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from supportdesk.audit.models import AuditEvent
from supportdesk.errors import Conflict
from supportdesk.licensing import services
from supportdesk.licensing.models import License, LicenseLine, Product, ProductVersion, SupportId
from supportdesk.policy.entitlement import SocketLine
from tests.accounts.factories import OrganizationFactory, StaffFactory, member
from tests.licensing.factories import (
    LicenseFactory,
    LicenseLineFactory,
    ProductFactory,
    ProductVersionFactory,
    SupportIdFactory,
)

pytestmark = pytest.mark.django_db

AT = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


# --- products and versions -------------------------------------------------------------------


def test_products_and_versions_are_recorded() -> None:
    staff = StaffFactory.create()

    product = services.product_create(
        actor=staff, code="VBR", name="Backup & Replication", is_flagship=True, at=AT
    )
    version = services.product_version_create(
        actor=staff,
        product=product,
        version="12.1",
        ga=date(2024, 1, 10),
        end_of_fix=date(2026, 1, 10),
        at=AT,
    )
    services.product_version_update(
        actor=staff, version=version, changes={"end_of_support": date(2027, 1, 10)}, at=AT
    )

    assert [(e.actor, e.action, e.changes) for e in AuditEvent.objects.all()] == [
        (
            staff,
            "product.create",
            {
                "code": [None, "VBR"],
                "name": [None, "Backup & Replication"],
                "is_flagship": [None, True],
            },
        ),
        (
            staff,
            "version.create",
            {
                "product": [None, product.pk],
                "version": [None, "12.1"],
                "ga": [None, "2024-01-10"],
                "end_of_fix": [None, "2026-01-10"],
            },
        ),
        (staff, "version.update", {"end_of_support": [None, "2027-01-10"]}),
    ]


def test_there_is_one_flagship_r20() -> None:
    ProductFactory.create(is_flagship=True)

    with pytest.raises(ValidationError) as error:
        services.product_create(actor=None, code="VONE", name="One", is_flagship=True, at=AT)

    assert error.value.messages == ["Another product is already the flagship (R-20)."]


@pytest.mark.parametrize(
    ("dates", "errors"),
    [
        (
            {"ga": date(2025, 1, 1), "end_of_fix": date(2024, 1, 1)},
            {"end_of_fix": ["End of Fix comes on or after GA."]},
        ),
        (
            {"end_of_fix": date(2026, 1, 1), "end_of_support": date(2025, 1, 1)},
            {"end_of_support": ["End of Support comes on or after End of Fix."]},
        ),
        (
            {"ga": date(2025, 1, 1), "end_of_support": date(2024, 1, 1)},
            {"end_of_support": ["End of Support comes on or after GA."]},
        ),
    ],
)
def test_lifecycle_dates_come_in_order_r36(dates: dict[str, date], errors: object) -> None:
    product = ProductFactory.create()

    with pytest.raises(ValidationError) as error:
        services.product_version_create(actor=None, product=product, version="1", at=AT, **dates)

    assert error.value.message_dict == errors
    assert ProductVersion.objects.count() == 0


def test_a_version_is_unique_per_product() -> None:
    version = ProductVersionFactory.create(version="12")

    with pytest.raises(ValidationError) as error:
        services.product_version_create(actor=None, product=version.product, version="12", at=AT)

    assert error.value.messages == ["The product already has this version."]


def test_a_licensed_product_is_not_deleted() -> None:
    license = LicenseFactory.create(product__name="Backup & Replication")

    with pytest.raises(Conflict) as error:
        services.product_delete(actor=None, product=license.product, at=AT)

    assert error.value.message == "Licenses of Backup & Replication exist: delete them first."
    assert Product.objects.count() == 1


def test_deleting_a_product_deletes_its_versions() -> None:
    version = ProductVersionFactory.create()

    services.product_delete(actor=None, product=version.product, at=AT)

    assert (Product.objects.count(), ProductVersion.objects.count()) == (0, 0)
    assert [e.action for e in AuditEvent.objects.all()] == ["product.delete"]


@pytest.mark.parametrize("role", ["license_admin", "case_admin", "member"])
def test_customers_do_not_change_the_catalog(role: str) -> None:
    actor = member(OrganizationFactory.create(), role)

    with pytest.raises(PermissionDenied, match="Only support staff change products"):
        services.product_create(actor=actor, code="X", name="X", at=AT)

    assert Product.objects.count() == 0


# --- licenses --------------------------------------------------------------------------------


def test_a_license_comes_with_its_lines_and_a_support_id() -> None:
    org = OrganizationFactory.create()
    product = ProductFactory.create()

    license = services.license_create(
        actor=None,
        organization=org,
        product=product,
        license_type="perpetual",
        valid_from=date(2025, 1, 1),
        maintenance_from=date(2025, 1, 1),
        maintenance_until=date(2026, 12, 31),
        lines=[SocketLine(6, True, "production"), SocketLine(4, True, "basic")],
        at=AT,
    )

    sid = license.support_ids.get()
    assert license.facts().lines == (
        SocketLine(6, True, "production"),
        SocketLine(4, True, "basic"),
    )
    assert sid.created_at == AT
    assert AuditEvent.objects.get().changes == {
        "organization": [None, org.pk],
        "product": [None, product.pk],
        "license_type": [None, "perpetual"],
        "valid_from": [None, "2025-01-01"],
        "maintenance_from": [None, "2025-01-01"],
        "maintenance_until": [None, "2026-12-31"],
        "lines": [None, [[6, True, "production"], [4, True, "basic"]]],
        "support_id": [None, sid.code],
    }


def test_a_given_support_id_is_kept_in_its_one_spelling() -> None:
    license = services.license_create(
        actor=None,
        organization=OrganizationFactory.create(),
        product=ProductFactory.create(),
        license_type="trial",
        support_id="sid 7k3m q9px 2wz4",
        at=AT,
    )

    assert list(license.support_ids.values_list("code", flat=True)) == ["SID-7K3M-Q9PX-2WZ4"]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"support_id": "SID-1"},
            {"support_id": ["'SID-1' is not a Support ID (SID-XXXX-XXXX-XXXX)."]},
        ),
        (
            {"support_id": "SID-TAKE-NTAK-EN00"},
            {"support_id": ["SID-TAKE-NTAK-EN00 is already in use."]},
        ),
        (
            {"valid_from": date(2026, 1, 1), "valid_until": date(2025, 1, 1)},
            {"valid_until": ["The license ends on or after the day it starts."]},
        ),
        (
            {"maintenance_from": date(2026, 1, 1), "maintenance_until": date(2025, 12, 31)},
            {"maintenance_until": ["Maintenance ends on or after the day it starts."]},
        ),
        ({"license_type": "gold"}, {"license_type": ["Value 'gold' is not a valid choice."]}),
        (
            {"lines": [SocketLine(0, True, "basic"), SocketLine(1, True, "gold")]},
            {
                "lines.0.count": ["Ensure this value is greater than or equal to 1."],
                "lines.1.level": ["Value 'gold' is not a valid choice."],
            },
        ),
    ],
)
def test_bad_licenses_are_refused_by_field(fields: dict[str, object], errors: object) -> None:
    SupportIdFactory.create(code="SID-TAKE-NTAK-EN00")
    before = (License.objects.count(), SupportId.objects.count(), AuditEvent.objects.count())
    values: dict[str, object] = {"license_type": "perpetual", **fields}

    with pytest.raises(ValidationError) as error:
        services.license_create(
            actor=None,
            organization=OrganizationFactory.create(),
            product=ProductFactory.create(),
            at=AT,
            **values,  # type: ignore[arg-type]
        )

    assert error.value.message_dict == errors
    assert (
        License.objects.count(),
        SupportId.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_update_a_license_and_replace_its_lines() -> None:
    license = LicenseFactory.create(maintenance_until=date(2026, 12, 31))
    LicenseLineFactory.create(license=license, count=10, level="basic")

    services.license_update(
        actor=None,
        license=license,
        changes={"maintenance_until": date(2027, 12, 31)},
        lines=[SocketLine(10, True, "production")],
        at=AT,
    )

    license.refresh_from_db()
    assert license.maintenance_until == date(2027, 12, 31)
    assert list(LicenseLine.objects.values_list("count", "level")) == [(10, "production")]
    assert AuditEvent.objects.get().changes == {
        "maintenance_until": ["2026-12-31", "2027-12-31"],
        "lines": [[[10, True, "basic"]], [[10, True, "production"]]],
    }


def test_a_licenses_owner_and_product_stay() -> None:
    license = LicenseFactory.create()

    with pytest.raises(ValidationError) as error:
        services.license_update(
            actor=None,
            license=license,
            changes={"organization": OrganizationFactory.create()},
            at=AT,
        )

    assert error.value.message_dict == {"organization": ["This field cannot be changed."]}


def test_delete_a_license_with_its_lines_and_support_ids() -> None:
    sid = SupportIdFactory.create(code="SID-AAAA-BBBB-CCCC")
    LicenseLineFactory.create(license=sid.license)

    services.license_delete(actor=None, license=sid.license, at=AT)

    assert (License.objects.count(), LicenseLine.objects.count(), SupportId.objects.count()) == (
        0,
        0,
        0,
    )
    assert AuditEvent.objects.get().changes["support_ids"] == [["SID-AAAA-BBBB-CCCC"], None]


@pytest.mark.parametrize("role", ["license_admin", "case_admin", "member"])
def test_customers_do_not_issue_licenses(role: str) -> None:
    org = OrganizationFactory.create()

    with pytest.raises(PermissionDenied, match="Only support staff issue"):
        services.license_create(
            actor=member(org, role),
            organization=org,
            product=ProductFactory.create(),
            license_type="perpetual",
            at=AT,
        )

    assert License.objects.count() == 0


# --- Support IDs -----------------------------------------------------------------------------


def test_another_support_id_and_revoking_one() -> None:
    license = LicenseFactory.create()

    sid = services.support_id_create(actor=None, license=license, at=AT)
    services.support_id_revoke(actor=None, support_id=sid, at=AT)
    services.support_id_revoke(actor=None, support_id=sid, at=AT)  # twice: nothing more

    sid.refresh_from_db()
    assert sid.revoked_at == AT
    assert [(e.action, e.changes) for e in AuditEvent.objects.all()] == [
        ("support_id.create", {"code": [None, sid.code], "license": [None, license.pk]}),
        ("support_id.revoke", {"revoked_at": [None, "2026-06-15T10:00:00+00:00"]}),
    ]


def test_a_clash_of_random_codes_draws_again() -> None:
    SupportIdFactory.create(code="SID-AAAA-AAAA-AAAA")
    draws = ["SID-AAAA-AAAA-AAAA", "SID-BBBB-BBBB-BBBB"]

    with mock.patch("supportdesk.licensing.support_ids.generate", side_effect=draws):
        sid = services.support_id_create(actor=None, license=LicenseFactory.create(), at=AT)

    assert sid.code == "SID-BBBB-BBBB-BBBB"
