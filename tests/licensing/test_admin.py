"""The admin covers every model of accounts, audit and licensing, and writes through the
services: checked, atomic, audited."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from supportdesk.accounts.models import Membership, Organization
from supportdesk.audit.models import AuditEvent
from supportdesk.licensing.models import License, SupportId
from tests.accounts.factories import (
    ApiTokenFactory,
    DelegationFactory,
    MembershipFactory,
    OrganizationFactory,
    StaffFactory,
)
from tests.audit.factories import AuditEventFactory
from tests.licensing.factories import (
    LicenseLineFactory,
    ProductFactory,
    ProductVersionFactory,
    SupportIdFactory,
)

pytestmark = pytest.mark.django_db

OURS = ("accounts", "audit", "licensing")
ADMIN_MODELS = sorted(
    model._meta.label
    for app in OURS
    for model in apps.get_app_config(app).get_models()
    if model._meta.label != "licensing.LicenseLine"  # edited on its license, as text
)


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(StaffFactory.create(username="sam", is_superuser=True))
    return client


def test_every_model_is_in_the_admin() -> None:
    registered = sorted(model._meta.label for model in admin.site._registry)

    assert [label for label in ADMIN_MODELS if label not in registered] == []


def test_every_list_and_change_page_renders(staff: Client) -> None:
    sid = SupportIdFactory.create()
    LicenseLineFactory.create(license=sid.license)
    objects = [
        sid,
        sid.license,
        sid.license.organization,
        sid.license.product,
        ProductVersionFactory.create(product=sid.license.product),
        MembershipFactory.create(organization=sid.license.organization),
        DelegationFactory.create(customer=sid.license.organization),
        ApiTokenFactory.create(),
        AuditEventFactory.create(),
    ]

    for obj in objects:
        meta = obj._meta
        listing = staff.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        change = staff.get(f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/")
        assert (meta.label, listing.status_code, change.status_code) == (meta.label, 200, 200)


def test_adding_an_organization_goes_through_the_service(staff: Client) -> None:
    response = staff.post(
        "/admin/accounts/organization/add/",
        {
            "name": "Acme Japan",
            "kind": "customer",
            "country": "JP",
            "subdivision": "",
            "time_zone": "Asia/Tokyo",
            "region": "",
            "language": "ja",
            "pdm": "",
            **_empty_inlines(),
        },
    )

    assert response.status_code == 302
    org = Organization.objects.get()
    assert (org.name, org.region) == ("Acme Japan", "apac")
    event = AuditEvent.objects.get()
    assert (event.actor.username, event.action) == ("sam", "organization.create")  # type: ignore[union-attr]


def test_what_a_service_refuses_shows_on_the_form(staff: Client) -> None:
    org = OrganizationFactory.create(country="DE")

    response = staff.post(
        f"/admin/accounts/organization/{org.pk}/change/",
        {
            "name": org.name,
            "kind": "customer",
            "country": "DE",
            "subdivision": "XX",
            "time_zone": "Europe/Berlin",
            "region": "emea",
            "language": "de",
            "pdm": "",
            **_empty_inlines(),
        },
    )

    assert response.status_code == 200
    assert (
        response.context["adminform"]
        .form.errors["subdivision"][0]
        .startswith("unknown subdivision 'XX' of DE")
    )
    assert AuditEvent.objects.count() == 0


def test_a_license_with_lines_written_as_text(staff: Client) -> None:
    org = OrganizationFactory.create()
    product = ProductFactory.create()

    response = staff.post(
        "/admin/licensing/license/add/",
        {
            "organization": org.pk,
            "product": product.pk,
            "license_type": "perpetual",
            "valid_from": "2026-01-01",
            "maintenance_from": "2026-01-01",
            "maintenance_until": "2026-12-31",
            "lines": "6 prod production; 4 prod basic",
            **_inline("support_ids"),
        },
    )
    bad = staff.post(
        "/admin/licensing/license/add/",
        {"organization": org.pk, "product": product.pk, "license_type": "trial",
         "lines": "6 prod gold", **_inline("support_ids")},
    )  # fmt: skip

    assert response.status_code == 302
    license = License.objects.get()
    assert [(line.count, line.level) for line in license.lines.all()] == [
        (6, "production"),
        (4, "basic"),
    ]
    assert license.support_ids.count() == 1
    assert bad.context["adminform"].form.errors["lines"] == [
        "line 1 '6 prod gold': the level must be basic, production, premium"
    ]
    assert [e.action for e in AuditEvent.objects.all()] == ["license.create"]


def test_the_last_license_admin_cannot_be_deleted_in_the_admin(staff: Client) -> None:
    only = MembershipFactory.create(role="license_admin")
    plain = MembershipFactory.create(organization=only.organization)

    assert staff.get(f"/admin/accounts/membership/{only.pk}/delete/").status_code == 403
    assert (
        staff.post(f"/admin/accounts/membership/{plain.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert list(Membership.objects.all()) == [only]
    assert [e.action for e in AuditEvent.objects.all()] == ["membership.delete"]


def test_revoke_support_ids_from_the_list(staff: Client) -> None:
    sid = SupportIdFactory.create()

    response = staff.post(
        "/admin/licensing/supportid/",
        {"action": "revoke", "_selected_action": [sid.pk]},
    )

    assert response.status_code == 302
    assert SupportId.objects.get().revoked_at is not None
    assert [e.action for e in AuditEvent.objects.all()] == ["support_id.revoke"]


def _inline(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "0",
    }


def _empty_inlines() -> dict[str, str]:
    return {**_inline("memberships"), **_inline("delegations_granted")}
