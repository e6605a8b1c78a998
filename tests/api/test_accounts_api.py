"""Organizations, memberships, delegations and tokens over HTTP: bodies, errors, paging and
signing in. Who may do what is the permission matrix's (test_permission_matrix.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from supportdesk.accounts.models import ApiToken, Delegation, Membership, Organization
from supportdesk.audit.models import AuditEvent
from tests.accounts.factories import (
    ApiTokenFactory,
    DelegationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnerFactory,
    PdmFactory,
    PersonFactory,
    StaffFactory,
    member,
)
from tests.api.calls import call, error
from tests.licensing.factories import LicenseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(StaffFactory.create(username="sam"))
    return client


def test_anonymous_callers_are_asked_to_sign_in(client: Client) -> None:
    assert call(client, "GET", "/organizations") == (401, error("Unauthorized"))
    assert call(client, "POST", "/organizations", {"name": "x"}) == (401, error("Unauthorized"))


def test_create_an_organization(staff: Client) -> None:
    PdmFactory.create(username="paula")

    status, body = call(
        staff,
        "POST",
        "/organizations",
        {
            "name": "Acme Brasil",
            "country": "br",
            "subdivision": "SP",
            "time_zone": "America/Sao_Paulo",
            "language": "pt-BR",
            "pdm": "paula",
        },
    )

    org = Organization.objects.get()
    assert status == 201
    assert body == {
        "id": org.pk,
        "name": "Acme Brasil",
        "kind": "customer",
        "country": "BR",
        "subdivision": "SP",
        "time_zone": "America/Sao_Paulo",
        "region": "latam",
        "language": "pt-BR",
        "pdm": "paula",
        "created_at": body["created_at"],
    }
    assert AuditEvent.objects.get().actor.username == "sam"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"country": "XX"},
            [
                {
                    "field": "country",
                    "message": "unknown country code 'XX' (use ISO 3166-1 alpha-2, such as DE)",
                }
            ],
        ),
        (
            {"kind": "vendor"},
            [{"field": "kind", "message": "Input should be 'customer' or 'partner'"}],
        ),
        (
            {"time_zone": "Nowhere"},
            [
                {
                    "field": "time_zone",
                    "message": "Nowhere is not an IANA time zone (such as Europe/Prague).",
                }
            ],
        ),
        ({"pdm": "nobody"}, [{"field": "pdm", "message": "No staff user 'nobody'."}]),
        (
            {"name": "", "region": "mars"},
            [
                {"field": "name", "message": "String should have at least 1 character"},
                {
                    "field": "region",
                    "message": "Input should be 'us', 'canada', 'emea', 'apac' or 'latam'",
                },
            ],
        ),
    ],
)
def test_bad_organizations_answer_422_by_field(
    staff: Client, change: dict[str, str], errors: list[dict[str, str]]
) -> None:
    body = {"name": "Acme", "country": "DE", "time_zone": "Europe/Berlin", **change}

    assert call(staff, "POST", "/organizations", body) == (422, {"errors": errors})
    assert Organization.objects.count() == 0


def test_lists_are_paged(staff: Client) -> None:
    for name in ("Acme", "Brauerei", "Contoso"):
        OrganizationFactory.create(name=name)
    PartnerFactory.create(name="Helpers")

    status, page_2 = call(staff, "GET", "/organizations?page=2&page_size=2")
    _, partners = call(staff, "GET", "/organizations?kind=partner")

    assert status == 200
    assert page_2["count"] == 4
    assert [org["name"] for org in page_2["items"]] == ["Contoso", "Helpers"]
    assert [org["name"] for org in partners["items"]] == ["Helpers"]


def test_a_license_admin_sets_the_time_zone(client: Client) -> None:
    org = OrganizationFactory.create(time_zone="Europe/Berlin")
    client.force_login(member(org, "license_admin"))

    status, body = call(client, "PATCH", f"/organizations/{org.pk}", {"time_zone": "Europe/Vienna"})
    refused = call(client, "PATCH", f"/organizations/{org.pk}", {"name": "Mine"})

    assert (status, body["time_zone"]) == (200, "Europe/Vienna")
    assert refused == (
        403,
        error("Only support staff change name; you may change language and time_zone."),
    )


def test_an_organization_with_licenses_is_a_conflict(staff: Client) -> None:
    license = LicenseFactory.create(organization__name="Acme")

    assert call(staff, "DELETE", f"/organizations/{license.organization_id}") == (
        409,
        error("Acme still holds licenses or is a PDM's customer: delete them first."),
    )


def test_add_change_and_remove_a_person(client: Client) -> None:
    org = OrganizationFactory.create(name="Acme")
    client.force_login(member(org, "license_admin", username="ana"))
    PersonFactory.create(username="bob")

    status, created = call(
        client, "POST", f"/organizations/{org.pk}/memberships", {"username": "bob"}
    )
    pk = created["id"]
    _, changed = call(client, "PATCH", f"/memberships/{pk}", {"role": "case_admin"})
    listed = call(client, "GET", f"/memberships?organization={org.pk}")[1]
    removed = call(client, "DELETE", f"/memberships/{pk}")

    assert (status, created) == (
        201,
        {
            "id": pk,
            "organization": org.pk,
            "organization_name": "Acme",
            "username": "bob",
            "role": "member",
            "created_at": created["created_at"],
        },
    )
    assert changed["role"] == "case_admin"
    assert [m["username"] for m in listed["items"]] == ["ana", "bob"]
    assert removed == (204, None)
    assert not Membership.objects.filter(user__username="bob").exists()


def test_membership_errors(client: Client) -> None:
    org = OrganizationFactory.create()
    admin = member(org, "license_admin", username="ana")
    client.force_login(admin)
    path = f"/organizations/{org.pk}/memberships"

    assert call(client, "POST", path, {"username": "ghost"}) == (
        422,
        error("No user 'ghost'.", "username"),
    )
    assert call(client, "POST", path, {"username": "ana"}) == (
        422,
        error("This person is already a member of the organization."),
    )
    assert call(client, "POST", path, {"username": "ana", "role": "boss"}) == (
        422,
        error("Input should be 'license_admin', 'case_admin' or 'member'", "role"),
    )
    membership = Membership.objects.get(user=admin)
    assert call(client, "DELETE", f"/memberships/{membership.pk}") == (
        422,
        error(f"ana is the last license administrator of {org.name}: appoint another one first.",
              "role"),
    )  # fmt: skip


def test_grant_and_revoke_a_delegation(client: Client) -> None:
    customer = OrganizationFactory.create(name="Acme")
    partner = PartnerFactory.create(name="Helpers")
    client.force_login(member(customer, "license_admin", username="ana"))

    status, created = call(
        client,
        "POST",
        f"/organizations/{customer.pk}/delegations",
        {"partner": partner.pk, "starts_at": "2026-01-01T00:00:00Z"},
    )
    end = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    _, revoked = call(client, "PATCH", f"/delegations/{created['id']}", {"ends_at": end})

    assert (status, created) == (
        201,
        {
            "id": created["id"],
            "customer": customer.pk,
            "customer_name": "Acme",
            "partner": partner.pk,
            "partner_name": "Helpers",
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": None,
            "active": True,
            "granted_by": "ana",
            "created_at": created["created_at"],
        },
    )
    assert revoked["active"] is False
    assert Delegation.objects.get().ends_at is not None


def test_delegation_errors(client: Client) -> None:
    customer = OrganizationFactory.create()
    other_customer = OrganizationFactory.create()
    client.force_login(member(customer, "license_admin"))
    path = f"/organizations/{customer.pk}/delegations"

    assert call(client, "POST", path, {"partner": other_customer.pk}) == (
        422,
        error("No such support partner.", "partner"),
    )
    assert call(
        client, "POST", path, {"partner": PartnerFactory.create().pk, "ends_at": "2026-01-01T00:00"}
    ) == (422, error("Input should have timezone info", "ends_at"))
    assert Delegation.objects.count() == 0


def test_a_partner_lists_the_customers_it_acts_for(client: Client) -> None:
    partner = PartnerFactory.create(name="Helpers")
    DelegationFactory.create(customer__name="Acme", partner=partner)
    DelegationFactory.create(
        customer__name="Gone",
        partner=partner,
        ends_at=datetime.now(UTC) - timedelta(days=1),
    )
    client.force_login(member(partner))

    _, body = call(client, "GET", "/organizations")

    assert [org["name"] for org in body["items"]] == ["Acme", "Helpers"]


# --- tokens ----------------------------------------------------------------------------------


def test_a_token_is_created_once_and_then_signs_in(client: Client) -> None:
    owner = member(OrganizationFactory.create(name="Acme"), username="ana")
    client.force_login(owner)

    status, created = call(client, "POST", "/tokens", {"name": "nightly export"})
    listed = call(client, "GET", "/tokens")[1]
    client.logout()
    by_token = call(client, "GET", "/organizations", token=created["token"])

    assert status == 201
    assert created == {
        "id": created["id"],
        "name": "nightly export",
        "prefix": created["token"][:8],
        "created_at": created["created_at"],
        "revoked_at": None,
        "token": created["token"],
    }
    assert listed == [{k: v for k, v in created.items() if k != "token"}]
    assert by_token[0] == 200
    assert [org["name"] for org in by_token[1]["items"]] == ["Acme"]


def test_a_revoked_or_wrong_token_is_401(client: Client) -> None:
    token = ApiTokenFactory.create(secret="sdt_known")
    client.force_login(token.user)
    assert call(client, "DELETE", f"/tokens/{token.pk}") == (204, None)
    client.logout()

    assert call(client, "GET", "/organizations", token="sdt_known") == (401, error("Unauthorized"))
    assert call(client, "GET", "/organizations", token="sdt_other") == (401, error("Unauthorized"))


def test_someone_elses_token_is_not_found(client: Client) -> None:
    token = ApiTokenFactory.create()
    client.force_login(PersonFactory.create())

    assert call(client, "DELETE", f"/tokens/{token.pk}") == (404, error("Not found."))
    assert ApiToken.objects.get().revoked_at is None


def test_a_token_writes_without_csrf_a_session_needs_it() -> None:
    org = OrganizationFactory.create()
    admin = member(org, "license_admin")
    ApiTokenFactory.create(user=admin, secret="sdt_ana")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    body = {"language": "en"}

    assert call(browser, "PATCH", f"/organizations/{org.pk}", body) == (
        403,
        error("CSRF check Failed"),
    )
    assert call(Client(enforce_csrf_checks=True), "PATCH", f"/organizations/{org.pk}", body,
                token="sdt_ana")[0] == 200  # fmt: skip


def test_membership_list_filters_by_organization(staff: Client) -> None:
    one = MembershipFactory.create()
    MembershipFactory.create()

    _, body = call(staff, "GET", f"/memberships?organization={one.organization_id}")

    assert [m["id"] for m in body["items"]] == [one.pk]
