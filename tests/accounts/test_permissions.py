"""The read selectors and the write gate of accounts/permissions.py, one rule at a time.

The whole grid of roles x objects x API operations is in tests/api/test_permission_matrix.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from supportdesk.accounts import permissions
from supportdesk.accounts.models import Organization
from supportdesk.accounts.permissions import Action
from tests.accounts.factories import (
    DelegationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnerFactory,
    PersonFactory,
    StaffFactory,
    member,
)
from tests.licensing.factories import LicenseFactory, SupportIdFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def _names(orgs: object) -> list[str]:
    return sorted(org.name for org in orgs)  # type: ignore[attr-defined]


def test_people_see_their_own_organizations() -> None:
    acme = OrganizationFactory.create(name="Acme")
    globex = OrganizationFactory.create(name="Globex")
    OrganizationFactory.create(name="Initech")
    person = member(acme)
    both = member(acme)
    MembershipFactory.create(organization=globex, user=both, role="case_admin")

    assert _names(permissions.organizations_visible_to(person, at=AT)) == ["Acme"]
    assert _names(permissions.organizations_visible_to(both, at=AT)) == ["Acme", "Globex"]


def test_staff_see_everything_and_strangers_nothing() -> None:
    OrganizationFactory.create(name="Acme")
    inactive_staff = StaffFactory.create(is_active=False)

    assert _names(permissions.organizations_visible_to(StaffFactory.create(), at=AT)) == ["Acme"]
    assert _names(permissions.organizations_visible_to(PersonFactory.create(), at=AT)) == []
    assert _names(permissions.organizations_visible_to(AnonymousUser(), at=AT)) == []
    assert _names(permissions.organizations_visible_to(inactive_staff, at=AT)) == []
    assert _names(permissions.organizations_visible_to(None, at=AT)) == []


def test_a_partner_sees_a_customer_only_while_delegated_r4() -> None:
    customer = OrganizationFactory.create(name="Acme")
    partner = PartnerFactory.create(name="Helpers")
    helper = member(partner)
    DelegationFactory.create(
        customer=customer, partner=partner, starts_at=AT, ends_at=AT + timedelta(days=1)
    )

    def seen(at: datetime) -> list[str]:
        return _names(permissions.organizations_visible_to(helper, at=at))

    assert seen(AT - timedelta(seconds=1)) == ["Helpers"]
    assert seen(AT) == ["Acme", "Helpers"]
    assert seen(AT + timedelta(days=1)) == ["Helpers"]


def test_only_a_partner_organization_acts_for_customers() -> None:
    customer = OrganizationFactory.create(name="Acme")
    not_a_partner = OrganizationFactory.create(name="Globex")
    person = member(not_a_partner)
    # a delegation to a customer cannot be made through the services; even if one were in the
    # database, it would grant nothing
    DelegationFactory.create(customer=customer, partner=not_a_partner, starts_at=AT)

    assert _names(permissions.organizations_visible_to(person, at=AT)) == ["Globex"]


def test_licenses_and_support_ids_follow_the_organization() -> None:
    mine = LicenseFactory.create(organization__name="Acme")
    SupportIdFactory.create(license=mine, code="SID-AAAA-AAAA-AAAA")
    SupportIdFactory.create(license__organization__name="Globex", code="SID-BBBB-BBBB-BBBB")
    person = member(mine.organization)

    assert list(permissions.licenses_visible_to(person, at=AT)) == [mine]
    assert [s.code for s in permissions.support_ids_visible_to(person, at=AT)] == [
        "SID-AAAA-AAAA-AAAA"
    ]


def test_a_partner_sees_delegations_but_not_the_customers_people() -> None:
    customer = OrganizationFactory.create(name="Acme")
    partner = PartnerFactory.create(name="Helpers")
    helper = member(partner, username="helper")
    member(customer, username="customer-person")
    delegation = DelegationFactory.create(customer=customer, partner=partner, starts_at=AT)
    DelegationFactory.create(customer=customer, starts_at=AT)  # to another partner

    people = permissions.memberships_visible_to(helper, at=AT)
    assert [m.user.username for m in people] == ["helper"]
    assert list(permissions.delegations_visible_to(helper, at=AT)) == [delegation]


def test_people_are_managed_by_license_administrators_by_membership_only_r1() -> None:
    acme = OrganizationFactory.create(name="Acme")
    globex = OrganizationFactory.create(name="Globex")
    partner = PartnerFactory.create(name="Helpers")
    DelegationFactory.create(customer=acme, partner=partner, starts_at=AT)
    both = member(acme, "license_admin")
    MembershipFactory.create(organization=globex, user=both, role="license_admin")
    gone = member(acme, "license_admin", is_active=False)
    staff_admin = StaffFactory.create()
    MembershipFactory.create(organization=globex, user=staff_admin, role="license_admin")

    def managed(user: permissions.Actor) -> list[str]:
        return _names(permissions.organizations_whose_people_are_managed_by(user, at=AT))

    assert managed(both) == ["Acme", "Globex"]
    assert managed(member(acme, "case_admin")) == []
    assert managed(member(acme, "member")) == []
    assert managed(member(partner, "license_admin")) == ["Helpers"]  # not the customer's
    assert managed(gone) == []
    assert managed(StaffFactory.create()) == []  # staff: the API and the admin
    assert managed(staff_admin) == ["Globex"]
    assert managed(AnonymousUser()) == []
    assert managed(None) == []


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("license_admin", True),
        ("case_admin", True),
        ("member", False),
        ("partner_case_admin", True),
        ("partner_license_admin", True),
        ("partner_member", False),
        ("partner_expired", False),
        ("stranger", False),
    ],
)
def test_who_opens_cases_r1(who: str, expected: bool) -> None:
    customer = OrganizationFactory.create()
    partner = PartnerFactory.create()
    old_partner = PartnerFactory.create()
    DelegationFactory.create(customer=customer, partner=partner, starts_at=AT)
    DelegationFactory.create(
        customer=customer, partner=old_partner, starts_at=AT - timedelta(days=9), ends_at=AT
    )
    people = {
        "license_admin": lambda: member(customer, "license_admin"),
        "case_admin": lambda: member(customer, "case_admin"),
        "member": lambda: member(customer),
        "partner_case_admin": lambda: member(partner, "case_admin"),
        "partner_license_admin": lambda: member(partner, "license_admin"),
        "partner_member": lambda: member(partner),
        "partner_expired": lambda: member(old_partner, "license_admin"),
        "stranger": lambda: member(OrganizationFactory.create(), "license_admin"),
    }

    assert permissions.can_open_cases(people[who](), customer, at=AT) is expected


def test_partners_do_not_open_cases_for_themselves() -> None:
    partner = PartnerFactory.create()

    assert permissions.can_open_cases(member(partner, "license_admin"), partner, at=AT) is False


def test_require_hides_what_the_actor_cannot_see() -> None:
    other = OrganizationFactory.create()
    admin = member(OrganizationFactory.create(), "license_admin")

    with pytest.raises(Organization.DoesNotExist, match=r"No such organization\."):
        permissions.require(admin, Action.MEMBERSHIP_CREATE, other, at=AT)


def test_require_refuses_what_the_actor_sees_but_may_not_do() -> None:
    org = OrganizationFactory.create()

    with pytest.raises(PermissionDenied, match="Only support staff issue"):
        permissions.require(member(org, "license_admin"), Action.LICENSE_CREATE, org, at=AT)


def test_require_asks_anonymous_visitors_to_sign_in() -> None:
    with pytest.raises(PermissionDenied, match=r"Sign in first\."):
        permissions.require(AnonymousUser(), Action.PRODUCT_CREATE, None, at=AT)


def test_the_system_and_staff_may_do_anything() -> None:
    org = OrganizationFactory.create()

    permissions.require(None, Action.ORGANIZATION_DELETE, org, at=AT)
    permissions.require(StaffFactory.create(), Action.ORGANIZATION_DELETE, org, at=AT)


def test_every_action_has_a_rule() -> None:
    assert set(permissions._RULES) == set(Action)


def test_an_organization_read_for_a_member_carries_its_role_r1() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supportdesk.accounts.selectors import organization_get

    acme = OrganizationFactory.create(name="Acme")
    admin = PersonFactory.create()
    MembershipFactory.create(organization=acme, user=admin, role="case_admin")
    stranger = PersonFactory.create()
    for person, role in ((admin, "case_admin"), (stranger, None)):
        read = organization_get(acme.pk, member=person)
        assert read.name == "Acme"
        with CaptureQueriesContext(connection) as captured:
            assert permissions.role_in(person, read) == role
        assert captured.captured_queries == []  # read with the organization
    # someone else's role in the same object is read, not taken from the one read with it
    read = organization_get(acme.pk, member=stranger)
    with CaptureQueriesContext(connection) as captured:
        assert permissions.role_in(admin, read) == "case_admin"
    assert len(captured.captured_queries) == 1
    assert permissions.role_in(admin, organization_get(acme.pk)) == "case_admin"
    with pytest.raises(Organization.DoesNotExist):
        organization_get(acme.pk + 1000, member=admin)
