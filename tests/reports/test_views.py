"""The report pages: staff only, charts as accessible SVG without inline style or script (the
CSP forbids them), the same figures as tables, CSV exports safe to open in a spreadsheet, and
times in the viewer's zone."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from supportdesk.accounts.models import User
from tests.accounts.factories import MembershipFactory, OrganizationFactory, StaffFactory
from tests.cases.factories import CaseFactory
from tests.test_conventions import _inline_code

pytestmark = pytest.mark.django_db

OPENED = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 2 June 08:30 in Tokyo
QUERY = "since=2026-06-02&until=2026-06-02"


@pytest.fixture
def staff(client: Client) -> User:
    user = StaffFactory.create(time_zone="Asia/Tokyo")
    client.force_login(user)
    return user


@pytest.fixture
def late_case() -> None:
    org = OrganizationFactory.create(name='=HYPERLINK("http://evil.example","x")')
    CaseFactory.create(
        organization=org,
        number="C-2026-000042",
        opened_at=OPENED,
        first_response_due_at=OPENED + timedelta(hours=1),
        first_responded_at=OPENED + timedelta(hours=3),
        first_response_late_by=timedelta(hours=2),
    )


def test_sla_page(client: Client, staff: User, late_case: None) -> None:
    response = client.get(f"/reports/?{QUERY}")
    assert response.status_code == 200
    html = response.content.decode()
    assert _inline_code(html) == []
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
    assert 'role="img" aria-labelledby="chart-attainment-title chart-attainment-desc"' in html
    assert (
        '<title id="chart-attainment-title">First responses by program: met, missed, pending, '
        "no target</title>" in html
    )
    assert "Production, Missed: 1 case" in html  # the bar's tooltip, its plural from the catalogue
    assert "0.0 % met (0 of 1 decided cases)" in html
    # the breaches table: times in the viewer's zone (Tokyo), the name escaped
    assert (
        "<td>2026-06-02 08:30 JST</td><td>2026-06-02 09:30 JST</td><td>2026-06-02 11:30 JST</td>"
        "<td>120 min</td>" in html
    )
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)" in html
    assert 'href="/reports/breaches.csv?since=2026-06-02&amp;until=2026-06-02"' in html


def test_backlog_page(client: Client, staff: User, late_case: None) -> None:
    response = client.get(f"/reports/backlog/?{QUERY}")
    assert response.status_code == 200
    html = response.content.decode()
    assert _inline_code(html) == []
    assert '<polyline class="line" fill="none"' in html
    assert "02 Jun, Opened: 1 case" in html
    assert "1 opened, 0 closed." in html


def test_bad_input_is_shown_not_a_500(client: Client, staff: User) -> None:
    response = client.get("/reports/?since=2026-02-30")
    assert response.status_code == 400
    assert (
        "since: Not a date: &#x27;2026-02-30&#x27; (use YYYY-MM-DD)." in response.content.decode()
    )
    response = client.get("/reports/flow.csv?tz=Nowhere")
    assert (response.status_code, response.content) == (400, b"tz: Unknown time zone: 'Nowhere'.")


def test_csv_neutralises_formulas(client: Client, staff: User, late_case: None) -> None:
    response = client.get(f"/reports/breaches.csv?{QUERY}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="breaches-2026-06-02-2026-06-02.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Case", "Organization", "Program", "Severity", "Opened", "Due", "Answered", "Late (min)"],
        [
            "C-2026-000042",
            '\'=HYPERLINK("http://evil.example","x")',
            "production",
            "3",
            "2026-06-02T08:30:00+09:00",
            "2026-06-02T09:30:00+09:00",
            "2026-06-02T11:30:00+09:00",
            "120.0",
        ],
    ]
    for name in (
        "sla",
        "distribution",
        "backlog",
        "flow",
        "contact-closures",
        "resolutions",
        "escalations",
        "language-routing",
    ):
        response = client.get(f"/reports/{name}.csv?{QUERY}")
        assert response.status_code == 200, name
    assert client.get("/reports/secrets.csv").status_code == 404


def test_only_staff(client: Client) -> None:
    response = client.get("/reports/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/reports/")
    admin = MembershipFactory.create(role="license_admin").user
    client.force_login(admin)
    for url in (
        "/reports/",
        "/reports/backlog/",
        "/reports/work/",
        "/reports/sla.csv",
        "/reports/escalations.csv",
    ):
        assert client.get(url).status_code == 403, url


def test_a_chart_escapes_its_texts() -> None:
    from supportdesk.reports.charts import Series, stacked_bars

    svg = stacked_bars(
        chart_id="c",
        title="<script>",
        desc="a & b",
        categories=["<b>"],
        series=[Series("met", "Met", [3])],
    )
    assert "<script>" not in svg
    assert '<title id="c-title">&lt;script&gt;</title>' in svg
    assert re.search(r'<rect class="s-met" x="190.0" y="36" width="\d+\.\d" height="22">', svg)


@pytest.mark.parametrize(
    ("value", "peak"), [(0, 1), (1, 1), (7, 8), (11, 12), (600, 600), (601, 800), (0.3, 0.3)]
)
def test_axes_end_at_a_round_number(value: float, peak: float) -> None:
    from supportdesk.reports.charts import nice_max

    assert nice_max(value) == pytest.approx(peak)


def test_a_long_category_is_shortened_with_its_full_name_as_tooltip() -> None:
    from supportdesk.reports.charts import Series, stacked_bars

    name = "Free (Free, Community, NFR licenses)"
    svg = stacked_bars(
        chart_id="c", title="t", desc="d", categories=[name], series=[Series("met", "Met", [1])]
    )
    assert f">Free (Free, Community, NFR …<title>{name}</title></text>" in svg
