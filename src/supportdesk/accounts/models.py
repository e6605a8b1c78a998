from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from supportdesk.accounts.choices import MembershipRole, OrganizationKind, Region, StaffRole
from supportdesk.accounts.validators import (
    validate_country,
    validate_language_tag,
    validate_time_zone,
)


class User(AbstractUser):
    """A person who signs in: customer contact, partner, engineer or staff.

    Custom from the first migration, so that fields can be added without swapping models.
    Vendor staff (engineers, PDMs, support managers) have ``is_staff`` and a ``staff_role``;
    customers and partners belong to organizations through :class:`Membership`.
    """

    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA time zone in which this person reads times, such as Europe/Prague.",
    )
    language = models.CharField(
        max_length=35,
        default="en",
        validators=[validate_language_tag],
        help_text="Language tag for pages and mail, such as en or cs.",
    )
    staff_role = models.CharField(
        max_length=20,
        choices=StaffRole.choices,
        blank=True,
        default="",
        help_text="For vendor staff only: engineer, PDM or support manager.",
    )
    sessions_valid_from = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Sessions and API tokens from before this instant have ended "
        "(password change, removal from an organization).",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = (
            models.CheckConstraint(
                condition=models.Q(staff_role="") | models.Q(is_staff=True),
                name="accounts_user_staff_role_needs_staff",
                violation_error_message="Only staff users have a staff role.",
            ),
        )

    def __str__(self) -> str:
        return self.get_username()

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Sessions carry this hash: it changes with the password (as Django's does) and
        when the user's sessions are ended, so every session signed in before is over."""
        valid_from = self.sessions_valid_from.isoformat() if self.sessions_valid_from else ""
        return salted_hmac(
            "supportdesk.accounts.User.session",
            f"{self.password}\x00{valid_from}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # set_password() keeps the new password until the save; a hash upgrade on sign-in
        # does not (Django clears it), so only a real change ends the API tokens.
        password_changed = getattr(self, "_password", None) is not None and not self._state.adding
        if password_changed:
            self.sessions_valid_from = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "sessions_valid_from"}
        super().save(*args, **kwargs)
        if password_changed:
            self.api_tokens.filter(revoked_at__isnull=True).update(
                revoked_at=self.sessions_valid_from
            )


class Organization(models.Model):
    """A customer of the vendor, or a support partner that acts for customers (R-1, R-4).

    Business hours, holidays and language follow the organization's country, subdivision and
    time zone (R-11, R-20).
    """

    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=10, choices=OrganizationKind.choices, default=OrganizationKind.CUSTOMER
    )
    country = models.CharField(
        max_length=2, validators=[validate_country], help_text="ISO 3166-1 alpha-2, such as DE."
    )
    subdivision = models.CharField(
        max_length=10,
        blank=True,
        default="",
        help_text="ISO 3166-2 subdivision for regional holidays, such as BY; may be empty.",
    )
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="IANA, such as Europe/Berlin."
    )
    region = models.CharField(
        max_length=10,
        choices=Region.choices,
        help_text="Support region (R-20); derived from the country unless set.",
    )
    language = models.CharField(
        max_length=35,
        default="en",
        validators=[validate_language_tag],
        help_text="Preferred language, such as de.",
    )
    pdm = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pdm_of",
        limit_choices_to={"is_staff": True, "staff_role": StaffRole.PDM},
        verbose_name="PDM",
        help_text="The named PDM of a Premium customer (R-10).",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("name",)
        constraints = (
            models.UniqueConstraint(
                Lower("name"),
                name="accounts_organization_unique_name",
                violation_error_message="An organization with this name already exists.",
            ),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def is_partner(self) -> bool:
        return self.kind == OrganizationKind.PARTNER


class Membership(models.Model):
    """A person's role in an organization: license administrator, case administrator, or
    member (R-1). A person may belong to several organizations."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("organization__name", "user__username")
        constraints = (
            models.UniqueConstraint(
                fields=("organization", "user"),
                name="accounts_membership_one_per_user_and_organization",
                violation_error_message="This person is already a member of the organization.",
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) at {self.organization}"


class DelegationQuerySet(models.QuerySet["Delegation"]):
    def active(self, at: datetime) -> DelegationQuerySet:
        """Delegations in force at ``at``: started, and not yet ended (R-4)."""
        return self.filter(
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=at), starts_at__lte=at
        )


class Delegation(models.Model):
    """A customer lets a support partner act for it, from ``starts_at`` until ``ends_at``
    (exclusive; open-ended when empty). Granted by the customer's license administrator (R-4).
    """

    customer = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="delegations_granted"
    )
    partner = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="delegations_received"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ("customer__name", "partner__name", "starts_at")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="accounts_delegation_ends_after_it_starts",
                violation_error_message="A delegation ends after it starts.",
            ),
            models.CheckConstraint(
                condition=~models.Q(customer=models.F("partner")),
                name="accounts_delegation_not_to_itself",
                violation_error_message="An organization cannot delegate to itself.",
            ),
        )

    def __str__(self) -> str:
        return f"{self.customer} → {self.partner}"

    def is_active(self, at: datetime) -> bool:
        return self.starts_at <= at and (self.ends_at is None or at < self.ends_at)


class ApiToken(models.Model):
    """A personal token for scripts: ``Authorization: Bearer <token>``.

    Only the SHA-256 of the token is kept; the token itself is shown once, when created.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for.")
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell it.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, hex.")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("user__username", "created_at")
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class PasswordReset(models.Model):
    """A link that sets a new password, mailed to the address of an account.

    The link carries the user's id and a token of 256 random bits; only the token's SHA-256
    (taken with the purpose, so a token of another kind never matches) is kept. It works once,
    until ``expires_at``, and only for the user it was made for.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_resets")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, hex.")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(
        null=True, blank=True, help_text="When it set a password, or was ended by another one."
    )

    class Meta:
        ordering = ("-created_at",)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="accounts_passwordreset_expires_after_creation",
                violation_error_message="A reset link expires after it is made.",
            ),
        )

    def __str__(self) -> str:
        return f"password reset for {self.user} at {self.created_at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    """An invitation, mailed to an address, to join an organization in a role (R-1): how a
    license administrator adds a person without knowing, or learning, whether the address
    already has an account.

    The link carries a token of 256 random bits; only its SHA-256 (taken with the purpose) is
    kept. It works once, until ``expires_at``, and only for the person the address belongs
    to: an account with that address, or a new one made with it. A new invitation to the
    same address and organization ends the earlier one.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(max_length=254, help_text="Lowercase.")
    role = models.CharField(
        max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, hex.")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was withdrawn, or replaced by a newer one."
    )
    ended_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = (
            models.Index(fields=("organization", "email"), name="accounts_invitation_to_idx"),
        )
        constraints = (
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="accounts_invitation_expires_after_creation",
                violation_error_message="An invitation expires after it is made.",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(ended_at__isnull=True),
                name="accounts_invitation_accepted_or_ended",
                violation_error_message="An invitation is accepted or ended, not both.",
            ),
        )

    def __str__(self) -> str:
        return f"invitation of {self.email} to {self.organization} as {self.get_role_display()}"

    def state(self, at: datetime) -> str:
        """open, accepted, ended (withdrawn or replaced) or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.ended_at is not None:
            return "ended"
        return "expired" if self.expires_at <= at else "open"
