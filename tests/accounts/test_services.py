from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from supportdesk.accounts import services
from supportdesk.accounts.models import ApiToken, Delegation, Membership, Organization
from supportdesk.accounts.selectors import user_for_token
from supportdesk.audit.models import AuditEvent
from supportdesk.errors import Conflict
from tests.accounts.factories import (
    DelegationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnerFactory,
    PdmFactory,
    PersonFactory,
    StaffFactory,
    member,
)
from tests.licensing.factories import LicenseFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def _audit() -> list[tuple[str, str, object]]:
    return [(e.action, e.target_repr, e.changes) for e in AuditEvent.objects.all()]


# --- organizations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "time_zone", "region"),
    [
        ("US", "America/New_York", "us"),
        ("CA", "America/Toronto", "canada"),
        ("DE", "Europe/Berlin", "emea"),
        ("ZA", "Africa/Johannesburg", "emea"),
        ("JP", "Asia/Tokyo", "apac"),
        ("AU", "Australia/Sydney", "apac"),
        ("BR", "America/Sao_Paulo", "latam"),
        ("MX", "America/Mexico_City", "latam"),
    ],
)
def test_the_region_follows_the_country_r20(country: str, time_zone: str, region: str) -> None:
    org = services.organization_create(
        actor=None, name="Acme", country=country.lower(), time_zone=time_zone, at=AT
    )

    assert (org.country, org.region) == (country, region)


def test_create_an_organization_records_it() -> None:
    staff = StaffFactory.create()
    pdm = PdmFactory.create()

    org = services.organization_create(
        actor=staff,
        name="  Brauerei Huber  ",
        country="DE",
        subdivision="de-by",
        time_zone="Europe/Berlin",
        language="de",
        pdm=pdm,
        at=AT,
    )

    org.refresh_from_db()
    assert (org.name, org.kind, org.subdivision, org.region, org.pdm, org.created_at) == (
        "Brauerei Huber",
        "customer",
        "BY",
        "emea",
        pdm,
        AT,
    )
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.at, event.target_id) == (
        staff,
        "organization.create",
        AT,
        str(org.pk),
    )
    assert event.changes == {
        "name": [None, "Brauerei Huber"],
        "kind": [None, "customer"],
        "country": [None, "DE"],
        "subdivision": [None, "BY"],
        "time_zone": [None, "Europe/Berlin"],
        "region": [None, "emea"],
        "language": [None, "de"],
        "pdm": [None, pdm.pk],
    }


def test_a_given_region_wins_over_the_country() -> None:
    org = services.organization_create(
        actor=None, name="Acme", country="MX", time_zone="America/Mexico_City", region="us", at=AT
    )

    assert org.region == "us"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"country": "XX"},
            {"country": ["unknown country code 'XX' (use ISO 3166-1 alpha-2, such as DE)"]},
        ),
        (
            {"subdivision": "ZZ"},
            {
                "subdivision": [
                    "unknown subdivision 'ZZ' of DE (known: BB, BE, BW, BY, HB, HE, "
                    "HH, MV, NI, NW, RP, SH, ...)"
                ]
            },
        ),
        (
            {"time_zone": "Mars/Base"},
            {"time_zone": ["Mars/Base is not an IANA time zone (such as Europe/Prague)."]},
        ),
        (
            {"language": "German"},
            {"language": ["German is not a language tag (such as en, cs or pt-BR)."]},
        ),
        ({"region": "mars"}, {"region": ["Value 'mars' is not a valid choice."]}),
        ({"name": ""}, {"name": ["This field cannot be blank."]}),
    ],
)
def test_bad_values_are_refused_by_field(fields: dict[str, str], errors: object) -> None:
    values = {"name": "Acme", "country": "DE", "time_zone": "Europe/Berlin", **fields}

    with pytest.raises(ValidationError) as error:
        services.organization_create(actor=None, at=AT, **values)  # type: ignore[arg-type]

    assert error.value.message_dict == errors
    assert Organization.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_names_are_unique_whatever_the_case() -> None:
    OrganizationFactory.create(name="Acme")

    with pytest.raises(ValidationError) as error:
        services.organization_create(
            actor=None, name="ACME", country="DE", time_zone="Europe/Berlin", at=AT
        )

    assert error.value.messages == ["An organization with this name already exists."]


def test_the_pdm_is_a_staff_user_with_the_pdm_role_r10() -> None:
    engineer = StaffFactory.create(username="eve")

    with pytest.raises(ValidationError) as error:
        services.organization_create(
            actor=None, name="Acme", country="DE", time_zone="Europe/Berlin", pdm=engineer, at=AT
        )

    assert error.value.message_dict == {
        "pdm": ["eve is not a staff user with the PDM role (R-10)."]
    }


def test_only_staff_create_organizations() -> None:
    customer = member(OrganizationFactory.create(), "license_admin")

    with pytest.raises(PermissionDenied, match="Only support staff create"):
        services.organization_create(
            actor=customer, name="Mine", country="DE", time_zone="Europe/Berlin", at=AT
        )

    assert Organization.objects.count() == 1


def test_a_license_admin_changes_the_time_zone_and_language() -> None:
    org = OrganizationFactory.create(time_zone="Europe/Berlin", language="de")
    admin = member(org, "license_admin")

    services.organization_update(
        actor=admin,
        organization=org,
        changes={"time_zone": "Europe/Vienna", "language": "de", "name": org.name},
        at=AT,
    )

    org.refresh_from_db()
    assert (org.time_zone, org.language) == ("Europe/Vienna", "de")
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.changes) == (
        admin,
        "organization.update",
        {"time_zone": ["Europe/Berlin", "Europe/Vienna"]},
    )


def test_a_license_admin_does_not_change_what_staff_set() -> None:
    org = OrganizationFactory.create(name="Acme")
    admin = member(org, "license_admin")

    with pytest.raises(PermissionDenied) as error:
        services.organization_update(
            actor=admin, organization=org, changes={"name": "Acme Corp", "region": "us"}, at=AT
        )

    assert str(error.value) == (
        "Only support staff change name, region; you may change language and time_zone."
    )
    org.refresh_from_db()
    assert (org.name, org.region) == ("Acme", "emea")
    assert AuditEvent.objects.count() == 0


def test_a_new_country_brings_its_region_unless_one_is_given() -> None:
    org = OrganizationFactory.create(country="DE", region="emea")

    services.organization_update(
        actor=None,
        organization=org,
        changes={"country": "BR", "time_zone": "America/Sao_Paulo"},
        at=AT,
    )
    org.refresh_from_db()
    assert (org.country, org.region) == ("BR", "latam")

    services.organization_update(
        actor=None, organization=org, changes={"country": "US", "region": "canada"}, at=AT
    )
    org.refresh_from_db()
    assert (org.country, org.region) == ("US", "canada")


def test_an_unknown_field_cannot_be_changed() -> None:
    org = OrganizationFactory.create()

    with pytest.raises(ValidationError) as error:
        services.organization_update(
            actor=None, organization=org, changes={"created_at": AT}, at=AT
        )

    assert error.value.message_dict == {"created_at": ["This field cannot be changed."]}


def test_delete_an_organization_with_its_people_and_delegations() -> None:
    org = OrganizationFactory.create(name="Acme")
    member(org)
    DelegationFactory.create(customer=org)

    services.organization_delete(actor=StaffFactory.create(), organization=org, at=AT)

    assert (Organization.objects.filter(name="Acme").count(), Membership.objects.count()) == (0, 0)
    assert Delegation.objects.count() == 0
    assert [(e.action, e.target_repr) for e in AuditEvent.objects.all()] == [
        ("organization.delete", "Acme")
    ]


def test_an_organization_holding_licenses_is_not_deleted() -> None:
    license = LicenseFactory.create(organization__name="Acme")

    with pytest.raises(Conflict) as error:
        services.organization_delete(actor=None, organization=license.organization, at=AT)

    assert (
        error.value.message
        == "Acme still holds licenses or is a PDM's customer: delete them first."
    )
    assert Organization.objects.filter(name="Acme").exists()
    assert AuditEvent.objects.count() == 0


# --- memberships -----------------------------------------------------------------------------


def test_a_license_admin_manages_memberships_r1() -> None:
    org = OrganizationFactory.create(name="Acme")
    admin = member(org, "license_admin", username="ana")
    bob = PersonFactory.create(username="bob")

    membership = services.membership_create(
        actor=admin, organization=org, user=bob, role="member", at=AT
    )
    services.membership_update(actor=admin, membership=membership, role="case_admin", at=AT)
    services.membership_delete(actor=admin, membership=membership, at=AT)

    assert list(Membership.objects.values_list("user__username", "role")) == [
        ("ana", "license_admin")
    ]
    assert _audit() == [
        (
            "membership.create",
            "bob (Member) at Acme",
            {"organization": [None, org.pk], "user": [None, bob.pk], "role": [None, "member"]},
        ),
        (
            "membership.update",
            "bob (Case administrator) at Acme",
            {"role": ["member", "case_admin"]},
        ),
        (
            "membership.delete",
            "bob (Case administrator) at Acme",
            {"organization": [org.pk, None], "user": [bob.pk, None], "role": ["case_admin", None]},
        ),
    ]


def test_a_person_joins_an_organization_once() -> None:
    org = OrganizationFactory.create()
    person = member(org)

    with pytest.raises(ValidationError) as error:
        services.membership_create(actor=None, organization=org, user=person, role="member", at=AT)

    assert error.value.messages == ["This person is already a member of the organization."]


@pytest.mark.parametrize("role", ["case_admin", "member"])
def test_only_license_admins_manage_memberships(role: str) -> None:
    org = OrganizationFactory.create()
    actor = member(org, role)
    other = MembershipFactory.create(organization=org)

    with pytest.raises(PermissionDenied, match="Only the organization's license administrators"):
        services.membership_update(actor=actor, membership=other, role="license_admin", at=AT)

    other.refresh_from_db()
    assert other.role == "member"


def test_an_organization_keeps_a_license_admin() -> None:
    org = OrganizationFactory.create(name="Acme")
    admin = member(org, "license_admin", username="ana")
    membership = Membership.objects.get(user=admin)

    with pytest.raises(ValidationError) as demoted:
        services.membership_update(actor=admin, membership=membership, role="member", at=AT)
    with pytest.raises(ValidationError) as removed:
        services.membership_delete(actor=admin, membership=membership, at=AT)

    message = {
        "role": ["ana is the last license administrator of Acme: appoint another one first."]
    }
    assert (demoted.value.message_dict, removed.value.message_dict) == (message, message)
    membership.refresh_from_db()
    assert membership.role == "license_admin"

    member(org, "license_admin")
    services.membership_update(actor=admin, membership=membership, role="member", at=AT)
    membership.refresh_from_db()
    assert membership.role == "member"


# --- delegations (R-4) -----------------------------------------------------------------------


def test_a_license_admin_grants_and_revokes_a_delegation_r4() -> None:
    customer = OrganizationFactory.create(name="Acme")
    partner = PartnerFactory.create(name="Helpers")
    admin = member(customer, "license_admin")

    delegation = services.delegation_create(
        actor=admin, customer=customer, partner=partner, starts_at=AT, at=AT
    )
    assert delegation.is_active(AT)
    assert delegation.granted_by == admin

    later = AT + timedelta(days=30)
    services.delegation_update(
        actor=admin, delegation=delegation, changes={"ends_at": later}, at=later
    )
    delegation.refresh_from_db()
    assert (
        delegation.is_active(later - timedelta(microseconds=1)),
        delegation.is_active(later),
    ) == (
        True,
        False,
    )
    assert _audit() == [
        (
            "delegation.create",
            "Acme → Helpers",
            {
                "customer": [None, customer.pk],
                "partner": [None, partner.pk],
                "starts_at": [None, "2026-06-15T10:00:00+00:00"],
            },
        ),
        ("delegation.update", "Acme → Helpers", {"ends_at": [None, "2026-07-15T10:00:00+00:00"]}),
    ]


def test_active_delegations_start_inclusive_and_end_exclusive() -> None:
    delegation = DelegationFactory.create(starts_at=AT, ends_at=AT + timedelta(hours=1))

    def active(at: datetime) -> list[Delegation]:
        return list(Delegation.objects.active(at))

    assert active(AT - timedelta(microseconds=1)) == []
    assert active(AT) == [delegation]
    assert active(AT + timedelta(minutes=59)) == [delegation]
    assert active(AT + timedelta(hours=1)) == []


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"partner": "customer"}, {"partner": ["Other is not a support partner."]}),
        ({"customer": "partner"}, {"customer": ["Helpers is not a customer."]}),
        ({"ends_at": AT}, {"ends_at": ["A delegation ends after it starts."]}),
        ({"starts_at": None}, {"starts_at": ["Give the time the delegation starts."]}),
        (  # a time without its offset: refused, not compared with an aware one (a 500)
            {"ends_at": AT.replace(tzinfo=None)},
            {"ends_at": ["Give a time with its UTC offset."]},
        ),
    ],
)
def test_bad_delegations_are_refused(change: dict[str, object], errors: object) -> None:
    customer = OrganizationFactory.create(name="Acme")
    partner = PartnerFactory.create(name="Helpers")
    other = OrganizationFactory.create(name="Other")
    values: dict[str, object] = {
        "customer": customer,
        "partner": partner,
        "starts_at": AT,
        "ends_at": None,
    }
    for key, value in change.items():
        values[key] = {"customer": other, "partner": partner}.get(str(value), value)

    with pytest.raises(ValidationError) as error:
        services.delegation_create(actor=None, at=AT, **values)  # type: ignore[arg-type]

    assert error.value.message_dict == errors
    assert Delegation.objects.count() == 0


def test_overlapping_delegations_to_the_same_partner_are_refused() -> None:
    existing = DelegationFactory.create(starts_at=AT, ends_at=AT + timedelta(days=10))

    with pytest.raises(ValidationError) as error:
        services.delegation_create(
            actor=None,
            customer=existing.customer,
            partner=existing.partner,
            starts_at=AT + timedelta(days=9),
            at=AT,
        )
    services.delegation_create(
        actor=None,
        customer=existing.customer,
        partner=existing.partner,
        starts_at=AT + timedelta(days=10),
        at=AT,
    )

    assert error.value.message_dict == {
        "starts_at": [
            f"{existing.customer} already delegates to {existing.partner} for part of this period."
        ]
    }
    assert Delegation.objects.count() == 2


def test_only_the_customers_license_admins_grant_delegations() -> None:
    customer = OrganizationFactory.create()
    case_admin = member(customer, "case_admin")

    with pytest.raises(PermissionDenied, match="Only the customer's license administrators"):
        services.delegation_create(
            actor=case_admin,
            customer=customer,
            partner=PartnerFactory.create(),
            starts_at=AT,
            at=AT,
        )

    assert Delegation.objects.count() == 0


# --- API tokens ------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_hashed() -> None:
    owner = PersonFactory.create()

    token, secret = services.api_token_create(actor=owner, name=" deploy script ", at=AT)

    token.refresh_from_db()
    assert secret.startswith("sdt_")
    assert len(secret) == 4 + 43  # 32 random bytes, URL-safe base 64
    assert (token.name, token.prefix, token.created_at) == ("deploy script", secret[:8], AT)
    assert secret not in str(ApiToken.objects.values().get())
    assert user_for_token(secret) == owner
    assert AuditEvent.objects.get().changes == {
        "user": [None, owner.pk],
        "name": [None, "deploy script"],
        "prefix": [None, secret[:8]],
    }


def test_a_revoked_token_no_longer_signs_in() -> None:
    owner = PersonFactory.create()
    token, secret = services.api_token_create(actor=owner, name="ci", at=AT)

    services.api_token_revoke(actor=owner, token=token, at=AT)

    token.refresh_from_db()
    assert token.revoked_at == AT
    assert user_for_token(secret) is None


def test_only_the_owner_revokes_a_token() -> None:
    token, _ = services.api_token_create(actor=PersonFactory.create(), name="ci", at=AT)

    with pytest.raises(ApiToken.DoesNotExist):
        services.api_token_revoke(actor=StaffFactory.create(), token=token, at=AT)

    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("token", ["", "sdt_", "sdt_wrong", "Bearer x", "not-ours"])
def test_unknown_tokens_sign_no_one_in(token: str) -> None:
    services.api_token_create(actor=PersonFactory.create(), name="ci", at=AT)

    assert user_for_token(token) is None


def test_an_inactive_users_token_signs_no_one_in() -> None:
    owner = PersonFactory.create()
    _, secret = services.api_token_create(actor=owner, name="ci", at=AT)
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert user_for_token(secret) is None
