"""Cases over HTTP: open (idempotent), list with filters, read in the reader's time zone,
comments, severity, transitions, and the 409 of a stale version."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from supportdesk.audit.models import AuditEvent
from supportdesk.cases.models import Case, Comment
from tests.accounts.factories import StaffFactory, member
from tests.api.calls import API, call, error
from tests.cases.factories import CaseFactory
from tests.cases.test_services import Customer, make_customer

pytestmark = pytest.mark.django_db

BODY = {
    "kind": "technical",
    "subject": "Backups fail",
    "description": "Every job fails.",
    "proposed_severity": 2,
    "contact_email": "ops@acme.example",
    "product_version": "12.1",
    "business_impact": "No backups.",
    "contact_phone": "+49 30 1234567",
    "preferred_contact": "phone",
}


@pytest.fixture
def customer() -> Customer:
    return make_customer()


def post_case(client: Client, customer: Customer, key: str = "", **body: Any) -> tuple[int, Any]:
    payload = {**BODY, "organization": customer.org.pk, "support_id": customer.sid.code, **body}
    headers = {"Idempotency-Key": key} if key else {}
    response = client.post(
        f"{API}/cases", data=json.dumps(payload), content_type="application/json", headers=headers
    )
    return response.status_code, response.json()


def test_open_then_retry_with_the_same_key(client: Client, customer: Customer) -> None:
    customer.admin.time_zone = "Asia/Tokyo"
    customer.admin.save(update_fields=["time_zone"])
    client.force_login(customer.admin)
    before = datetime.now(UTC)

    status, case = post_case(client, customer, key="submit-1")
    again, same = post_case(client, customer, key="submit-1")

    assert (status, again, same) == (201, 201, case)
    assert Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="case.open").count() == 1
    assert case["number"].startswith(f"C-{before.year}-")
    assert (case["status"], case["version"], case["severity"], case["support_id"]) == (
        "new",
        1,
        2,
        customer.sid.code,
    )
    assert case["next_statuses"] == ["closed"]
    first = case["first_response"]
    due = datetime.fromisoformat(first["due_at"])
    assert due.utcoffset() == timedelta(hours=9)  # the reader's zone, not the customer's
    assert before + timedelta(hours=3) <= due <= datetime.now(UTC) + timedelta(hours=3)
    assert first["due_text"] == f"First response due by {due:%a %d %b %Y %H:%M} JST (your time)"
    assert (first["clock"], first["target_minutes"], first["program"], first["breached"]) == (
        "24x7",
        180,
        "production",
        False,
    )
    assert first["reasons"][0].startswith("Production, Severity 2: first response within 3 hours")


def test_a_refused_open_names_the_field_and_creates_nothing(
    client: Client, customer: Customer
) -> None:
    client.force_login(customer.admin)

    status, body = post_case(client, customer, product_version="9.5")
    bad_phone, phone_body = post_case(client, customer, contact_phone="12")

    assert status == 422
    assert [e["field"] for e in body["errors"]] == ["product_version"]
    assert "End of Support" in body["errors"][0]["message"]
    assert (bad_phone, phone_body) == (
        422,
        error("'12' is not a valid phone number (such as +49 30 1234567).", "contact_phone"),
    )
    assert Case.objects.count() == 0


def test_list_filters_and_pages(client: Client) -> None:
    staff = StaffFactory.create()
    client.force_login(staff)
    at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    a = CaseFactory.create(severity=1, program="premium", opened_at=at)
    b = CaseFactory.create(
        severity=3, status="in_progress", opened_at=at + timedelta(days=1),
        first_responded_at=at + timedelta(days=2), first_response_late_by=timedelta(hours=1),
    )  # fmt: skip
    c = CaseFactory.create(
        severity=3, program="basic", opened_at=at + timedelta(days=2),
        first_response_due_at=datetime.now(UTC) + timedelta(hours=1),
    )  # fmt: skip

    def numbers(query: str) -> list[str]:
        status, body = call(client, "GET", f"/cases?{query}")
        assert status == 200, body
        return [item["number"] for item in body["items"]]

    assert numbers("") == [c.number, b.number, a.number]
    assert numbers("severity=3") == [c.number, b.number]
    assert numbers("status=in_progress") == [b.number]
    assert numbers("program=premium") == [a.number]
    # b was answered late; a is unanswered past its due time; c is not due yet
    assert numbers("breached=true") == [b.number, a.number]
    assert numbers("breached=false") == [c.number]
    assert numbers(f"organization={a.organization_id}") == [a.number]
    assert numbers("opened_after=2026-06-02T09:00:00Z") == [c.number, b.number]
    assert numbers("opened_before=2026-06-02T09:00:00Z") == [a.number]
    assert numbers("page_size=1&page=2") == [b.number]


def test_internal_comments_are_never_shown_to_customers(client: Client) -> None:
    case = CaseFactory.create()
    admin = member(case.organization, "case_admin")
    staff = StaffFactory.create()
    client.force_login(staff)
    call(client, "POST", f"/cases/{case.number}/comments",
         {"body": "note to self", "internal": True, "expected_version": 1})  # fmt: skip
    call(client, "POST", f"/cases/{case.number}/comments",
         {"body": "Hello", "expected_version": 2})  # fmt: skip

    _, for_staff = call(client, "GET", f"/cases/{case.number}/comments")
    client.force_login(admin)
    _, for_customer = call(client, "GET", f"/cases/{case.number}/comments")

    assert [c["body"] for c in for_staff] == ["note to self", "Hello"]
    assert [c["body"] for c in for_customer] == ["Hello"]


def test_a_stale_version_is_a_409_and_changes_nothing(client: Client) -> None:
    case = CaseFactory.create(version=4)
    client.force_login(StaffFactory.create())

    status, body = call(
        client, "POST", f"/cases/{case.number}/transitions",
        {"status": "in_progress", "expected_version": 3},
    )  # fmt: skip

    assert (status, body) == (
        409,
        error(
            f"Case {case.number} has changed since you read it (you read version 3, it is now "
            "at version 4): reload it and try again."
        ),
    )
    case.refresh_from_db()
    assert (case.status, case.version, AuditEvent.objects.count()) == ("new", 4, 0)


def test_a_move_the_table_does_not_list_is_a_422_naming_status(client: Client) -> None:
    case = CaseFactory.create()
    client.force_login(StaffFactory.create())

    status, body = call(
        client, "POST", f"/cases/{case.number}/transitions",
        {"status": "waiting_for_third_party", "expected_version": 1},
    )  # fmt: skip

    assert (status, body) == (
        422,
        error(
            "a case cannot go from new to waiting_for_third_party (from new, engineer may go to: "
            "in_progress, waiting_for_customer, resolved, closed)",
            "status",
        ),
    )


def test_severity_request_then_agreement(client: Client) -> None:
    case = CaseFactory.create()
    admin = member(case.organization, "license_admin")
    client.force_login(admin)
    status, requested = call(client, "POST", f"/cases/{case.number}/severity-requests",
                             {"severity": 1, "reason": "down", "expected_version": 1})  # fmt: skip
    client.force_login(StaffFactory.create(username="eve"))
    _, agreed = call(client, "POST", f"/cases/{case.number}/severity",
                     {"severity": 1, "reason": "agreed", "expected_version": 2})  # fmt: skip
    _, history = call(client, "GET", f"/cases/{case.number}/severity-changes")

    assert (status, requested["requested_severity"], requested["severity"]) == (200, 1, 3)
    assert (agreed["severity"], agreed["requested_severity"], agreed["version"]) == (1, None, 3)
    assert agreed["first_response"]["target_minutes"] == 60
    assert [(h["kind"], h["from_severity"], h["to_severity"], h["by"]) for h in history] == [
        ("requested", 3, 1, admin.username),
        ("agreed", 3, 1, "eve"),
    ]
    assert Comment.objects.count() == 0


def test_the_cases_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]

    tagged = {
        path
        for path, operations in paths.items()
        if any("cases" in operation.get("tags", []) for operation in operations.values())
    }
    assert {p for p in tagged if p.startswith("/api/v1/cases")} == {
        "/api/v1/cases",
        "/api/v1/cases/{number}",
        "/api/v1/cases/{number}/comments",
        "/api/v1/cases/{number}/transitions",
        "/api/v1/cases/{number}/severity-changes",
        "/api/v1/cases/{number}/severity-requests",
        "/api/v1/cases/{number}/severity",
        "/api/v1/cases/{number}/technical-contact",
    }
    parameters = paths["/api/v1/cases"]["post"]["parameters"]
    assert [(p["name"], p["in"]) for p in parameters] == [("Idempotency-Key", "header")]
