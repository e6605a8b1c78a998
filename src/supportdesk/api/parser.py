"""The API's JSON body parser: a body nested deeper than any schema of ours is refused
before the JSON decoder and the schemas recurse into it. (ninja answers 400 for whatever a
parser raises; the too-large body becomes a 413 in api/errors.py.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.parser import Parser
from ninja.types import DictStrAny

#: No schema of the API nests deeper than a few levels; 64 leaves room and stops stack games.
MAX_DEPTH = 64


def nesting_depth(body: bytes) -> int:
    """How deep arrays and objects nest, counting outside strings only (one pass)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def nul_field(value: object, path: str = "") -> str | None:
    """Where a string of ``value`` holds U+0000 ("note", "lines.0.name"), or None. No text
    of ours holds one, and PostgreSQL refuses to store it (an error, not a 422, if it got
    that far)."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        items: list[tuple[object, object]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return f"{path}.{key}" if path else key
        found = nul_field(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


class GuardedParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        body = request.body
        # the scan runs only when there are enough brackets to nest too deep (counted in C)
        openers = body.count(b"[") + body.count(b"{")
        if openers > MAX_DEPTH and nesting_depth(body) > MAX_DEPTH:
            raise ValueError(f"The request body nests deeper than {MAX_DEPTH} levels.")
        return cast(DictStrAny, json.loads(body))


NUL_MESSAGE = "Holds a NUL character (U+0000), which no text may hold."


class NulCharacterMiddleware:
    """An API request whose JSON holds U+0000 in a string gets a 422 naming the field, as any
    invalid value does. PostgreSQL refuses to store the character, so it would otherwise
    fail as a server error in the write (and SQLite would keep it, cutting texts short).
    Only JSON bodies within the size limit are read here (uploads stream, and an oversized
    body gets the API's own 413)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        if (
            request.path.startswith("/api/")
            and request.method in ("POST", "PUT", "PATCH")
            and request.content_type == "application/json"
        ):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if (limit is None or length <= limit) and b"\\u0000" in request.body:
                try:
                    field = nul_field(json.loads(request.body))
                except ValueError:
                    field = None  # not JSON: the API says so itself
                if field is not None:
                    return JsonResponse(
                        {"errors": [{"field": field, "message": NUL_MESSAGE}]}, status=422
                    )
        return self.get_response(request)
