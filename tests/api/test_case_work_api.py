"""Working a case over HTTP (R-29 to R-35): contact attempts and a new case that follows a
closed one; errors name their field, a stale version answers 409."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from supportdesk.audit.models import AuditEvent
from supportdesk.cases.models import Case, ContactAttempt
from tests.accounts.factories import StaffFactory
from tests.api.calls import call, error
from tests.api.test_cases_api import BODY
from tests.cases.test_services import Customer, make_customer, open_case

pytestmark = pytest.mark.django_db

#: Monday 5 October 2026, 10:00 in Berlin (CEST)
MON = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def customer() -> Customer:
    return make_customer()


def attempt(client: Client, case: Case, version: int, **body: Any) -> tuple[int, Any]:
    payload = {"channel": "phone", "outcome": "no_answer", "expected_version": version, **body}
    return call(client, "POST", f"/cases/{case.number}/contact-attempts", payload)


def test_support_logs_attempts_and_the_customer_sees_the_count(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer)
    engineer = StaffFactory.create(username="erin")
    client.force_login(engineer)

    status, body = attempt(client, case, 1, made_at="2026-10-05T10:00:00+02:00", note="mobile")
    attempt(client, case, 2, made_at="2026-10-06T10:00:00+02:00", outcome="voicemail")
    attempt(client, case, 3, made_at="2026-10-06T16:00:00+02:00", outcome="busy")
    last_status, last = attempt(
        client, case, 4, made_at="2026-10-07T09:00:00+02:00", channel="email", outcome="no_reply"
    )

    assert (status, last_status) == (201, 201)
    assert body["count"] == 1
    client.force_login(customer.admin)
    status, seen = call(client, "GET", f"/cases/{case.number}/contact-attempts")
    assert status == 200
    assert seen == last
    ids = list(ContactAttempt.objects.order_by("made_at").values_list("pk", flat=True))
    assert seen == {
        "required": 3,
        "count": 3,
        "remaining": 0,
        "closable_from": "2026-10-07T22:00:00Z",
        "counting_since": None,
        "summary": "3 unanswered attempts on 3 different business days of the customer; the "
        "case may be closed from 2026-10-07T22:00:00+00:00 (R-29).",
        "attempts": [
            {
                "id": ids[0],
                "channel": "phone",
                "outcome": "no_answer",
                "note": "mobile",
                "made_by": "erin",
                "made_at": "2026-10-05T08:00:00Z",
                "local_date": "2026-10-05",
                "counted": True,
                "number": 1,
                "why": "attempt 1 of 3",
            },
            {
                "id": ids[1],
                "channel": "phone",
                "outcome": "voicemail",
                "note": "",
                "made_by": "erin",
                "made_at": "2026-10-06T08:00:00Z",
                "local_date": "2026-10-06",
                "counted": True,
                "number": 2,
                "why": "attempt 2 of 3",
            },
            {
                "id": ids[2],
                "channel": "phone",
                "outcome": "busy",
                "note": "",
                "made_by": "erin",
                "made_at": "2026-10-06T14:00:00Z",
                "local_date": "2026-10-06",
                "counted": False,
                "number": None,
                "why": "2026-10-06 already has an attempt",
            },
            {
                "id": ids[3],
                "channel": "email",
                "outcome": "no_reply",
                "note": "",
                "made_by": "erin",
                "made_at": "2026-10-07T07:00:00Z",
                "local_date": "2026-10-07",
                "counted": True,
                "number": 3,
                "why": "attempt 3 of 3",
            },
        ],
    }
    status, read = call(client, "GET", f"/cases/{case.number}")
    assert (read["status"], read["contact_closable_at"], read["version"]) == (
        "waiting_for_customer",
        "2026-10-07T22:00:00Z",
        5,
    )


def test_bad_attempts_name_their_field_and_change_nothing(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer)
    client.force_login(StaffFactory.create())
    before = AuditEvent.objects.count()

    assert attempt(client, case, 1, outcome="no_reply") == (
        422,
        error(
            "'no_reply' is not an outcome of phone (no_answer, voicemail, busy, reached)", "outcome"
        ),
    )
    status, body = attempt(client, case, 1, channel="fax")
    assert (status, [e["field"] for e in body["errors"]]) == (422, ["channel"])
    status, body = attempt(client, case, 1, made_at="2026-10-05T10:00:00")
    assert (status, [e["field"] for e in body["errors"]]) == (422, ["made_at"])
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert attempt(client, case, 1, made_at=future) == (
        422,
        error("An attempt is logged once it is made, not before.", "made_at"),
    )
    status, body = attempt(client, case, 7)
    assert status == 409
    assert body["errors"][0]["message"].startswith(f"Case {case.number} has changed since")
    assert ContactAttempt.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_a_new_case_follows_a_closed_one(client: Client, customer: Customer) -> None:
    old = open_case(customer)
    Case.objects.filter(pk=old.pk).update(status="closed", close_reason="No answer (R-29).")
    client.force_login(customer.admin)
    payload = {**BODY, "organization": customer.org.pk, "support_id": customer.sid.code}

    status, new = call(client, "POST", "/cases", {**payload, "follows": old.number})
    refused = call(client, "POST", "/cases", {**payload, "follows": new["number"]})
    status_old, read_old = call(client, "GET", f"/cases/{old.number}")
    assert status_old == 200

    assert (status, new["follows"]) == (201, old.number)
    assert refused == (
        422,
        error(
            f"{new['number']} is still open: comment on it rather than open a new case.",
            "follows",
        ),
    )
    assert (read_old["close_reason"], read_old["follows"]) == ("No answer (R-29).", None)


def test_the_openapi_document_has_the_contact_attempts(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    operations = paths["/api/v1/cases/{number}/contact-attempts"]
    assert set(operations) == {"get", "post"}
    assert operations["post"]["summary"] == "Log an attempt to reach the customer (support, R-29)"


# --- resolutions (R-30, R-31) ---------------------------------------------------------------------


def test_an_action_plan_over_http_and_its_milestone_reached(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer)
    client.force_login(StaffFactory.create(username="erin"))
    plan = {
        "type": "action_plan",
        "summary": "A fix in 12.2",
        "new_severity": 4,
        "milestones": [
            {"title": "Reproduced", "due_on": "2026-12-01"},
            {"title": "12.2 released", "due_on": "2027-01-15", "depends_on": "QA"},
        ],
        "expected_version": 1,
    }

    status, body = call(client, "POST", f"/cases/{case.number}/resolutions", plan)

    assert status == 201, body
    milestones = body.pop("milestones")
    assert body == {
        "id": body["id"],
        "type": "action_plan",
        "summary": "A fix in 12.2",
        "out_of_scope_reason": "",
        "explanation": "An action plan, its milestones tracked and communicated (R-30). "
        "Severity 3 → 4.",
        "status_before": "new",
        "status_after": "in_progress",
        "severity_before": 3,
        "severity_after": 4,
        "by": "erin",
        "at": body["at"],
    }
    assert [(m["position"], m["title"], m["due_on"], m["depends_on"]) for m in milestones] == [
        (1, "Reproduced", "2026-12-01", ""),
        (2, "12.2 released", "2027-01-15", "QA"),
    ]
    done_status, done = call(
        client,
        "POST",
        f"/cases/{case.number}/milestones/{milestones[0]['id']}/done",
        {"expected_version": 2},
    )
    assert (done_status, done["title"], done["done_at"] is not None) == (200, "Reproduced", True)
    client.force_login(customer.admin)
    status, listed = call(client, "GET", f"/cases/{case.number}/resolutions")
    assert status == 200
    assert [m["done_at"] is not None for m in listed[0]["milestones"]] == [True, False]
    missing = f"/cases/{case.number}/milestones/999999/done"
    assert call(client, "POST", missing, {"expected_version": 3})[0] == 404


def test_bad_resolutions_over_http_name_their_field(client: Client, customer: Customer) -> None:
    case = open_case(customer)
    client.force_login(StaffFactory.create())
    path = f"/cases/{case.number}/resolutions"
    base = {"summary": "x", "expected_version": 1}

    status, body = call(
        client,
        "POST",
        path,
        {**base, "type": "action_plan", "milestones": [{"title": "a", "due_on": "soon"}]},
    )
    assert (status, [e["field"] for e in body["errors"]]) == (422, ["milestones.0.due_on"])
    assert call(client, "POST", path, {**base, "type": "temporary_workaround"}) == (
        422,
        error(
            "a temporary workaround lowers the severity: give the new one (R-30)", "new_severity"
        ),
    )
    status, body = call(client, "POST", path, {**base, "type": "closed"})
    assert (status, [e["field"] for e in body["errors"]]) == (422, ["type"])
    assert Case.objects.get(pk=case.pk).version == 1


# --- talk to a manager, feature requests, third parties, diagnostics (R-27, R-32, R-33, R-35) -----


def test_talk_to_a_manager_over_http(client: Client, customer: Customer) -> None:
    case = open_case(customer)
    manager = StaffFactory.create(username="mia", staff_role="support_manager")
    client.force_login(customer.admin)

    status, made = call(
        client, "POST", f"/cases/{case.number}/manager-requests", {"reason": "No news"}
    )
    assert (status, made["status"], made["case"], made["requested_by"]) == (
        201,
        "open",
        case.number,
        customer.admin.username,
    )
    assert call(client, "GET", "/manager-requests") == (200, [])
    client.force_login(manager)
    status, queue = call(client, "GET", "/manager-requests")
    assert (status, [r["id"] for r in queue]) == (200, [made["id"]])
    status, answered = call(
        client,
        "POST",
        f"/cases/{case.number}/manager-requests/{made['id']}/answer",
        {"answer": "Sorry: a senior engineer takes over.", "resources_adjusted": "senior"},
    )
    assert (status, answered["status"], answered["answered_by"]) == (200, "answered", "mia")
    assert call(client, "GET", "/manager-requests") == (200, [])
    assert call(
        client,
        "POST",
        f"/cases/{case.number}/manager-requests/{made['id']}/answer",
        {"answer": "x"},
    ) == (422, error("This request is answered already.", "answer"))


def test_feature_requests_third_parties_and_diagnostics_over_http(
    client: Client, customer: Customer
) -> None:
    case = open_case(customer)
    Case.objects.filter(pk=case.pk).update(status="in_progress")
    client.force_login(StaffFactory.create(username="erin"))
    base = f"/cases/{case.number}"

    status, feature = call(
        client,
        "POST",
        f"{base}/feature-requests",
        {"title": "Parquet", "wanted_behaviour": "Export Parquet", "use_case": "Data lake"},
    )
    assert (status, feature["title"], feature["filed_by"]) == (201, "Parquet", "erin")
    status, referral = call(
        client,
        "POST",
        f"{base}/third-party",
        {"vendor": "Storage Inc.", "action": "tsanet", "reference": "TSA-1", "expected_version": 1},
    )
    assert (status, referral["action"], referral["reference"]) == (201, "tsanet", "TSA-1")
    assert call(client, "GET", base)[1]["status"] == "waiting_for_third_party"
    status, body = call(
        client,
        "POST",
        f"{base}/third-party",
        {"vendor": "X", "action": "fax", "expected_version": 2},
    )
    assert (status, [e["field"] for e in body["errors"]]) == (422, ["action"])
    Case.objects.filter(pk=case.pk).update(status="in_progress")
    status, diag = call(
        client,
        "POST",
        f"{base}/diagnostics",
        {
            "kind": "remote_session",
            "what": "Check the proxy",
            "session_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
            "expected_version": 2,
        },
    )
    assert (status, diag["kind"], diag["fulfilled_at"]) == (201, "remote_session", None)
    status, done = call(
        client, "POST", f"{base}/diagnostics/{diag['id']}/fulfil", {"findings": "TLS 1.3 dropped"}
    )
    assert (status, done["findings"]) == (200, "TLS 1.3 dropped")
    client.force_login(customer.admin)
    for path, count in (("feature-requests", 1), ("third-party", 1), ("diagnostics", 1)):
        status, listed = call(client, "GET", f"{base}/{path}")
        assert (path, status, len(listed)) == (path, 200, count)
