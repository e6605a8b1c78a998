"""The portal's "Call support" page: the support numbers per country, toll-free first,
formatted as dialled inside the country and from abroad (R-26), for everyone, in English and
Czech, linked from the navigation."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.factories import OrganizationFactory, StaffFactory, member
from tests.routing.factories import SupportNumberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbers() -> None:
    SupportNumberFactory.create(country="DE", number="+498001234567", kind="local",
                                label="German, English")  # fmt: skip
    SupportNumberFactory.create(country="DE", number="+4930123456789", kind="toll_free",
                                label="German")  # fmt: skip
    SupportNumberFactory.create(country="CZ", number="+420800123456", kind="toll_free",
                                label="Czech, English")  # fmt: skip


def _rows(page: str) -> list[str]:
    table = page.split('<table class="numbers" id="support-numbers">')[1].split("</table>")[0]
    return [row.split("</tr>")[0] for row in table.split("<tbody>")[1].split("<tr>")[1:]]


def test_the_numbers_per_country_toll_free_first_as_dialled_at_home_and_abroad(
    client: Client, numbers: None
) -> None:
    response = client.get("/phone/")

    assert response.status_code == 200
    rows = _rows(response.content.decode())
    assert len(rows) == 3
    assert "(CZ)</th>" in rows[0]
    assert '<a href="tel:+420800123456">800 123 456</a>' in rows[0]
    assert "<td>+420 800 123 456</td>" in rows[0]
    assert "<td>Toll-free</td>" in rows[0]
    assert 'rowspan="2">Germany (DE)</th>' in rows[1]
    assert '<a href="tel:+4930123456789">030 123456789</a>' in rows[1]
    assert "<td>Toll-free</td>" in rows[1]  # toll-free before local inside a country
    assert "<td>+49 800 1234567</td>" in rows[2]
    assert ("<td>Local</td>" in rows[2], "</th>" in rows[2]) == (True, False)


def test_the_page_is_in_czech_and_in_the_navigation(client: Client, numbers: None) -> None:
    page = client.get("/phone/", headers={"accept-language": "cs"}).content.decode()

    assert "<h1>Zavolejte podporu</h1>" in page
    assert "<td>Bezplatné</td>" in page
    assert "<td>Místní</td>" in page
    assert '<a href="/phone/">Zavolejte podporu</a>' in page
    assert "Česká republika (CZ)" in page


def test_without_numbers_the_page_says_so(client: Client) -> None:
    page = client.get("/phone/").content.decode()

    assert "No support numbers are published yet" in page
    assert '<a href="/phone/">Call support</a>' in page


@pytest.mark.parametrize("role", ["anonymous", "member", "staff"])
def test_everyone_reads_the_same_directory(client: Client, numbers: None, role: str) -> None:
    """The page's cells of the permission matrix: public (the API's GET /phone/numbers is
    too), the same rows for every role, and only GET."""
    if role == "member":
        client.force_login(member(OrganizationFactory.create()))
    elif role == "staff":
        client.force_login(StaffFactory.create())

    response = client.get("/phone/")
    posted = client.post("/phone/")

    assert response.status_code == 200
    assert len(_rows(response.content.decode())) == 3
    assert posted.status_code == 405
