"""Calling the API from tests: JSON in, status and JSON out."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

API = "/api/v1"


def call(
    client: Client, method: str, path: str, body: Any = None, *, token: str | None = None
) -> tuple[int, Any]:
    """``method`` ``/api/v1<path>`` with a JSON body; (status, parsed JSON or None)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    send = getattr(client, method.lower())
    if method.upper() in ("GET", "HEAD"):
        response = send(API + path, headers=headers)
    else:
        data = "" if body is None else json.dumps(body)  # no body at all, as curl sends it
        response = send(API + path, data=data, content_type="application/json", headers=headers)
    content = response.content
    return response.status_code, (json.loads(content) if content else None)


def error(message: str, field: str | None = None) -> dict[str, Any]:
    return {"errors": [{"field": field, "message": message}]}
