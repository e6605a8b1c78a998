"""How API callers sign in: a personal token (``Authorization: Bearer <token>``) for scripts,
or the browser's session (with its CSRF token on writes)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from supportdesk.accounts.selectors import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user  # views read the caller from request.user, however it signed in
        return user


class Session(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        return user if user.is_authenticated and user.is_active else None


#: Signed in by either; routers that need a person use ``auth=SIGNED_IN``.
SIGNED_IN = [BearerToken(), Session()]


def _anyone(request: HttpRequest) -> Any:
    """The caller as the session knows them, signed in or not (an AnonymousUser is truthy)."""
    return request.user


#: For reads open to everyone that show more to those signed in (the knowledge base).
ANYONE = [BearerToken(), Session(), _anyone]
