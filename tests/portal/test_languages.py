"""The portal in English and Czech: the catalogue is complete and compiled, the picker keeps
the choice (cookie, and the person's preference), and pages, dates and plurals follow it."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

import supportdesk.portal
from supportdesk.audit.models import AuditEvent
from tests.cases.test_services import Customer, make_customer, open_case

LOCALE = Path(supportdesk.portal.__file__).parent / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def test_every_language_but_english_has_a_catalogue() -> None:
    codes = {code for code, _name in settings.LANGUAGES} - {"en"}
    assert codes == {"cs"}
    assert {po.parent.parent.name for po in CATALOGUES} == codes


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_the_catalogue_is_complete_and_its_compiled_file_is_current(
    po: Path, tmp_path: Path
) -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext's msgfmt is needed (apt-get install gettext)"
    fresh = tmp_path / "django.mo"
    run = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", str(fresh), str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    # "181 translated messages." and nothing fuzzy or untranslated
    assert re.fullmatch(r"\d+ translated messages\.\n", run.stderr), run.stderr
    with fresh.open("rb") as new, po.with_suffix(".mo").open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == (  # type: ignore[attr-defined]
            gettext.GNUTranslations(new)._catalog  # type: ignore[attr-defined]
        ), f"{po.with_suffix('.mo')} is stale: run make messages"


@pytest.fixture
def customer() -> Customer:
    c = make_customer()
    c.admin.time_zone = "Asia/Tokyo"
    c.admin.save(update_fields=["time_zone"])
    return c


@pytest.mark.django_db
def test_the_picker_switches_to_czech_and_keeps_it_as_the_preference(
    client: Client, customer: Customer
) -> None:
    client.force_login(customer.admin)

    english = client.get("/cases/")
    switched = client.post("/language/", {"language": "cs", "next": "/cases/"})
    czech = client.get("/cases/")

    assert '<html lang="en">' in english.content.decode()
    assert "<h1>Cases</h1>" in english.content.decode()
    assert switched.status_code == 302
    assert switched["Location"] == "/cases/"
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cs"
    assert '<html lang="cs">' in czech.content.decode()
    assert "<h1>Případy</h1>" in czech.content.decode()
    customer.admin.refresh_from_db()
    assert customer.admin.language == "cs"
    event = AuditEvent.objects.get(action="user.language")
    assert event.changes == {"language": ["en", "cs"]}


@pytest.mark.django_db
def test_a_signed_in_person_reads_their_preferred_language_anywhere(
    client: Client, customer: Customer
) -> None:
    customer.admin.language = "cs"
    customer.admin.save(update_fields=["language"])
    case = open_case(customer, at=timezone.now())
    client.force_login(customer.admin)

    home = client.get("/").content.decode()
    page = client.get(f"/cases/{case.number}/").content.decode()

    assert "1 otevřený případ" in home
    assert "<h1>Vaše podpora</h1>" in home
    assert "(Asia/Tokyo, váš čas)" in page
    # Czech date format: "26. listopadu 2026 1:19"
    assert re.search(r"První odpověď nejpozději \d{1,2}\. \w+ \d{4} \d{1,2}:\d{2}", page)


@pytest.mark.django_db
def test_license_dates_follow_the_reader_s_language(client: Client) -> None:
    from datetime import date

    customer = make_customer(maintenance_until=date(2027, 3, 9))
    client.force_login(customer.admin)

    english = client.get("/licenses/").content.decode()
    customer.admin.language = "cs"
    customer.admin.save(update_fields=["language"])
    czech = client.get("/licenses/").content.decode()

    assert "<td>March 9, 2027</td>" in english
    assert "<td>9. března 2027</td>" in czech
    assert "2027-03-09" not in czech


@pytest.mark.django_db
def test_the_picker_refuses_unknown_languages_and_foreign_redirects(client: Client) -> None:
    unknown = client.post("/language/", {"language": "xx", "next": "/when/"})
    foreign = client.post("/language/", {"language": "cs", "next": "https://evil.example/"})

    assert unknown.status_code == 302
    assert unknown["Location"] == "/when/"
    assert settings.LANGUAGE_COOKIE_NAME not in unknown.cookies
    assert foreign["Location"] == "/"
    assert foreign.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cs"
    assert AuditEvent.objects.count() == 0


def test_anonymous_visitors_get_the_language_their_browser_asks_for(client: Client) -> None:
    page = client.get("/when/", headers={"accept-language": "cs,en;q=0.5"})

    assert "<h1>Kdy odpovíme?</h1>" in page.content.decode()


@pytest.mark.django_db
def test_the_default_policys_texts_show_in_czech_and_an_operators_own_as_written(
    client: Client, customer: Customer
) -> None:
    customer.admin.language = "cs"
    customer.admin.save(update_fields=["language"])
    client.force_login(customer.admin)
    data = {"step": 1, "idempotency_key": "k" * 12, "organization": customer.org.pk}
    data |= {"kind": "technical", "support_id": customer.sid.code, "product_version": "12.1"}

    page = client.post("/cases/new/", data).content.decode()

    # the entitlement's hours and targets, and the severities to propose
    assert "<td>24×7</td>" in page  # noqa: RUF001  (the Czech text has the sign)
    assert "<li>Závažnost 1: 1 h</li>" in page
    assert "Závažnost 2: Produkce běží, ale omezeně" in page
    assert "24x7" not in page
