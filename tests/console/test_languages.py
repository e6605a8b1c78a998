"""The console in the engineer's language (issue 7 point 4): every page and partial in Czech
for a Czech engineer, English for an English one; the live countdown's words come from the
page; the language picker is there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from supportdesk.cases.models import Case
from tests.accounts.factories import EngineerFactory, OrganizationFactory
from tests.cases.factories import CaseFactory, ManagerRequestFactory
from tests.routing.factories import EngineerProfileFactory, QueueFactory

pytestmark = pytest.mark.django_db

#: English words of the console's own texts that a Czech page must not show
ENGLISH = ("My cases", "Team queue", "Ordered by first-response", "Take it", "Hand over",
           "Log a contact attempt", "Timeline (your time", "Breached: unanswered",
           "Load per queue", "No open requests", "Knowledge base", "Sign out")  # fmt: skip


def _client(language: str, role: str = "engineer") -> tuple[Client, Case]:
    queue = QueueFactory.create(code=f"l1-{language}")
    user = EngineerFactory.create(language=language, time_zone="Europe/Prague")
    if role == "support_manager":
        user.staff_role = "support_manager"
        user.save(update_fields=["staff_role"])
    EngineerProfileFactory.create(user=user, queues=[queue])
    case = CaseFactory.create(
        organization=OrganizationFactory.create(),
        queue=queue,
        severity=1,
        round_the_clock=True,
        first_response_due_at=timezone.now() + timedelta(minutes=30),
    )
    ManagerRequestFactory.create(case=case)
    client = Client()
    client.force_login(user)
    return client, case


@pytest.mark.parametrize("role", ["engineer", "support_manager"])
def test_every_console_page_is_in_czech_for_a_czech_engineer(role: str) -> None:
    client, case = _client("cs", role)
    pages = ["/console/", "/console/queue/", f"/console/cases/{case.number}/", "/console/kb/",
             "/console/kb/new/"]  # fmt: skip
    if role == "support_manager":
        pages.append("/console/manager/")
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="cs">' in html, url
        assert 'data-countdown-in="za %s"' in html, url
        assert 'data-countdown-overdue="po termínu o %s"' in html, url
        assert "Moje případy" in html, url
        for english in ENGLISH:
            assert english not in html, (url, english)
    case_page = client.get(f"/console/cases/{case.number}/").content.decode()
    assert "Zaznamenat pokus o kontakt (R-29)" in case_page
    # the models' choice labels too, where the page shows them
    assert ">Telefonát</option>" in case_page
    assert ">Zákazník zastižen</option>" in case_page
    assert "Phone call" not in case_page
    assert "za 29 min" in case_page or "za 30 min" in case_page
    rows = client.get("/console/queue/", headers={"HX-Request": "true", "HX-Target": "queue-rows"})
    assert case.number in rows.content.decode()
    assert "za " in rows.content.decode()


def test_the_console_stays_english_for_an_english_engineer() -> None:
    client, case = _client("en")
    html = client.get(f"/console/cases/{case.number}/").content.decode()
    assert '<html lang="en">' in html
    assert "Log a contact attempt (R-29)" in html
    assert 'data-countdown-in="in %s"' in html
    assert 'name="language"' in html  # the picker


def test_a_refused_hand_over_says_why_in_the_engineers_language() -> None:
    client, case = _client("cs")
    answer = client.post(
        f"/console/cases/{case.number}/assign/",
        {"expected_version": case.version, "assignee": 987654},
    )
    assert answer.status_code == 422
    assert "Takový technik podpory neexistuje." in answer.content.decode()
    assert "No such support engineer." not in answer.content.decode()
