"""The reports API: bad input answers 422 naming the field; times come in the caller's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from supportdesk.accounts.models import User
from tests.accounts.factories import StaffFactory
from tests.api.calls import call, error
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> User:
    user = StaffFactory.create(time_zone="Asia/Tokyo")
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since=2026-13-01", "since", "Not a date: '2026-13-01' (use YYYY-MM-DD)."),
        ("until=yesterday", "until", "Not a date: 'yesterday' (use YYYY-MM-DD)."),
        ("since=2026-06-02&until=2026-06-01", "since",
         "The period starts after it ends (since > until)."),
        ("since=2025-01-01&until=2026-06-01", "until", "A period spans at most 400 days."),
        ("tz=Mars/Olympus", "tz", "Unknown time zone: 'Mars/Olympus'."),
        ("tz=" + "a" * 300, "tz", f"Unknown time zone: '{'a' * 300}'."),
        ("tz=posixrules", "tz", "Unknown time zone: 'posixrules'."),
        ("by=colour", "by",
         "Unknown dimension 'colour' (one of: program, severity, product, region, language, "
         "kind, queue)."),
        ("severity=9", "severity", "Unknown severity 9 (1 to 4)."),
        ("severity=high", "severity", "Not a whole number: 'high'."),
        ("program=gold", "program",
         "Unknown program 'gold' (one of: premium, production, basic, trial, free)."),
        ("region=mars", "region", "Unknown region 'mars' (one of: us, canada, emea, apac, latam)."),
        ("kind=rant", "kind",
         "Unknown case kind 'rant' (one of: technical, licensing, general_inquiry, "
         "feature_request)."),
        ("product=x", "product", "Not a whole number: 'x'."),
        ("product=99999999999999999999", "product", "No such product: 99999999999999999999."),
        ("severity=-1", "severity", "No such severity: -1."),
        ("until=0001-01-05", "until", "Give a date between the years 1900 and 2199."),
        ("since=9999-12-31", "since", "Give a date between the years 1900 and 2199."),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(
    client: Client, staff: User, query: str, field: str, message: str
) -> None:
    status, body = call(client, "GET", f"/reports/sla?{query}")
    assert (status, body) == (422, error(message, field))


def test_days_and_times_in_the_callers_zone(client: Client, staff: User) -> None:
    # 1 June 2026 23:30 UTC is 2 June 08:30 in Tokyo
    opened = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    CaseFactory.create(
        opened_at=opened,
        first_response_due_at=opened + timedelta(hours=1),
        first_responded_at=opened + timedelta(hours=3),
        first_response_late_by=timedelta(hours=2),
    )
    status, body = call(client, "GET", "/reports/flow?since=2026-06-01&until=2026-06-02")
    assert status == 200
    assert body["period"] == {
        "since": "2026-06-01",
        "until": "2026-06-02",
        "time_zone": "Asia/Tokyo",
        "start": "2026-06-01T00:00:00+09:00",
        "end": "2026-06-03T00:00:00+09:00",
    }
    assert [(d["day"], d["arrivals"]) for d in body["days"]] == [
        ("2026-06-01", 0),
        ("2026-06-02", 1),
    ]
    status, body = call(client, "GET", "/reports/sla/breaches?since=2026-06-02&until=2026-06-02")
    assert (status, body["total"]) == (200, 1)
    assert body["worst"][0]["due_at"] == "2026-06-02T09:30:00+09:00"
    assert body["worst"][0]["late_minutes"] == 120.0
    status, body = call(client, "GET", "/reports/flow?since=2026-06-02&until=2026-06-02&tz=UTC")
    assert [(d["day"], d["arrivals"]) for d in body["days"]] == [("2026-06-02", 0)]
