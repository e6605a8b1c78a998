"""GET /api/v1/policy and /api/v1/policy/first-response (issue: foundation, point 6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from supportdesk.policy import load_policy

URL = "/api/v1/policy/first-response"
GOOD = {
    "program": "basic",
    "severity": "2",
    "opened_at": "2026-12-23T19:00",
    "timezone": "Europe/Prague",
    "country": "CZ",
}


def get(client: Client, **params: Any) -> tuple[int, Any]:
    response = client.get(URL, {**GOOD, **params})
    return response.status_code, response.json()


def test_policy_in_force_is_the_policy_file_as_json(client: Client) -> None:
    response = client.get("/api/v1/policy")
    assert response.status_code == 200
    assert response.json() == load_policy().to_dict()


def test_first_response_same_fields_as_the_cli(client: Client) -> None:
    status, data = get(client)
    assert status == 200
    # Wednesday 19:00: one hour, then 24-26 Dec (holidays) and the weekend, 7 h on Monday
    assert data["due_at"] == "2026-12-28T15:00:00+01:00"
    assert data["target_minutes"] == 480
    assert data["clock"] == "business_hours"
    assert data["segments"] is None


def test_first_response_explain(client: Client) -> None:
    status, data = get(client, explain="true")
    assert status == 200
    holidays = [(s["date"], s["name"]) for s in data["segments"] if s["kind"] == "holiday"]
    assert holidays == [("2026-12-24", "Christmas Eve"), ("2026-12-25", "Christmas Day")]


def test_no_target(client: Client) -> None:
    status, data = get(client, program="free")
    assert status == 200
    assert (data["due_at"], data["target_minutes"], data["clock"]) == (None, None, "none")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"program": "gold"}, "program"),
        ({"severity": "x"}, "severity"),
        ({"severity": "9"}, "severity"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"country": "XX"}, "country"),
        ({"opened_at": "yesterday"}, "opened_at"),
        ({"subdivision": "QQ"}, "subdivision"),
        ({"case_kind": "complaint"}, "case_kind"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: Client, params: dict[str, str], field: str
) -> None:
    status, data = get(client, **params)
    assert status == 422
    assert [e["field"] for e in data["errors"]] == [field]


def test_missing_fields_are_all_named(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"program", "severity", "opened_at", "timezone", "country"}


def test_openapi_documents_the_policy_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/policy" in paths
    params = {p["name"] for p in paths["/api/v1/policy/first-response"]["get"]["parameters"]}
    assert {"program", "severity", "opened_at", "timezone", "country", "subdivision"} <= params
