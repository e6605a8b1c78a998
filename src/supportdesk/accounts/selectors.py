"""Shared reads of the accounts app that are not about permissions (those are in
:mod:`supportdesk.accounts.permissions`)."""

from __future__ import annotations

from django.db.models import QuerySet

from supportdesk import rows
from supportdesk.accounts.models import ApiToken, Membership, Organization, User
from supportdesk.accounts.services import TOKEN_PREFIX, token_digest


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None for an unknown or revoked token."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    # every API call asks this: one statement made once per process (supportdesk.rows),
    # the query of ApiToken.objects.select_related("user").filter(digest=..., revoked_at
    # __isnull=True, user__is_active=True)
    found = rows.select(
        ((ApiToken, "t"), (User, "u")),
        f'FROM "{ApiToken._meta.db_table}" t INNER JOIN "{User._meta.db_table}" u '
        'ON u."id" = t."user_id" '
        'WHERE t."digest" = %s AND t."revoked_at" IS NULL AND u."is_active"',
        [token_digest(token)],
    )
    if not found:
        return None
    api_token, user = found[0]
    api_token.user = user
    return user


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


_ORGANIZATION = f'FROM "{Organization._meta.db_table}" o WHERE o."id" = %s'
# the viewer's membership role in it, read in the same statement (for role_in)
_ROLE_WITH = (
    f'(SELECT m."role" FROM "{Membership._meta.db_table}" m '  # noqa: S608
    'WHERE m."user_id" = %s AND m."organization_id" = o."id")'
)


def organization_get(pk: int, *, member: User | None = None) -> Organization:
    """The organization ``pk`` (``Organization.objects.get(pk=pk)`` in one statement made once
    per process: opening a case reads it first); ``Organization.DoesNotExist`` otherwise.
    With ``member``, that user's membership role in it comes in the same statement and
    :func:`~supportdesk.accounts.permissions.role_in` answers it without a query."""
    parts = ((Organization, "o"),)
    if member is None:
        found = rows.select(parts, _ORGANIZATION, [pk])
    else:
        found = rows.select(parts, _ORGANIZATION, [member.pk, pk], extra=_ROLE_WITH)
    if not found:
        raise Organization.DoesNotExist("No such organization.")
    organization: Organization = found[0][0]
    if member is not None:
        organization._role_read = (member.pk, found[0][1])  # type: ignore[attr-defined]
    return organization
