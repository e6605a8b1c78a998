"""Errors a domain service raises besides Django's own.

Services refuse with Django's exceptions where one fits (the API answers each the same way):
``ValidationError`` (422, with the field), ``PermissionDenied`` (403),
``ObjectDoesNotExist`` (404). :class:`Conflict` is the one they lack.
"""

from __future__ import annotations


class Conflict(Exception):
    """A request that is well formed and allowed, refused because of the current state (409):
    deleting an organization that still holds licenses, for instance."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
