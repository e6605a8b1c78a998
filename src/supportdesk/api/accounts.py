"""Organizations, memberships, delegations (R-1, R-4) and personal API tokens.

Who sees and changes what is decided in :mod:`supportdesk.accounts.permissions`: lists show
what the caller may see; another organization's object answers 404, as if it did not exist.
"""

# No `from __future__ import annotations`: @paginate has ninja read the views' annotations
# outside this module, so they must be objects, not strings.

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from supportdesk.accounts import permissions, services
from supportdesk.accounts.models import (
    ApiToken,
    Delegation,
    Invitation,
    Membership,
    Organization,
    User,
)
from supportdesk.accounts.selectors import api_tokens_of
from supportdesk.api.auth import SIGNED_IN
from supportdesk.api.errors import ErrorOut
from supportdesk.api.pagination import Pages
from supportdesk.api.throttling import RateLimit
from supportdesk.api.types import Instant

router = Router(tags=["accounts"], auth=SIGNED_IN)

Kind = Literal["customer", "partner"]
RegionKey = Literal["us", "canada", "emea", "apac", "latam"]
Role = Literal["license_admin", "case_admin", "member"]
ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the router's auth lets only signed-in people through
    return user


# --- organizations ---------------------------------------------------------------------------


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    country: str
    subdivision: str | None
    time_zone: str
    region: str
    language: str
    pdm: str | None = Field(description="user name of the Premium customer's PDM (R-10)")
    created_at: datetime

    @staticmethod
    def resolve_subdivision(obj: Organization) -> str | None:
        return obj.subdivision or None

    @staticmethod
    def resolve_pdm(obj: Organization) -> str | None:
        return obj.pdm.username if obj.pdm else None


class OrganizationIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: Kind = "customer"
    country: str = Field(description="ISO 3166-1 alpha-2, such as DE")
    subdivision: str | None = Field(None, description="ISO 3166-2, for regional holidays")
    time_zone: str = Field(description="IANA, such as Europe/Berlin")
    region: RegionKey | None = Field(None, description="empty: derived from the country (R-20)")
    language: str = "en"
    pdm: str | None = Field(None, description="user name of a staff user with the PDM role")


class OrganizationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Kind | None = None
    country: str | None = None
    subdivision: str | None = None
    time_zone: str | None = None
    region: RegionKey | None = None
    language: str | None = None
    pdm: str | None = None


class OrganizationFilter(Schema):
    kind: Kind | None = None


def _staff_user(username: str | None, field: str) -> User | None:
    if not username:
        return None
    found = User.objects.filter(username=username, is_staff=True).first()
    if found is None:
        raise ValidationError({field: [f"No staff user {username!r}."]})
    return found


def _visible_organization(request: HttpRequest, org_id: int, at: datetime) -> Organization:
    return permissions.organizations_visible_to(_user(request), at=at).get(pk=org_id)


@router.get(
    "/organizations",
    response=list[OrganizationOut],
    summary="Organizations you can see",
    url_name="organizations",
)
@paginate(Pages, page_size=PAGE_SIZE)
def organization_list(
    request: HttpRequest, filters: Query[OrganizationFilter]
) -> QuerySet[Organization]:
    found = permissions.organizations_visible_to(_user(request), at=timezone.now())
    if filters.kind:
        found = found.filter(kind=filters.kind)
    return found.select_related("pdm").order_by("name", "pk")


@router.post(
    "/organizations",
    response={201: OrganizationOut, **ERRORS},
    summary="Create an organization (staff)",
)
def organization_create(request: HttpRequest, payload: OrganizationIn) -> Status[Any]:
    org = services.organization_create(
        actor=_user(request),
        name=payload.name,
        kind=payload.kind,
        country=payload.country,
        subdivision=payload.subdivision or "",
        time_zone=payload.time_zone,
        region=payload.region,
        language=payload.language,
        pdm=_staff_user(payload.pdm, "pdm"),
        at=timezone.now(),
    )
    return Status(201, org)


@router.get(
    "/organizations/{int:org_id}",
    response={200: OrganizationOut, **ERRORS},
    url_name="organization",
)
def organization_get(request: HttpRequest, org_id: int) -> Organization:
    return _visible_organization(request, org_id, timezone.now())


@router.patch(
    "/organizations/{int:org_id}",
    response={200: OrganizationOut, **ERRORS},
    summary="Change an organization (its license administrators: time zone and language)",
)
def organization_update(
    request: HttpRequest, org_id: int, payload: OrganizationPatch
) -> Organization:
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    if "pdm" in changes:
        changes["pdm"] = _staff_user(changes["pdm"], "pdm")
    if "subdivision" in changes:
        changes["subdivision"] = changes["subdivision"] or ""
    return services.organization_update(
        actor=_user(request),
        organization=Organization.objects.get(pk=org_id),
        changes=changes,
        at=timezone.now(),
    )


@router.delete(
    "/organizations/{int:org_id}", response={204: None, **ERRORS}, summary="Delete (staff)"
)
def organization_delete(request: HttpRequest, org_id: int) -> Status[Any]:
    services.organization_delete(
        actor=_user(request), organization=Organization.objects.get(pk=org_id), at=timezone.now()
    )
    return Status(204, None)


# --- memberships -----------------------------------------------------------------------------


class MembershipOut(Schema):
    id: int
    organization: int
    organization_name: str
    username: str
    role: str
    created_at: datetime

    @staticmethod
    def resolve_organization(obj: Membership) -> int:
        return obj.organization_id

    @staticmethod
    def resolve_organization_name(obj: Membership) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return obj.user.username


class MembershipIn(Schema):
    username: str
    role: Role = "member"


class MembershipPatch(Schema):
    role: Role


class MembershipFilter(Schema):
    organization: int | None = None


@router.get("/memberships", response=list[MembershipOut], summary="Who is in your organizations")
@paginate(Pages, page_size=PAGE_SIZE)
def membership_list(request: HttpRequest, filters: Query[MembershipFilter]) -> QuerySet[Membership]:
    found = permissions.memberships_visible_to(_user(request), at=timezone.now())
    if filters.organization is not None:
        found = found.filter(organization_id=filters.organization)
    return found.select_related("organization", "user").order_by("organization__name", "pk")


@router.post(
    "/organizations/{int:org_id}/memberships",
    response={201: MembershipOut, **ERRORS},
    summary="Add a person to an organization (its license administrators)",
)
def membership_create(request: HttpRequest, org_id: int, payload: MembershipIn) -> Status[Any]:
    at = timezone.now()
    organization = Organization.objects.get(pk=org_id)
    # the gate first: an invisible organization is 404 whatever the body says
    permissions.require(_user(request), permissions.Action.MEMBERSHIP_CREATE, organization, at=at)
    user = User.objects.filter(username=payload.username, is_active=True).first()
    if user is None:
        raise ValidationError({"username": [f"No user {payload.username!r}."]})
    membership = services.membership_create(
        actor=_user(request), organization=organization, user=user, role=payload.role, at=at
    )
    return Status(201, membership)


@router.get("/memberships/{int:membership_id}", response={200: MembershipOut, **ERRORS})
def membership_get(request: HttpRequest, membership_id: int) -> Membership:
    visible = permissions.memberships_visible_to(_user(request), at=timezone.now())
    return visible.select_related("organization", "user").get(pk=membership_id)


@router.patch(
    "/memberships/{int:membership_id}",
    response={200: MembershipOut, **ERRORS},
    summary="Change a person's role (license administrators)",
)
def membership_update(
    request: HttpRequest, membership_id: int, payload: MembershipPatch
) -> Membership:
    return services.membership_update(
        actor=_user(request),
        membership=Membership.objects.get(pk=membership_id),
        role=payload.role,
        at=timezone.now(),
    )


@router.delete(
    "/memberships/{int:membership_id}",
    response={204: None, **ERRORS},
    summary="Remove a person from an organization (license administrators)",
)
def membership_delete(request: HttpRequest, membership_id: int) -> Status[Any]:
    services.membership_delete(
        actor=_user(request),
        membership=Membership.objects.get(pk=membership_id),
        at=timezone.now(),
    )
    return Status(204, None)


# --- invitations (R-1) ----------------------------------------------------------------------


class InvitationOut(Schema):
    id: int
    organization: int
    organization_name: str
    email: str
    role: str
    invited_by: str | None
    created_at: datetime
    expires_at: datetime
    state: Literal["open", "accepted", "ended", "expired"]
    accepted_at: datetime | None
    ended_at: datetime | None

    @staticmethod
    def resolve_organization(obj: Invitation) -> int:
        return obj.organization_id

    @staticmethod
    def resolve_organization_name(obj: Invitation) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_invited_by(obj: Invitation) -> str | None:
        return obj.invited_by.get_username() if obj.invited_by else None

    @staticmethod
    def resolve_state(obj: Invitation) -> str:
        return obj.state(timezone.now())


class InvitationIn(Schema):
    email: str = Field(max_length=254)
    role: Role = "member"


class InvitationFilter(Schema):
    organization: int | None = None
    open: bool | None = None


@router.post(
    "/organizations/{int:org_id}/invitations",
    response={201: InvitationOut, **ERRORS},
    throttle=[RateLimit("api", anonymous="api-anonymous"), RateLimit("invitation-send")],
    summary="Invite a person by e-mail (its license administrators)",
    description=(
        "Mails the address a link to join the organization in the role. The answer is the "
        "same whether an account has the address or not; an earlier open invitation to the "
        "address ends. The link works once, for the address's owner, until `expires_at`."
    ),
)
def invitation_create(request: HttpRequest, org_id: int, payload: InvitationIn) -> Status[Any]:
    invitation, _token = services.invitation_create(
        actor=_user(request),
        organization=Organization.objects.get(pk=org_id),
        email=payload.email,
        role=payload.role,
        at=timezone.now(),
    )
    return Status(201, invitation)


@router.get(
    "/invitations",
    response=list[InvitationOut],
    summary="Invitations of the organizations you manage the people of",
)
@paginate(Pages, page_size=PAGE_SIZE)
def invitation_list(request: HttpRequest, filters: Query[InvitationFilter]) -> QuerySet[Invitation]:
    at = timezone.now()
    found = permissions.invitations_visible_to(_user(request), at=at)
    if filters.organization is not None:
        found = found.filter(organization_id=filters.organization)
    if filters.open is not None:
        still = Q(accepted_at__isnull=True, ended_at__isnull=True, expires_at__gt=at)
        found = found.filter(still) if filters.open else found.exclude(still)
    return found.select_related("organization", "invited_by").order_by("-created_at", "-pk")


@router.get("/invitations/{int:invitation_id}", response={200: InvitationOut, **ERRORS})
def invitation_get(request: HttpRequest, invitation_id: int) -> Invitation:
    visible = permissions.invitations_visible_to(_user(request), at=timezone.now())
    return visible.select_related("organization", "invited_by").get(pk=invitation_id)


@router.delete(
    "/invitations/{int:invitation_id}",
    response={204: None, **ERRORS},
    summary="Withdraw an open invitation (license administrators)",
)
def invitation_end(request: HttpRequest, invitation_id: int) -> Status[Any]:
    at = timezone.now()
    visible = permissions.invitations_visible_to(_user(request), at=at)
    services.invitation_end(
        actor=_user(request),
        invitation=visible.select_related("organization").get(pk=invitation_id),
        at=at,
    )
    return Status(204, None)


# --- delegations (R-4) -----------------------------------------------------------------------


class DelegationOut(Schema):
    id: int
    customer: int
    customer_name: str
    partner: int
    partner_name: str
    starts_at: datetime
    ends_at: datetime | None
    active: bool = Field(description="in force now")
    granted_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_customer(obj: Delegation) -> int:
        return obj.customer_id

    @staticmethod
    def resolve_customer_name(obj: Delegation) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_partner(obj: Delegation) -> int:
        return obj.partner_id

    @staticmethod
    def resolve_partner_name(obj: Delegation) -> str:
        return obj.partner.name

    @staticmethod
    def resolve_active(obj: Delegation) -> bool:
        return obj.is_active(timezone.now())

    @staticmethod
    def resolve_granted_by(obj: Delegation) -> str | None:
        return obj.granted_by.username if obj.granted_by else None


class DelegationIn(Schema):
    partner: int = Field(description="the partner organization's id")
    starts_at: Instant | None = Field(None, description="empty: now")
    ends_at: Instant | None = Field(None, description="exclusive; empty: until revoked")


class DelegationPatch(Schema):
    starts_at: Instant | None = None
    ends_at: Instant | None = Field(None, description="set it to now to revoke")


class DelegationFilter(Schema):
    organization: int | None = Field(None, description="the customer or the partner")


@router.get(
    "/delegations",
    response=list[DelegationOut],
    summary="Delegations granted by or to your organizations",
)
@paginate(Pages, page_size=PAGE_SIZE)
def delegation_list(request: HttpRequest, filters: Query[DelegationFilter]) -> QuerySet[Delegation]:
    found = permissions.delegations_visible_to(_user(request), at=timezone.now())
    if filters.organization is not None:
        found = found.filter(
            Q(customer_id=filters.organization) | Q(partner_id=filters.organization)
        )
    return found.select_related("customer", "partner", "granted_by").order_by("starts_at", "pk")


@router.post(
    "/organizations/{int:org_id}/delegations",
    response={201: DelegationOut, **ERRORS},
    summary="Let a support partner act for this customer (its license administrators)",
)
def delegation_create(request: HttpRequest, org_id: int, payload: DelegationIn) -> Status[Any]:
    at = timezone.now()
    customer = Organization.objects.get(pk=org_id)
    permissions.require(_user(request), permissions.Action.DELEGATION_CREATE, customer, at=at)
    partner = Organization.objects.filter(pk=payload.partner, kind="partner").first()
    if partner is None:
        raise ValidationError({"partner": ["No such support partner."]})
    delegation = services.delegation_create(
        actor=_user(request),
        customer=customer,
        partner=partner,
        starts_at=payload.starts_at or at,
        ends_at=payload.ends_at,
        at=at,
    )
    return Status(201, delegation)


@router.get("/delegations/{int:delegation_id}", response={200: DelegationOut, **ERRORS})
def delegation_get(request: HttpRequest, delegation_id: int) -> Delegation:
    visible = permissions.delegations_visible_to(_user(request), at=timezone.now())
    return visible.select_related("customer", "partner", "granted_by").get(pk=delegation_id)


@router.patch(
    "/delegations/{int:delegation_id}",
    response={200: DelegationOut, **ERRORS},
    summary="Move a delegation's start or end; an end of now revokes it",
)
def delegation_update(
    request: HttpRequest, delegation_id: int, payload: DelegationPatch
) -> Delegation:
    return services.delegation_update(
        actor=_user(request),
        delegation=Delegation.objects.get(pk=delegation_id),
        changes=payload.model_dump(exclude_unset=True),
        at=timezone.now(),
    )


@router.delete("/delegations/{int:delegation_id}", response={204: None, **ERRORS})
def delegation_delete(request: HttpRequest, delegation_id: int) -> Status[Any]:
    services.delegation_delete(
        actor=_user(request),
        delegation=Delegation.objects.get(pk=delegation_id),
        at=timezone.now(),
    )
    return Status(204, None)


# --- personal API tokens ---------------------------------------------------------------------


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="the token's first characters, to tell it apart")
    created_at: datetime
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="shown this once: only its SHA-256 is kept")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def token_list(request: HttpRequest) -> QuerySet[ApiToken]:
    return api_tokens_of(_user(request))


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **ERRORS},
    summary="Create an API token for yourself (shown once)",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    token, secret = services.api_token_create(
        actor=_user(request), name=payload.name, at=timezone.now()
    )
    out = TokenOut.from_orm(token).model_dump()
    return Status(201, {**out, "token": secret})


@router.delete(
    "/tokens/{int:token_id}", response={204: None, **ERRORS}, summary="Revoke one of your tokens"
)
def token_revoke(request: HttpRequest, token_id: int) -> Status[Any]:
    services.api_token_revoke(
        actor=_user(request), token=ApiToken.objects.get(pk=token_id), at=timezone.now()
    )
    return Status(204, None)
