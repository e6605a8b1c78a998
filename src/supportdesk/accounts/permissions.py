"""Who may see and change what: the one place (R-1, R-3, R-4).

Reads go through the ``*_visible_to(user, at=...)`` selectors: every query of organizations,
memberships, delegations, licenses and Support IDs made for a person starts from one of them.
Writes go through :func:`require`, which every service calls first.

- Staff (``is_staff``) see and change everything.
- A customer's people see their own organizations and what belongs to them: licenses,
  Support IDs, memberships, delegations. Only its license administrators manage its
  memberships and delegations, and edit its contact settings (time zone, language).
- A partner's people see the customers delegated to their partner organization, with those
  customers' licenses and Support IDs, only while the delegation is active (R-4). They do not
  see the customer's people.
- Licenses, Support IDs, products and versions are issued and changed by staff only.

Something a person may not see is answered as if it did not exist (the API says 404), so that
nothing leaks; something they may see but not change is refused (403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet

from supportdesk import rows
from supportdesk.accounts.choices import MembershipRole
from supportdesk.accounts.models import Delegation, Invitation, Membership, Organization, User

if TYPE_CHECKING:
    from supportdesk.licensing.models import License, SupportId

#: The one who acts: a signed-in person, an anonymous visitor, or None for the system itself
#: (an import run by an operator, the demo loader), which may do anything.
Actor = User | AnonymousUser | None

#: Organization fields a customer's license administrator may change; the rest is for staff.
SELF_SERVICE_ORGANIZATION_FIELDS = frozenset({"time_zone", "language"})


def is_person(user: Actor) -> bool:
    return user is not None and bool(user.is_authenticated) and bool(user.is_active)


def is_staff(user: Actor) -> bool:
    return is_person(user) and bool(user.is_staff)  # type: ignore[union-attr]


# --- reads -----------------------------------------------------------------------------------


def _member_of(user: Actor) -> QuerySet[Membership]:
    if not isinstance(user, User):
        return Membership.objects.none()
    return Membership.objects.filter(user=user)


def organizations_visible_to(user: Actor, *, at: datetime) -> QuerySet[Organization]:
    """The organizations ``user`` belongs to, and the customers delegated to their partner
    organizations at ``at`` (R-4); every organization for staff."""
    if is_staff(user):
        return Organization.objects.all()
    if not is_person(user):
        return Organization.objects.none()
    own = _member_of(user).values("organization_id")
    delegated = (
        Delegation.objects.active(at)
        .filter(partner__in=own, partner__kind="partner")
        .values("customer_id")
    )
    return Organization.objects.filter(Q(pk__in=own) | Q(pk__in=delegated))


def organizations_administered_by(user: Actor, *, at: datetime) -> QuerySet[Organization]:
    """The organizations whose memberships and delegations ``user`` manages."""
    if is_staff(user):
        return Organization.objects.all()
    if not is_person(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        pk__in=_member_of(user).filter(role=MembershipRole.LICENSE_ADMIN).values("organization_id")
    )


def organizations_whose_people_are_managed_by(
    user: Actor, *, at: datetime
) -> QuerySet[Organization]:
    """The organizations ``user`` is a license administrator of, by membership (R-1): those
    whose people the portal's People page lets them manage. Staff, who may change every
    organization's people (the API, the admin), get here only the organizations they hold
    that role in, like anyone else: the page is an organization's own, not a directory of
    every customer's people."""
    if not is_person(user):
        return Organization.objects.none()
    return Organization.objects.filter(
        pk__in=_member_of(user).filter(role=MembershipRole.LICENSE_ADMIN).values("organization_id")
    )


def memberships_visible_to(user: Actor, *, at: datetime) -> QuerySet[Membership]:
    """Who is in the organizations ``user`` belongs to (a partner does not see a customer's
    people)."""
    if is_staff(user):
        return Membership.objects.all()
    if not is_person(user):
        return Membership.objects.none()
    return Membership.objects.filter(organization__in=_member_of(user).values("organization_id"))


def invitations_visible_to(user: Actor, *, at: datetime) -> QuerySet[Invitation]:
    """The invitations of the organizations ``user`` manages the people of: their license
    administrators' (R-1); every invitation for staff. Other members do not see the addresses
    invited."""
    if is_staff(user):
        return Invitation.objects.all()
    if not is_person(user):
        return Invitation.objects.none()
    managed = _member_of(user).filter(role=MembershipRole.LICENSE_ADMIN)
    return Invitation.objects.filter(organization__in=managed.values("organization_id"))


def delegations_visible_to(user: Actor, *, at: datetime) -> QuerySet[Delegation]:
    """The delegations granted by, or to, an organization ``user`` belongs to."""
    if is_staff(user):
        return Delegation.objects.all()
    if not is_person(user):
        return Delegation.objects.none()
    own = _member_of(user).values("organization_id")
    return Delegation.objects.filter(Q(customer__in=own) | Q(partner__in=own))


def licenses_visible_to(user: Actor, *, at: datetime) -> QuerySet[License]:
    from supportdesk.licensing.models import License

    if is_staff(user):
        return License.objects.all()
    return License.objects.filter(organization__in=organizations_visible_to(user, at=at))


def support_ids_visible_to(user: Actor, *, at: datetime) -> QuerySet[SupportId]:
    from supportdesk.licensing.models import SupportId

    if is_staff(user):
        return SupportId.objects.all()
    return SupportId.objects.filter(license__organization__in=organizations_visible_to(user, at=at))


def role_in(user: Actor, organization: Organization) -> str | None:
    """``user``'s membership role in ``organization``, or None."""
    if not is_person(user):
        return None
    if not isinstance(user, User):
        return None
    known = getattr(organization, "_role_read", None)
    if known is not None and known[0] == user.pk:  # read with the organization (opening)
        return known[1]
    # one membership per (user, organization); asked on every opening and most permission
    # checks: one statement with no query to build
    with rows.prepared_cursor() as cursor:
        cursor.execute(_ROLE, [user.pk, organization.pk])
        row = cursor.fetchone()
    return row[0] if row else None


# the table's name is the model's, fixed in the code: no outside input reaches this text
_ROLE = (
    f'SELECT "role" FROM "{Membership._meta.db_table}" '  # noqa: S608
    'WHERE "user_id" = %s AND "organization_id" = %s'
)


def can_open_cases(user: Actor, organization: Organization, *, at: datetime) -> bool:
    """R-1: the organization's license or case administrators, or a license or case
    administrator of a partner the customer has delegated to at ``at``."""
    if not isinstance(user, User) or not is_person(user) or organization.is_partner:
        return False
    openers = (MembershipRole.LICENSE_ADMIN, MembershipRole.CASE_ADMIN)
    if role_in(user, organization) in openers:
        return True
    return (
        Delegation.objects.active(at)
        .filter(
            customer=organization,
            partner__kind="partner",
            partner__memberships__user=user,
            partner__memberships__role__in=openers,
        )
        .exists()
    )


# --- writes ----------------------------------------------------------------------------------


class Action(StrEnum):
    ORGANIZATION_CREATE = "organization.create"
    ORGANIZATION_UPDATE = "organization.update"
    ORGANIZATION_DELETE = "organization.delete"
    MEMBERSHIP_CREATE = "membership.create"
    MEMBERSHIP_UPDATE = "membership.update"
    MEMBERSHIP_DELETE = "membership.delete"
    DELEGATION_CREATE = "delegation.create"
    DELEGATION_UPDATE = "delegation.update"
    DELEGATION_DELETE = "delegation.delete"
    PRODUCT_CREATE = "product.create"
    PRODUCT_UPDATE = "product.update"
    PRODUCT_DELETE = "product.delete"
    VERSION_CREATE = "version.create"
    VERSION_UPDATE = "version.update"
    VERSION_DELETE = "version.delete"
    LICENSE_CREATE = "license.create"
    LICENSE_UPDATE = "license.update"
    LICENSE_DELETE = "license.delete"
    SUPPORT_ID_CREATE = "support_id.create"
    SUPPORT_ID_REVOKE = "support_id.revoke"


Visible = Callable[[Actor, datetime], "QuerySet[Any] | None"]
Allowed = Callable[[Actor, Any], bool]


@dataclass(frozen=True)
class _Rule:
    visible: Visible  # what the actor can see of the target's kind; None: everything
    allowed: Allowed  # for a visible target, whether the actor may do it
    refusal: str


def _nobody(actor: Actor, target: Any) -> bool:
    return False


def _license_admin_of(pick: Callable[[Any], Organization]) -> Allowed:
    def allowed(actor: Actor, target: Any) -> bool:
        return role_in(actor, pick(target)) == MembershipRole.LICENSE_ADMIN

    return allowed


def _orgs(actor: Actor, at: datetime) -> QuerySet[Organization]:
    return organizations_visible_to(actor, at=at)


def _memberships(actor: Actor, at: datetime) -> QuerySet[Membership]:
    return memberships_visible_to(actor, at=at)


def _delegations(actor: Actor, at: datetime) -> QuerySet[Delegation]:
    return delegations_visible_to(actor, at=at)


def _licenses(actor: Actor, at: datetime) -> QuerySet[Any]:
    return licenses_visible_to(actor, at=at)


def _support_ids(actor: Actor, at: datetime) -> QuerySet[Any]:
    return support_ids_visible_to(actor, at=at)


def _catalog(actor: Actor, at: datetime) -> None:
    return None  # products and versions are visible to everyone signed in


def _self(org: Organization) -> Organization:
    return org


def _of_membership(membership: Membership) -> Organization:
    return membership.organization


def _of_delegation(delegation: Delegation) -> Organization:
    return delegation.customer


_STAFF_ONLY_ORGS = "Only support staff create and delete organizations."
_MEMBERS = "Only the organization's license administrators manage its memberships."
_DELEGATIONS = "Only the customer's license administrators manage its delegations."
_CATALOG = "Only support staff change products and versions."
_LICENSES = "Only support staff issue and change licenses and Support IDs."

_RULES: dict[Action, _Rule] = {
    Action.ORGANIZATION_CREATE: _Rule(_catalog, _nobody, _STAFF_ONLY_ORGS),
    Action.ORGANIZATION_UPDATE: _Rule(
        _orgs,
        _license_admin_of(_self),
        "Only the organization's license administrators change its settings.",
    ),
    Action.ORGANIZATION_DELETE: _Rule(_orgs, _nobody, _STAFF_ONLY_ORGS),
    Action.MEMBERSHIP_CREATE: _Rule(_orgs, _license_admin_of(_self), _MEMBERS),
    Action.MEMBERSHIP_UPDATE: _Rule(_memberships, _license_admin_of(_of_membership), _MEMBERS),
    Action.MEMBERSHIP_DELETE: _Rule(_memberships, _license_admin_of(_of_membership), _MEMBERS),
    Action.DELEGATION_CREATE: _Rule(_orgs, _license_admin_of(_self), _DELEGATIONS),
    Action.DELEGATION_UPDATE: _Rule(_delegations, _license_admin_of(_of_delegation), _DELEGATIONS),
    Action.DELEGATION_DELETE: _Rule(_delegations, _license_admin_of(_of_delegation), _DELEGATIONS),
    Action.PRODUCT_CREATE: _Rule(_catalog, _nobody, _CATALOG),
    Action.PRODUCT_UPDATE: _Rule(_catalog, _nobody, _CATALOG),
    Action.PRODUCT_DELETE: _Rule(_catalog, _nobody, _CATALOG),
    Action.VERSION_CREATE: _Rule(_catalog, _nobody, _CATALOG),
    Action.VERSION_UPDATE: _Rule(_catalog, _nobody, _CATALOG),
    Action.VERSION_DELETE: _Rule(_catalog, _nobody, _CATALOG),
    Action.LICENSE_CREATE: _Rule(_orgs, _nobody, _LICENSES),
    Action.LICENSE_UPDATE: _Rule(_licenses, _nobody, _LICENSES),
    Action.LICENSE_DELETE: _Rule(_licenses, _nobody, _LICENSES),
    Action.SUPPORT_ID_CREATE: _Rule(_licenses, _nobody, _LICENSES),
    Action.SUPPORT_ID_REVOKE: _Rule(_support_ids, _nobody, _LICENSES),
}


def not_found(target: models.Model) -> ObjectDoesNotExist:
    """The error for something the actor may not see: the same as for something missing."""
    error: ObjectDoesNotExist = type(target).DoesNotExist(  # type: ignore[attr-defined]
        f"No such {type(target)._meta.verbose_name}."
    )
    return error


def require(actor: Actor, action: Action, target: models.Model | None, *, at: datetime) -> None:
    """Let ``actor`` do ``action`` to ``target`` at ``at``, or raise.

    Raises ``<Model>.DoesNotExist`` when the actor cannot see the target (so a request about
    another organization's object cannot tell it exists), and ``PermissionDenied`` when it can
    see it but may not do this. ``actor=None`` is the system itself and may do anything.
    """
    if actor is None or is_staff(actor):
        return
    if not is_person(actor):
        raise PermissionDenied("Sign in first.")
    rule = _RULES[action]
    if target is not None:
        visible = rule.visible(actor, at)
        if visible is not None and not visible.filter(pk=target.pk).exists():
            raise not_found(target)
    if not rule.allowed(actor, target):
        raise PermissionDenied(rule.refusal)


def require_organization_fields(actor: Actor, fields: Iterable[str]) -> None:
    """A customer's license administrator changes only the self-service fields."""
    if actor is None or is_staff(actor):
        return
    others = sorted(set(fields) - SELF_SERVICE_ORGANIZATION_FIELDS)
    if others:
        raise PermissionDenied(
            f"Only support staff change {', '.join(others)}; you may change "
            f"{' and '.join(sorted(SELF_SERVICE_ORGANIZATION_FIELDS))}."
        )
