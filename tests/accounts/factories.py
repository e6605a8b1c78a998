from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory
from django.contrib.auth.hashers import make_password

from supportdesk.accounts.choices import MembershipRole, OrganizationKind, Region, StaffRole
from supportdesk.accounts.models import (
    ApiToken,
    Delegation,
    Invitation,
    Membership,
    Organization,
    PasswordReset,
    User,
)
from supportdesk.accounts.services import (
    TOKEN_PREFIX,
    invitation_digest,
    reset_digest,
    token_digest,
)

#: When factory-made objects were created (a Monday).
CREATED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class PersonFactory(factory.django.DjangoModelFactory[User]):
    """A user without a usable password: no hashing, so fast. Tests sign such users in with
    ``client.force_login`` or an API token."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.LazyFunction(lambda: make_password(None))


class StaffFactory(PersonFactory):
    """Vendor staff without a staff role: they see every case, as support managers do. Tests of
    who sees what among the staff (engineers by queue, PDMs by customer) use the factories
    below."""

    username = factory.Sequence(lambda n: f"engineer{n}")
    is_staff = True
    staff_role = ""


class EngineerFactory(StaffFactory):
    """A support engineer: sees the cases of their queues and those assigned to them."""

    staff_role = StaffRole.ENGINEER


class PdmFactory(StaffFactory):
    username = factory.Sequence(lambda n: f"pdm{n}")
    staff_role = StaffRole.PDM


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Customer {n}")
    kind = OrganizationKind.CUSTOMER
    country = "DE"
    subdivision = ""
    time_zone = "Europe/Berlin"
    region = Region.EMEA
    language = "de"
    created_at = CREATED


class PartnerFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = OrganizationKind.PARTNER
    language = "en"


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(PersonFactory)
    role = MembershipRole.MEMBER
    created_at = CREATED


class DelegationFactory(factory.django.DjangoModelFactory[Delegation]):
    class Meta:
        model = Delegation

    customer = factory.SubFactory(OrganizationFactory)
    partner = factory.SubFactory(PartnerFactory)
    starts_at = CREATED
    ends_at = None
    created_at = CREATED


class ApiTokenFactory(factory.django.DjangoModelFactory[ApiToken]):
    """A token for a known secret: ``ApiTokenFactory.create(secret="sdt_x")``, then send
    ``Authorization: Bearer sdt_x``. Only the hash is stored, as in real life."""

    class Meta:
        model = ApiToken

    class Params:
        secret = factory.Sequence(lambda n: f"{TOKEN_PREFIX}test-{n}")

    user = factory.SubFactory(PersonFactory)
    name = "script"
    prefix = factory.LazyAttribute(lambda token: token.secret[:8])
    digest = factory.LazyAttribute(lambda token: token_digest(token.secret))
    created_at = CREATED


def member(organization: Organization, role: str = MembershipRole.MEMBER, **user: object) -> User:
    """A new person with ``role`` in ``organization``."""
    person = PersonFactory.create(**user)
    MembershipFactory.create(organization=organization, user=person, role=role)
    return person


class PasswordResetFactory(factory.django.DjangoModelFactory[PasswordReset]):
    """An open reset link, made at CREATED and good for an hour; its token is
    ``reset-<n>`` (the digest is of that)."""

    class Meta:
        model = PasswordReset

    class Params:
        token = factory.Sequence(lambda n: f"reset-{n}")

    user = factory.SubFactory(PersonFactory)
    digest = factory.LazyAttribute(lambda reset: reset_digest(reset.token))
    created_at = CREATED
    expires_at = factory.LazyAttribute(lambda reset: reset.created_at + timedelta(hours=1))


class InvitationFactory(factory.django.DjangoModelFactory[Invitation]):
    """An open invitation to join an organization as a member, made at CREATED and good for
    a week; its token is ``invite-<n>`` (the digest is of that)."""

    class Meta:
        model = Invitation

    class Params:
        token = factory.Sequence(lambda n: f"invite-{n}")

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = MembershipRole.MEMBER
    digest = factory.LazyAttribute(lambda invitation: invitation_digest(invitation.token))
    created_at = CREATED
    expires_at = factory.LazyAttribute(lambda invitation: invitation.created_at + timedelta(days=7))
