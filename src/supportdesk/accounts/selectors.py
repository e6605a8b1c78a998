"""Shared reads of the accounts app that are not about permissions (those are in
:mod:`supportdesk.accounts.permissions`)."""

from __future__ import annotations

from django.db.models import QuerySet

from supportdesk.accounts.models import ApiToken, User
from supportdesk.accounts.services import TOKEN_PREFIX, token_digest


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None for an unknown or revoked token."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
        .order_by()  # the digest is unique: no ordering (and none of its joins) needed
        .first()
    )
    return found.user if found else None


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
