"""Satisfaction (R-34) over hand-made surveys: exact response rates and means per program and
per month of the viewer, the comments newest first, formula cells neutralised in the CSV, and
for support managers only. Runs where the surveys app is installed; without it, the report says
it is missing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.test import Client

from supportdesk.accounts.choices import StaffRole
from supportdesk.accounts.models import User
from supportdesk.reports import satisfaction
from supportdesk.reports.selectors import Filters, Period
from tests.accounts.factories import StaffFactory
from tests.api.calls import call, error
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db
INSTALLED = apps.is_installed("supportdesk.surveys")
needs_surveys = pytest.mark.skipif(not INSTALLED, reason="the surveys app is not installed")

TOKYO = ZoneInfo("Asia/Tokyo")
PERIOD = Period.of_days(date(2026, 6, 1), date(2026, 7, 31), TOKYO)
SENT = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def _survey(n: int, program: str, sent: datetime, answers: dict[str, Any] | None) -> Any:
    model = satisfaction.survey_model()
    assert model is not None
    case = CaseFactory.create(program=program, status="closed", number=f"C-2026-{n:06d}")
    fields: dict[str, Any] = {
        "case": case,
        "recipient_email": case.contact_email,
        "token_digest": f"{n:064x}",
        "created_at": sent,
        "expires_at": sent + timedelta(days=30),
    }
    if answers is not None:
        fields.update(answered_at=sent + timedelta(hours=n), **answers)
    return model._default_manager.create(**fields)


def _scores(r: int, p: int, k: int, o: int, comment: str = "") -> dict[str, Any]:
    return {
        "resolution": r,
        "professionalism": p,
        "knowledge": k,
        "overall": o,
        "comment": comment,
    }


@pytest.fixture
def surveys() -> None:
    _survey(1, "premium", SENT, _scores(5, 5, 4, 5, "Quick and right."))
    _survey(2, "premium", SENT, _scores(3, 4, 4, 2, '=HYPERLINK("http://evil")'))
    _survey(3, "premium", SENT, None)  # not answered
    _survey(4, "basic", SENT, _scores(4, 4, 5, 4))
    # 30 June 16:00 UTC is 1 July 01:00 in Tokyo: July for the viewer
    _survey(5, "basic", datetime(2026, 6, 30, 16, 0, tzinfo=UTC), None)
    _survey(6, "basic", PERIOD.end, _scores(1, 1, 1, 1, "outside"))  # sent after the period


@needs_surveys
def test_by_program(surveys: None) -> None:
    report = satisfaction.satisfaction(period=PERIOD, by="program", filters=Filters())
    assert [(r.key, r.sent, r.answered, r.response_rate, r.means) for r in report.rows] == [
        (
            "basic",
            2,
            1,
            50.0,
            {"resolution": 4.0, "professionalism": 4.0, "knowledge": 5.0, "overall": 4.0},
        ),
        (
            "premium",
            3,
            2,
            66.7,
            {"resolution": 4.0, "professionalism": 4.5, "knowledge": 4.0, "overall": 3.5},
        ),
    ]
    assert (report.all.sent, report.all.answered, report.all.response_rate) == (5, 3, 60.0)
    assert report.all.means == {
        "resolution": 4.0,
        "professionalism": 4.33,
        "knowledge": 4.33,
        "overall": 3.67,
    }
    assert report.comment_count == 2
    assert [(c.case, c.overall, c.text) for c in report.comments] == [
        ("C-2026-000002", 2, '=HYPERLINK("http://evil")'),  # answered later: first
        ("C-2026-000001", 5, "Quick and right."),
    ]
    premium = satisfaction.satisfaction(
        period=PERIOD, by="program", filters=Filters(program="premium")
    )
    assert premium.all.sent == 3


@needs_surveys
def test_by_the_viewers_month(surveys: None) -> None:
    report = satisfaction.satisfaction(period=PERIOD, by="month", filters=Filters())
    assert [(r.label, r.sent, r.answered) for r in report.rows] == [
        ("2026-06", 4, 3),
        ("2026-07", 1, 0),
    ]


@needs_surveys
def test_by_engineer_and_by_queue_the_cases_at_closing_by_name(surveys: None) -> None:
    from supportdesk.cases.models import Case
    from tests.routing.factories import QueueFactory

    ada = StaffFactory.create(first_name="Ada", last_name="Novak", username="ada")
    bob = StaffFactory.create(first_name="", last_name="", username="bob")
    de, fr = QueueFactory.create(name="L1 German"), QueueFactory.create(name="L1 French")
    # surveys 1 and 2 (premium, answered: overall 5 and 2) were Ada's in the German queue,
    # 3 (premium, unanswered) Bob's in the French one, 4 and 5 (basic) nobody's and no queue
    Case.objects.filter(number__in=["C-2026-000001", "C-2026-000002"]).update(
        assignee=ada, queue=de
    )
    Case.objects.filter(number="C-2026-000003").update(assignee=bob, queue=fr)
    by_engineer = satisfaction.satisfaction(period=PERIOD, by="engineer", filters=Filters())
    rows = sorted((r.label, r.sent, r.answered, r.means["overall"]) for r in by_engineer.rows)
    assert rows == [("Ada Novak", 2, 2, 3.5), ("Nobody assigned", 2, 1, 4.0), ("bob", 1, 0, None)]
    assert {r.key for r in by_engineer.rows} == {str(ada.pk), str(bob.pk), "None"}
    by_queue = satisfaction.satisfaction(period=PERIOD, by="queue", filters=Filters())
    rows = sorted((r.label, r.sent, r.answered, r.response_rate) for r in by_queue.rows)
    assert rows == [("L1 French", 1, 0, 0.0), ("L1 German", 2, 2, 100.0), ("No queue", 2, 1, 50.0)]
    assert by_queue.all.sent == by_engineer.all.sent == 5


@pytest.fixture
def manager(client: Client) -> User:
    user = StaffFactory.create(staff_role=StaffRole.SUPPORT_MANAGER, time_zone="Asia/Tokyo")
    client.force_login(user)
    return user


@needs_surveys
def test_api_page_and_csv(client: Client, manager: User, surveys: None) -> None:
    query = "since=2026-06-01&until=2026-07-31"
    status, body = call(client, "GET", f"/reports/satisfaction?{query}&by=month")
    assert status == 200
    assert [(r["label"], r["sent"]) for r in body["rows"]] == [("2026-06", 4), ("2026-07", 1)]
    assert body["comments"][0]["answered_at"] == "2026-06-10T20:00:00+09:00"
    page = client.get(f"/reports/satisfaction/?{query}")
    assert page.status_code == 200
    assert "60.0 % answered (3 of 5 surveys sent)" in page.content.decode()
    response = client.get(f"/reports/comments.csv?{query}")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == [
        "C-2026-000002",
        "2026-06-10T20:00:00+09:00",
        "2",
        '\'=HYPERLINK("http://evil")',
    ]


@needs_surveys
def test_engineers_do_not_read_satisfaction(client: Client, surveys: None) -> None:
    client.force_login(StaffFactory.create())
    status, body = call(client, "GET", "/reports/satisfaction")
    assert (status, body) == (
        403,
        error("Only support managers read the satisfaction reports (R-34)."),
    )
    assert client.get("/reports/satisfaction/").status_code == 403
    assert client.get("/reports/comments.csv").status_code == 403


@pytest.mark.skipif(INSTALLED, reason="the surveys app is installed")
def test_without_surveys_the_report_says_so(client: Client, manager: User) -> None:
    status, body = call(client, "GET", "/reports/satisfaction")
    assert (status, body) == (
        404,
        error("Satisfaction surveys are not part of this installation yet (R-34)."),
    )
    assert client.get("/reports/satisfaction/").status_code == 404
