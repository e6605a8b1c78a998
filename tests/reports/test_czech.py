"""The report pages in Czech for a support manager whose language is Czech: headings, chart
titles, table headings and figures as Czech writes them; the CSV exports keep their English
columns whatever the viewer's language (machine readable)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from supportdesk.accounts.choices import StaffRole
from supportdesk.accounts.models import User
from tests.accounts.factories import OrganizationFactory, StaffFactory
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

OPENED = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 2 June 08:30 in Tokyo
QUERY = "since=2026-06-02&until=2026-06-02"
DASH = "\N{EN DASH}"  # Czech sets the dimension apart with it


@pytest.fixture
def czech_manager(client: Client) -> User:
    user = StaffFactory.create(
        staff_role=StaffRole.SUPPORT_MANAGER, time_zone="Asia/Tokyo", language="cs"
    )
    client.force_login(user)
    return user


@pytest.fixture
def late_case() -> None:
    CaseFactory.create(
        organization=OrganizationFactory.create(name="Acme"),
        number="C-2026-000042",
        opened_at=OPENED,
        first_response_due_at=OPENED + timedelta(hours=1),
        first_responded_at=OPENED + timedelta(hours=3),
        first_response_late_by=timedelta(hours=2),
    )


def test_the_sla_page_is_in_czech(client: Client, czech_manager: User, late_case: None) -> None:
    html = client.get(f"/reports/?{QUERY}").content.decode()

    assert '<html lang="cs">' in html
    assert "<h1>Plnění SLA</h1>" in html
    assert '<h2 id="h-attainment">Zodpovězeno v cílové lhůtě</h2>' in html
    assert (
        f'<title id="chart-attainment-title">První odpovědi {DASH} program: splněno, nesplněno, '
        "čeká, bez cílové lhůty</title>" in html
    )
    assert "Production, Nesplněno: 1 případ</title>" in html  # the bar's tooltip, singular
    assert f"<caption>Plnění lhůty první odpovědi {DASH} program</caption>" in html
    assert '<th scope="col">Zpoždění (min)</th>' in html
    assert '<th scope="row">Všechny případy</th>' in html
    assert "0,0 % splněno (0 z 1 rozhodnutých případů)" in html  # a decimal comma
    assert "First responses" not in html
    assert "Download CSV" not in html
    assert "Stáhnout CSV" in html


def test_the_backlog_page_writes_days_and_plurals_in_czech(
    client: Client, czech_manager: User, late_case: None
) -> None:
    html = client.get(f"/reports/backlog/?{QUERY}").content.decode()

    assert "<h1>Nevyřízené a tok případů</h1>" in html
    assert '<title id="chart-flow-title">Otevřené a uzavřené případy po dnech</title>' in html
    assert "2. 6., Otevřen: 1 případ</title>" in html
    assert "Otevřeno 1, uzavřeno 0." in html


def test_the_work_and_satisfaction_pages_are_in_czech(client: Client, czech_manager: User) -> None:
    work = client.get(f"/reports/work/?{QUERY}").content.decode()
    assert "<h1>Práce na případech</h1>" in work
    assert '<h2 id="h-language-routing">Přidělování podle jazyka</h2>' in work
    assert '<th scope="col">Jazyk zákazníka</th>' in work

    satisfaction = client.get(f"/reports/satisfaction/?{QUERY}").content.decode()
    assert "<h1>Spokojenost</h1>" in satisfaction


def test_a_czech_viewer_downloads_the_csv_in_english(
    client: Client, czech_manager: User, late_case: None
) -> None:
    breaches = client.get(f"/reports/breaches.csv?{QUERY}").content.decode()
    distribution = client.get(f"/reports/distribution.csv?{QUERY}").content.decode()

    rows = list(csv.reader(io.StringIO(breaches)))
    assert rows[0] == [
        "Case",
        "Organization",
        "Program",
        "Severity",
        "Opened",
        "Due",
        "Answered",
        "Late (min)",
    ]
    assert next(csv.reader(io.StringIO(distribution))) == ["Outcome", "When", "Cases"]
    assert ["missed", "1 to 4 h", "1"] in list(csv.reader(io.StringIO(distribution)))


def test_severity_rows_are_in_czech_on_the_page_and_english_in_the_csv(
    client: Client, czech_manager: User, late_case: None
) -> None:
    html = client.get(f"/reports/?{QUERY}&by=severity").content.decode()
    sla = client.get(f"/reports/sla.csv?{QUERY}&by=severity").content.decode()

    assert '<th scope="col">závažnost</th>' in html
    assert '<th scope="row">Závažnost 3</th>' in html
    rows = list(csv.reader(io.StringIO(sla)))
    assert rows[0][0] == "severity"
    assert rows[1][0] == "Severity 3"
    assert rows[-1][0] == "All cases"
