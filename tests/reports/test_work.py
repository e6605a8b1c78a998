"""The reports on working a case (supportdesk.reports.work) over the seeded dataset: the 600
cases of tests/reports/known.py with contact attempts, closures for want of an answer (R-29),
resolutions (R-30, R-31), escalations (R-21, R-32) and routing (R-20) drawn for them by
``generate_work``, which tallies what each report must answer. Then the page, the CSV and the
JSON of each."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from supportdesk.accounts.models import User
from supportdesk.audit.models import AuditEvent
from supportdesk.cases.models import Case, ContactAttempt, ManagerRequest, Resolution
from supportdesk.reports import work
from supportdesk.reports.dataset import WorkAnswers, WorkCase, generate_work
from supportdesk.reports.selectors import Filters, Period
from supportdesk.routing.models import CaseAssignment
from tests.accounts.factories import StaffFactory
from tests.api.calls import call, error
from tests.reports.known import AT, PERIOD, VIEWER, Known, known_dataset

pytestmark = pytest.mark.django_db

#: holds every record the generator makes (all are made before AT, 6 April)
WHOLE = Period.of_days(date(2026, 2, 20), date(2026, 4, 30), VIEWER)


@pytest.fixture(scope="module")
def shared_work(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[tuple[Known, WorkAnswers]]:
    with django_db_blocker.unblock(), transaction.atomic():
        known = known_dataset()
        engineer = StaffFactory.create()
        cases = [
            WorkCase(pk, opened, language, status, closed)
            for pk, opened, language, status, closed in Case.objects.order_by("pk").values_list(
                "pk", "opened_at", "organization__language", "status", "closed_at"
            )
        ]
        answers = WorkAnswers()
        records = generate_work(
            seed=29, cases=cases, at=AT, by=engineer.pk, viewer_tz=VIEWER, answers=answers
        )
        ContactAttempt.objects.bulk_create(ContactAttempt(**r) for r in records.attempts)
        Resolution.objects.bulk_create(Resolution(**r) for r in records.resolutions)
        CaseAssignment.objects.bulk_create(CaseAssignment(**r) for r in records.assignments)
        ManagerRequest.objects.bulk_create(ManagerRequest(**r) for r in records.manager_requests)
        AuditEvent.objects.bulk_create(AuditEvent(**r) for r in records.audit_events)
        yield known, answers
        transaction.set_rollback(True)


@pytest.fixture
def answers(shared_work: tuple[Known, WorkAnswers], db: None) -> WorkAnswers:
    return shared_work[1]


def test_the_work_dataset_is_pinned(answers: WorkAnswers) -> None:
    assert sum(answers.unreachable_closures.values()) == 54
    assert sum(answers.attempts.values()) == 589
    assert sum(answers.resolutions.values()) == 219
    assert sum(answers.escalations.values()) == 116
    assert sum(answers.manager_requests.values()) == 62
    assert sum(answers.routing.values()) == 600


def test_contact_closures_per_day_and_attempts(answers: WorkAnswers) -> None:
    report = work.contact_closures(period=WHOLE, filters=Filters())
    assert report.total == sum(answers.unreachable_closures.values())
    assert {d.day: d.count for d in report.days if d.count} == dict(answers.unreachable_closures)
    assert report.all_closures == 250  # every closed case of the dataset
    assert report.share == round(100 * report.total / 250, 1)
    assert {b.key: b.count for b in report.attempts if b.count} == dict(answers.attempts)
    # the known period alone: its days only
    march = work.contact_closures(period=PERIOD, filters=Filters())
    assert march.total == sum(
        n for d, n in answers.unreachable_closures.items() if d <= date(2026, 3, 30)
    )
    premium = work.contact_closures(period=WHOLE, filters=Filters(program="premium"))
    premium_ids = set(Case.objects.filter(program="premium").values_list("pk", flat=True))
    expected = AuditEvent.objects.filter(action="case.close_unreachable").values_list(
        "target_id", flat=True
    )
    assert premium.total == sum(1 for t in expected if int(t) in premium_ids) > 0


def test_resolution_types(answers: WorkAnswers) -> None:
    report = work.resolutions(period=WHOLE, filters=Filters())
    assert {r.key: r.count for r in report.rows if r.count} == dict(answers.resolutions)
    assert {r.key: r.closed for r in report.rows if r.closed} == +answers.resolutions_closing
    assert {r.key: r.lowered for r in report.rows if r.lowered} == +answers.resolutions_lowering
    assert report.total == 219
    assert {b.key: b.count for b in report.out_of_scope if b.count} == dict(answers.out_of_scope)
    assert len(report.rows) == 6  # every type, in the policy's order
    assert report.rows[0].key == "software_fix"


def test_escalations(answers: WorkAnswers) -> None:
    report = work.escalations(period=WHOLE, filters=Filters())
    assert {b.key: b.count for b in report.tiers} == {
        "L2": answers.escalations["L2"],
        "L3": answers.escalations["L3"],
    }
    assert {b.key: b.count for b in report.manager_requests} == {
        "open": answers.manager_requests["open"],
        "answered": answers.manager_requests["answered"],
    }
    assert sum(t for _, t, _ in report.days) == report.tier_total == 116
    assert sum(m for _, _, m in report.days) == report.manager_total == 62


def test_language_routing(answers: WorkAnswers) -> None:
    report = work.language_routing(period=WHOLE, filters=Filters())
    got = Counter({(r.language, k): n for r in report.rows for k, n in r.counts.items() if n})
    assert got == answers.routing
    assert [r.language for r in report.rows] == ["de", "en", "ja", "pt"]
    en = next(r for r in report.rows if r.language == "en")
    assert en.counts["in_language"] == en.counts["english_fallback"] == 0
    inl = sum(n for (_, o), n in answers.routing.items() if o == "in_language")
    fb = sum(n for (_, o), n in answers.routing.items() if o == "english_fallback")
    assert report.in_language_percent == round(100 * inl / (inl + fb), 1)
    assert report.all.total == 600


URLS = ("contact-closures", "resolutions", "escalations", "language-routing")


@pytest.fixture
def manager(client: Client) -> User:
    user = StaffFactory.create(time_zone="America/New_York")
    client.force_login(user)
    return user


def test_page_csv_and_json(client: Client, manager: User, answers: WorkAnswers) -> None:
    query = "since=2026-02-20&until=2026-04-30"
    page = client.get(f"/reports/work/?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    for chart in ("contact-closures", "resolutions", "escalations", "language-routing"):
        assert f'id="chart-{chart}"' in html
    assert html.count("<table") == 4
    for name in URLS:
        response = client.get(f"/reports/{name}.csv?{query}")
        assert response.status_code == 200, name
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert len(rows) > 2, name
        status, body = call(client, "GET", f"/reports/{name}?{query}")
        assert status == 200, (name, body)
    _, body = call(client, "GET", f"/reports/resolutions?{query}")
    assert body["total"] == 219
    _, body = call(client, "GET", f"/reports/language-routing?{query}")
    assert body["all"]["total"] == 600
    status, body = call(client, "GET", f"/reports/escalations?{query}&program=gold")
    assert (status, body) == (
        422,
        error(
            "Unknown program 'gold' (one of: premium, production, basic, trial, free).", "program"
        ),
    )
