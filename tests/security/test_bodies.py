"""Oversized and deeply nested bodies get a fast 413/400 naming the problem, and change
nothing; the nesting scan itself."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import Settings

from supportdesk.api.parser import MAX_DEPTH, nesting_depth
from supportdesk.audit.models import AuditEvent
from tests.accounts.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db


def _post(client: Client, body: bytes) -> tuple[int, dict]:
    ApiTokenFactory.create(secret="sdt_caller")
    response = client.post(
        "/api/v1/tokens",
        data=body,
        content_type="application/json",
        headers={"Authorization": "Bearer sdt_caller"},
    )
    return response.status_code, response.json()


def test_a_body_over_the_limit_is_413(client: Client, settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    status, body = _post(client, b'{"name": "' + b"x" * 2000 + b'"}')

    assert status == 413
    assert body == {
        "errors": [
            {
                "field": None,
                "message": "The request body is larger than the 1000 bytes this endpoint accepts.",
            }
        ]
    }
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_a_deeply_nested_body_is_400(client: Client, depth: int) -> None:
    status, body = _post(client, b'{"name": ' + b"[" * depth + b"]" * depth + b"}")

    assert status == 400
    assert body == {"errors": [{"field": None, "message": "Cannot parse request body"}]}
    assert not AuditEvent.objects.exists()


def test_not_json_is_400(client: Client) -> None:
    assert _post(client, b"\xff\xfe{")[0] == 400


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b"{}", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'{"a": "[[[[[[[[[["}', 1),  # brackets in strings do not count
        (b'{"a": "\\"[[[["}', 1),  # nor after an escaped quote
        (b"[" * 70 + b"]" * 70, MAX_DEPTH + 1),  # stops counting past the limit
    ],
)
def test_nesting_depth(text: bytes, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_a_nul_character_in_a_text_is_422_naming_the_field(client: Client) -> None:
    """PostgreSQL cannot store U+0000: refused before any write, whichever the endpoint."""
    status, body = _post(client, b'{"name": "job\\u0000log"}')

    assert status == 422
    assert body == {
        "errors": [
            {"field": "name", "message": "Holds a NUL character (U+0000), which no text may hold."}
        ]
    }
    assert not AuditEvent.objects.exists()
    written_out = client.post(  # a backslash and "u0000" are text, not the character
        "/api/v1/tokens",
        data=b'{"name": "job \\\\u0000 written out"}',
        content_type="application/json",
        headers={"Authorization": "Bearer sdt_caller"},
    )
    assert written_out.status_code == 201


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"note": "a\x00b"}, "note"),
        ({"lines": [{"count": 1}, {"name": "\x00"}]}, "lines.1.name"),
        ({"ok": "fine", "nested": {"a\x00": 1}}, "nested.a\x00"),
        ({"ok": "fine", "list": ["\x00"]}, "list.0"),
        ({"ok": ["fine", {"deep": "x"}]}, None),
    ],
)
def test_nul_field_names_where(value: object, field: str | None) -> None:
    from supportdesk.api.parser import nul_field

    assert nul_field(value) == field
