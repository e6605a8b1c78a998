"""Every write of the accounts app: keyword-only, atomic, checked by
:func:`supportdesk.accounts.permissions.require`, and recorded in the audit trail."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from supportdesk.accounts.choices import MembershipRole, OrganizationKind, StaffRole
from supportdesk.accounts.models import (
    ApiToken,
    Delegation,
    Invitation,
    Membership,
    Organization,
    PasswordReset,
    User,
)
from supportdesk.accounts.permissions import (
    Action,
    Actor,
    is_person,
    require,
    require_organization_fields,
)
from supportdesk.audit.services import audit_event_record, audited_delete, created, diff, snapshot
from supportdesk.policy import InputError, check_country, get_policy, region_for

ORGANIZATION_FIELDS = (
    "name",
    "kind",
    "country",
    "subdivision",
    "time_zone",
    "region",
    "language",
    "pdm",
)
TOKEN_PREFIX = "sdt_"  # noqa: S105  # tells a supportdesk token apart, not a secret


def _actor(actor: Actor) -> User | None:
    """The user to record in the audit trail (None for the system)."""
    return actor if isinstance(actor, User) else None


def _full_clean(instance: Any, exclude: tuple[str, ...] = ()) -> None:
    instance.full_clean(exclude=exclude)


# --- organizations ---------------------------------------------------------------------------


def _normalise_place(values: dict[str, Any], *, region_given: bool) -> None:
    """Check country and subdivision against the holiday calendars (R-11) and derive the
    region from the country unless one was given (R-20)."""
    try:
        country, subdivision = check_country(values["country"] or "", values["subdivision"] or None)
    except InputError as exc:
        raise ValidationError({exc.field: [exc.message]}) from None
    values["country"], values["subdivision"] = country, subdivision or ""
    if not region_given:
        try:
            values["region"] = region_for(get_policy(), country).key
        except InputError as exc:
            raise ValidationError({"region": [exc.message]}) from None


def _check_pdm(pdm: User | None) -> None:
    if pdm is not None and not (pdm.is_staff and pdm.staff_role == StaffRole.PDM):
        raise ValidationError({"pdm": [f"{pdm} is not a staff user with the PDM role (R-10)."]})


@transaction.atomic
def organization_create(
    *,
    actor: Actor,
    name: str,
    country: str,
    time_zone: str,
    kind: str = OrganizationKind.CUSTOMER,
    subdivision: str = "",
    region: str | None = None,
    language: str = "en",
    pdm: User | None = None,
    at: datetime,
) -> Organization:
    """A customer or partner organization; its region follows its country unless given."""
    require(actor, Action.ORGANIZATION_CREATE, None, at=at)
    values: dict[str, Any] = {
        "name": name.strip(),
        "kind": kind,
        "country": country,
        "subdivision": subdivision,
        "time_zone": time_zone,
        "region": region,
        "language": language,
        "pdm": pdm,
    }
    _normalise_place(values, region_given=bool(region))
    _check_pdm(pdm)
    organization = Organization(**values, created_at=at)
    _full_clean(organization)
    organization.save()
    audit_event_record(
        actor=_actor(actor),
        action="organization.create",
        target=organization,
        changes=created(snapshot(organization, ORGANIZATION_FIELDS)),
        at=at,
    )
    return organization


@transaction.atomic
def organization_update(
    *, actor: Actor, organization: Organization, changes: Mapping[str, Any], at: datetime
) -> Organization:
    """Change some of :data:`ORGANIZATION_FIELDS`; a new country brings its region along
    unless a region is given too."""
    require(actor, Action.ORGANIZATION_UPDATE, organization, at=at)
    unknown = sorted(set(changes) - set(ORGANIZATION_FIELDS))
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    before = snapshot(organization, ORGANIZATION_FIELDS)
    values = {
        name: getattr(organization, name) for name in ORGANIZATION_FIELDS if name not in changes
    }
    values.update(changes)
    if isinstance(values.get("name"), str):
        values["name"] = values["name"].strip()
    values["subdivision"] = values.get("subdivision") or ""
    # the region follows a new country, unless a region is given too
    _normalise_place(values, region_given="region" in changes or "country" not in changes)
    # a license administrator may change only what is theirs to change; values that stay
    # the same are not a change
    changed = [name for name in ORGANIZATION_FIELDS if values[name] != getattr(organization, name)]
    require_organization_fields(actor, changed)
    if "pdm" in changed:
        _check_pdm(values["pdm"])
    for name in changed:
        setattr(organization, name, values[name])
    _full_clean(organization)
    if changed:
        organization.save(update_fields=changed)
    after = snapshot(organization, ORGANIZATION_FIELDS)
    audit_event_record(
        actor=_actor(actor),
        action="organization.update",
        target=organization,
        changes=diff(before, after),
        at=at,
    )
    return organization


@transaction.atomic
def organization_delete(*, actor: Actor, organization: Organization, at: datetime) -> None:
    """Delete an organization with its memberships and delegations; refused while it still
    holds licenses."""
    require(actor, Action.ORGANIZATION_DELETE, organization, at=at)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    before = snapshot(organization, ORGANIZATION_FIELDS)
    audited_delete(
        actor=_actor(actor),
        instance=organization,
        before=before,
        action="organization.delete",
        at=at,
        protected=f"{organization} still holds licenses or is a PDM's customer: delete them first.",
    )


# --- memberships -----------------------------------------------------------------------------


def _keep_a_license_admin(membership: Membership, *, leaving: bool, new_role: str | None) -> None:
    """An organization keeps at least one license administrator: they manage its people (R-1)."""
    if membership.role != MembershipRole.LICENSE_ADMIN:
        return
    if not leaving and new_role == MembershipRole.LICENSE_ADMIN:
        return
    admins = list(
        Membership.objects.select_for_update()
        .filter(organization_id=membership.organization_id, role=MembershipRole.LICENSE_ADMIN)
        .values_list("pk", flat=True)
    )
    if admins == [membership.pk]:
        raise ValidationError(
            {
                "role": [
                    f"{membership.user} is the last license administrator of "
                    f"{membership.organization}: appoint another one first."
                ]
            }
        )


@transaction.atomic
def membership_create(
    *, actor: Actor, organization: Organization, user: User, role: str, at: datetime
) -> Membership:
    require(actor, Action.MEMBERSHIP_CREATE, organization, at=at)
    membership = Membership(organization=organization, user=user, role=role, created_at=at)
    _full_clean(membership)
    membership.save()
    audit_event_record(
        actor=_actor(actor),
        action="membership.create",
        target=membership,
        changes=created(snapshot(membership, ("organization", "user", "role"))),
        at=at,
    )
    return membership


@transaction.atomic
def membership_update(
    *, actor: Actor, membership: Membership, role: str, at: datetime
) -> Membership:
    require(actor, Action.MEMBERSHIP_UPDATE, membership, at=at)
    membership = (
        Membership.objects.select_for_update()
        .select_related("organization", "user")
        .get(pk=membership.pk)
    )
    before = snapshot(membership, ("role",))
    _keep_a_license_admin(membership, leaving=False, new_role=role)
    membership.role = role
    _full_clean(membership)
    membership.save(update_fields=["role"])
    audit_event_record(
        actor=_actor(actor),
        action="membership.update",
        target=membership,
        changes=diff(before, snapshot(membership, ("role",))),
        at=at,
    )
    return membership


@transaction.atomic
def membership_delete(*, actor: Actor, membership: Membership, at: datetime) -> None:
    require(actor, Action.MEMBERSHIP_DELETE, membership, at=at)
    membership = (
        Membership.objects.select_for_update()
        .select_related("organization", "user")
        .get(pk=membership.pk)
    )
    _keep_a_license_admin(membership, leaving=True, new_role=None)
    before = snapshot(membership, ("organization", "user", "role"))
    audited_delete(
        actor=_actor(actor), instance=membership, before=before, action="membership.delete", at=at
    )
    # whatever they signed in with now may show the organization: they sign in again
    _end_sessions(membership.user, at=at)


def _end_sessions(user: User, *, at: datetime) -> tuple[datetime | None, int]:
    """End ``user``'s sessions and API tokens; (the previous cut-off, tokens revoked).

    Leaving an organization calls this (recorded as that event); a password change ends
    them in User.save, and sign-in refuses a disabled user's session and tokens."""
    user = User.objects.select_for_update().get(pk=user.pk)
    before = user.sessions_valid_from
    user.sessions_valid_from = at
    user.save(update_fields=["sessions_valid_from"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=at)
    return before, revoked


# --- delegations (R-4) -----------------------------------------------------------------------

DELEGATION_FIELDS = ("customer", "partner", "starts_at", "ends_at")


def _check_delegation(delegation: Delegation) -> None:
    if delegation.customer.kind != OrganizationKind.CUSTOMER:
        raise ValidationError({"customer": [f"{delegation.customer} is not a customer."]})
    if delegation.partner.kind != OrganizationKind.PARTNER:
        raise ValidationError({"partner": [f"{delegation.partner} is not a support partner."]})
    if delegation.starts_at is None:
        raise ValidationError({"starts_at": ["Give the time the delegation starts."]})
    for name in ("starts_at", "ends_at"):
        value = getattr(delegation, name)
        if value is not None and value.tzinfo is None:
            raise ValidationError({name: ["Give a time with its UTC offset."]})
    if delegation.ends_at is not None and delegation.ends_at <= delegation.starts_at:
        raise ValidationError({"ends_at": ["A delegation ends after it starts."]})
    overlapping = Delegation.objects.filter(
        customer_id=delegation.customer_id, partner_id=delegation.partner_id
    ).exclude(pk=delegation.pk)
    if delegation.ends_at is not None:
        overlapping = overlapping.filter(starts_at__lt=delegation.ends_at)
    overlapping = overlapping.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=delegation.starts_at))
    if overlapping.exists():
        raise ValidationError(
            {
                "starts_at": [
                    f"{delegation.customer} already delegates to {delegation.partner} "
                    "for part of this period."
                ]
            }
        )


@transaction.atomic
def delegation_create(
    *,
    actor: Actor,
    customer: Organization,
    partner: Organization,
    starts_at: datetime,
    ends_at: datetime | None = None,
    at: datetime,
) -> Delegation:
    """Let ``partner`` act for ``customer`` from ``starts_at`` until ``ends_at`` (R-4)."""
    require(actor, Action.DELEGATION_CREATE, customer, at=at)
    # one writer at a time per customer, so that two overlapping grants cannot both pass
    customer = Organization.objects.select_for_update().get(pk=customer.pk)
    delegation = Delegation(
        customer=customer,
        partner=partner,
        starts_at=starts_at,
        ends_at=ends_at,
        granted_by=_actor(actor),
        created_at=at,
    )
    _check_delegation(delegation)
    _full_clean(delegation)
    delegation.save()
    audit_event_record(
        actor=_actor(actor),
        action="delegation.create",
        target=delegation,
        changes=created(snapshot(delegation, DELEGATION_FIELDS)),
        at=at,
    )
    return delegation


@transaction.atomic
def delegation_update(
    *, actor: Actor, delegation: Delegation, changes: Mapping[str, Any], at: datetime
) -> Delegation:
    """Move the start or the end of a delegation; ending it now revokes it (R-4)."""
    require(actor, Action.DELEGATION_UPDATE, delegation, at=at)
    unknown = sorted(set(changes) - {"starts_at", "ends_at"})
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})
    Organization.objects.select_for_update().filter(pk=delegation.customer_id).first()
    delegation = Delegation.objects.select_related("customer", "partner").get(pk=delegation.pk)
    before = snapshot(delegation, DELEGATION_FIELDS)
    for name, value in changes.items():
        setattr(delegation, name, value)
    _check_delegation(delegation)
    _full_clean(delegation)
    if changes:
        delegation.save(update_fields=list(changes))
    audit_event_record(
        actor=_actor(actor),
        action="delegation.update",
        target=delegation,
        changes=diff(before, snapshot(delegation, DELEGATION_FIELDS)),
        at=at,
    )
    return delegation


@transaction.atomic
def delegation_delete(*, actor: Actor, delegation: Delegation, at: datetime) -> None:
    require(actor, Action.DELEGATION_DELETE, delegation, at=at)
    before = snapshot(delegation, DELEGATION_FIELDS)
    audited_delete(
        actor=_actor(actor), instance=delegation, before=before, action="delegation.delete", at=at
    )


# --- API tokens ------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str, at: datetime) -> tuple[ApiToken, str]:
    """A new token for ``actor`` itself. Returns the token; only its SHA-256 is kept, so this
    is the one time anyone sees it."""
    if not is_person(actor):
        raise PermissionDenied("Sign in first.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)  # 32 random bytes
    token = ApiToken(
        user=actor,
        name=name.strip(),
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        digest=token_digest(secret),
        created_at=at,
    )
    _full_clean(token)
    token.save()
    audit_event_record(
        actor=actor,
        action="api_token.create",
        target=token,
        changes=created(snapshot(token, ("user", "name", "prefix"))),
        at=at,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken, at: datetime) -> ApiToken:
    """Only the token's owner revokes it; anyone else is told there is no such token."""
    if not is_person(actor) or token.user_id != actor.pk:
        raise ApiToken.DoesNotExist("No such API token.")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = at
        token.save(update_fields=["revoked_at"])
        audit_event_record(
            actor=actor,
            action="api_token.revoke",
            target=token,
            changes={"revoked_at": [None, at]},
            at=at,
        )
    return token


# --- a person's own preferences --------------------------------------------------------------


@transaction.atomic
def user_set_language(*, actor: Actor, user: User, language: str, at: datetime) -> User:
    """A person picks the language of their pages and mail (R-20); only for themselves."""
    if not isinstance(actor, User) or not is_person(actor) or actor.pk != user.pk:
        raise PermissionDenied("People choose their own language.")
    from django.conf import settings

    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ValidationError({"language": [f"One of: {', '.join(codes)}."]})
    if user.language == language:
        return user
    before = snapshot(user, ("language",))
    user.language = language
    user.save(update_fields=["language"])
    audit_event_record(
        actor=actor,
        action="user.language",
        target=user,
        changes=diff(before, snapshot(user, ("language",))),
        at=at,
    )
    return user


# --- forgotten passwords ----------------------------------------------------------------------

RESET_PURPOSE = "supportdesk.accounts.password_reset"
INVALID_LINK = "This link is not valid or has expired: ask for a new one."


def reset_digest(token: str) -> str:
    """The digest kept of a reset token: bound to its purpose, so that a token of another
    kind (a survey's, an API token) never matches one."""
    return hashlib.sha256(f"{RESET_PURPOSE}\x00{token}".encode()).hexdigest()


def password_reset_request(*, email: str, at: datetime) -> PasswordReset | None:
    """Mail a reset link to every active account with ``email``; the caller answers the same
    whether there is one or not. An unknown address costs the same token and mail rendering
    as a known one (only nothing is kept or sent), so the time taken does not tell either.
    Returns the last reset made (None for an unknown address), for tests and the audit."""
    from django.conf import settings

    from supportdesk.notifications.mail import render
    from supportdesk.notifications.services import mail_queue

    address = email.strip()
    users: list[User | None] = (
        list(
            User.objects.filter(email__iexact=address, is_active=True)
            .exclude(email="")
            .order_by("pk")
        )
        if address and len(address) <= 254
        else []
    )
    minutes = int(settings.SUPPORTDESK_PASSWORD_RESET_MINUTES)
    reset = None
    for user in users or [None]:
        token = secrets.token_urlsafe(32)  # 256 random bits
        context = {
            "username": user.get_username() if user else "",
            "link": reset_link(user.pk if user else 0, token),
            "minutes": minutes,
        }
        if user is None:
            render("password_reset", context, "en")  # the same work, nothing kept
            continue
        with transaction.atomic():
            reset = PasswordReset.objects.create(
                user=user,
                digest=reset_digest(token),
                created_at=at,
                expires_at=at + timedelta(minutes=minutes),
            )
            mail_queue(
                to=user.email,
                to_name=user.get_full_name(),
                template="password_reset",
                context=context,
                language=user.language or "en",
                at=at,
                redact_after_send=True,  # the link sets the password: not kept once sent
            )
            audit_event_record(
                actor=None,
                action="password_reset.request",
                target=user,
                changes={"expires_at": [None, reset.expires_at]},
                at=at,
            )
    return reset


def reset_link(user_id: int, token: str) -> str:
    from django.conf import settings
    from django.urls import reverse

    path = reverse("portal:password_reset_confirm", kwargs={"uid": user_id, "token": token})
    return f"{settings.SUPPORTDESK_SITE_URL}{path}"


def password_reset_check(*, user_id: int, token: str, at: datetime) -> PasswordReset:
    """The reset ``token`` opens for user ``user_id``, or ValidationError naming ``token``
    (the same for a token that never was, is another user's, expired or was used)."""
    reset = (
        PasswordReset.objects.select_related("user")
        .filter(digest=reset_digest(token), user_id=user_id, user__is_active=True)
        .first()
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= at:
        raise ValidationError({"token": [INVALID_LINK]})
    return reset


@transaction.atomic
def password_reset_confirm(*, user_id: int, token: str, password: str, at: datetime) -> User:
    """Set ``password`` through a reset link: once, before it expires, for its own user. The
    user's other sessions and API tokens end (User.save), and so do the user's other reset
    links."""
    from django.contrib.auth.password_validation import validate_password

    reset = password_reset_check(user_id=user_id, token=token, at=at)
    reset = PasswordReset.objects.select_for_update().get(pk=reset.pk)
    if reset.used_at is not None:  # used by a request that got there first
        raise ValidationError({"token": [INVALID_LINK]})
    user = User.objects.select_for_update().get(pk=reset.user_id)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    ended = PasswordReset.objects.filter(user=user, used_at__isnull=True).update(used_at=at)
    audit_event_record(
        actor=user,
        action="password_reset.confirm",
        target=user,
        changes={"password": ["(set)", "(set)"], "reset_links_ended": [0, ended]},
        at=at,
    )
    return user


# --- invitations ------------------------------------------------------------------------------

INVITATION_PURPOSE = "supportdesk.accounts.invitation"
INVALID_INVITATION = (
    "This invitation link is not valid: it was used, withdrawn, replaced by a newer one or has "
    "expired. Ask the organization's license administrator for a new one."
)
OTHER_ADDRESS = (
    "This invitation was sent to another e-mail address: sign in with the account of that "
    "address, or sign out and make a new account with it."
)


def invitation_digest(token: str) -> str:
    """The digest kept of an invitation token, bound to its purpose (a reset or survey token
    never matches one)."""
    return hashlib.sha256(f"{INVITATION_PURPOSE}\x00{token}".encode()).hexdigest()


def invitation_link(token: str) -> str:
    from django.conf import settings
    from django.urls import reverse

    return f"{settings.SUPPORTDESK_SITE_URL}{reverse('portal:invitation', kwargs={'token': token})}"


def _invitation_email(email: str) -> str:
    from django.core.validators import validate_email

    address = (email or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": ["Enter a valid e-mail address."]}) from None
    return address


def _invitation_role(role: str) -> str:
    if role not in MembershipRole.values:
        raise ValidationError({"role": [f"One of: {', '.join(MembershipRole.values)}."]})
    return role


@transaction.atomic
def invitation_create(
    *, actor: Actor, organization: Organization, email: str, role: str, at: datetime
) -> tuple[Invitation, str]:
    """Mail ``email`` an invitation to join ``organization`` as ``role`` (its license
    administrators, R-1). The answer and the work are the same whether an account has that
    address or not; an earlier open invitation to the address ends. Returns the invitation
    and its token (which only the mail carries)."""
    from django.conf import settings

    from supportdesk.notifications.services import mail_queue

    require(actor, Action.MEMBERSHIP_CREATE, organization, at=at)
    address = _invitation_email(email)
    role = _invitation_role(role)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    superseded = list(
        Invitation.objects.filter(
            organization=organization,
            email=address,
            accepted_at__isnull=True,
            ended_at__isnull=True,
            expires_at__gt=at,
        ).values_list("pk", flat=True)
    )
    Invitation.objects.filter(pk__in=superseded).update(ended_at=at, ended_by=_actor(actor))
    token = secrets.token_urlsafe(32)  # 256 random bits
    invitation = Invitation(
        organization=organization,
        email=address,
        role=role,
        invited_by=_actor(actor),
        digest=invitation_digest(token),
        created_at=at,
        expires_at=at + timedelta(days=int(settings.SUPPORTDESK_INVITATION_DAYS)),
    )
    _full_clean(invitation)
    invitation.save()
    # the reader's language: an account's with the address, else the organization's
    known = (
        User.objects.filter(email__iexact=address, is_active=True)
        .order_by("pk")
        .values_list("language", flat=True)
        .first()
    )
    inviter = _actor(actor)
    mail_queue(
        to=address,
        template="invitation",
        context={
            "organization": organization.name,
            "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
            "role": invitation.role,
            "link": invitation_link(token),
            "days": int(settings.SUPPORTDESK_INVITATION_DAYS),
        },
        language=known or organization.language or "en",
        at=at,
        redact_after_send=True,  # the link makes an account: not kept once sent
    )
    audit_event_record(
        actor=inviter,
        action="invitation.create",
        target=invitation,
        changes={
            **created(snapshot(invitation, ("organization", "email", "role", "expires_at"))),
            "replaces": [None, superseded],
        },
        at=at,
    )
    return invitation, token


@transaction.atomic
def invitation_end(*, actor: Actor, invitation: Invitation, at: datetime) -> Invitation:
    """Withdraw an open invitation (the organization's license administrators)."""
    from supportdesk.errors import Conflict

    require(actor, Action.MEMBERSHIP_CREATE, invitation.organization, at=at)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    state = invitation.state(at)
    if state != "open":
        raise Conflict(f"The invitation is {state} already.")
    invitation.ended_at, invitation.ended_by = at, _actor(actor)
    invitation.save(update_fields=["ended_at", "ended_by"])
    audit_event_record(
        actor=_actor(actor),
        action="invitation.end",
        target=invitation,
        changes={"ended_at": [None, at]},
        at=at,
    )
    return invitation


def invitation_check(*, token: str, at: datetime) -> Invitation:
    """The open invitation ``token`` opens, or ValidationError naming ``token`` (the same for a
    token that never was, was used, withdrawn, replaced or expired)."""
    found = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(digest=invitation_digest(token or ""))
        .first()
    )
    if found is None or found.state(at) != "open":
        raise ValidationError({"token": [INVALID_INVITATION]})
    return found


def _accept(invitation: Invitation, user: User, at: datetime) -> Membership:
    membership = Membership.objects.filter(organization=invitation.organization, user=user).first()
    if membership is None:
        membership = Membership(
            organization=invitation.organization, user=user, role=invitation.role, created_at=at
        )
        _full_clean(membership)
        membership.save()
        audit_event_record(
            actor=user,
            action="membership.create",
            target=membership,
            changes={
                **created(snapshot(membership, ("organization", "user", "role"))),
                "invitation": [None, invitation.pk],
            },
            at=at,
        )
    invitation.accepted_at, invitation.accepted_by = at, user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_event_record(
        actor=user,
        action="invitation.accept",
        target=invitation,
        changes={"accepted_at": [None, at], "membership": [None, membership.pk]},
        at=at,
    )
    return membership


@transaction.atomic
def invitation_accept(*, token: str, user: User, at: datetime) -> Membership:
    """``user``, signed in, joins through the invitation: only if the invitation was sent to
    their own address. A person who is already a member keeps their role."""
    invitation = invitation_check(token=token, at=at)
    invitation = (
        Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    )
    if invitation.state(at) != "open":  # accepted by a request that got there first
        raise ValidationError({"token": [INVALID_INVITATION]})
    if not is_person(user) or (user.email or "").strip().lower() != invitation.email:
        raise ValidationError({"token": [OTHER_ADDRESS]})
    return _accept(invitation, user, at)


@transaction.atomic
def invitation_accept_new_account(
    *,
    token: str,
    username: str,
    first_name: str,
    last_name: str,
    password: str,
    language: str,
    at: datetime,
) -> Membership:
    """Make an account with the invitation's address and join through it. Refused (naming
    ``email``) when an account has the address already: its owner signs in and accepts."""
    from django.conf import settings
    from django.contrib.auth.password_validation import validate_password

    invitation = invitation_check(token=token, at=at)
    invitation = (
        Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    )
    if invitation.state(at) != "open":
        raise ValidationError({"token": [INVALID_INVITATION]})
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            {"email": ["An account with this address exists: sign in to accept."]}
        )
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["This user name is taken: choose another."]})
    codes = [code for code, _name in settings.LANGUAGES]
    user = User(
        username=username,
        email=invitation.email,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        language=language if language in codes else "en",
        date_joined=at,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    _full_clean(user, exclude=("password",))
    user.save()
    audit_event_record(
        actor=user,
        action="user.create",
        target=user,
        changes={
            **created(snapshot(user, ("username", "email", "first_name", "last_name"))),
            "invitation": [None, invitation.pk],
        },
        at=at,
    )
    return _accept(invitation, user, at)
