"""Phone support (R-25, R-26): the numbers directory and the telephony webhook."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from supportdesk.routing import phone
from supportdesk.routing.models import SupportNumber
from tests.accounts.factories import ApiTokenFactory, OrganizationFactory, StaffFactory
from tests.api.calls import call
from tests.cases.factories import CaseFactory, CommentFactory
from tests.licensing.factories import ProductFactory
from tests.routing.factories import EngineerProfileFactory, QueueFactory, SupportNumberFactory

pytestmark = pytest.mark.django_db

#: Tuesday 2 June 2026, 10:00 in Berlin: on the day shift, inside the language hours
MORNING = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
#: the same day, 20:00 in Berlin
EVENING = datetime(2026, 6, 2, 18, 0, tzinfo=UTC)
AT = MORNING


def test_numbers_are_checked_for_their_country_and_kind_and_kept_in_e164() -> None:
    boss = StaffFactory.create(staff_role="support_manager")

    row = phone.support_number_create(
        actor=boss, country="de", number="0800 1000000", kind="toll_free", at=AT
    )
    problems = []
    for number, kind in (
        ("12", "local"),
        ("+420 800 123 456", "toll_free"),
        ("+49 30 123456", "toll_free"),
    ):
        with pytest.raises(ValidationError) as exc:
            phone.support_number_create(actor=boss, country="DE", number=number, kind=kind, at=AT)
        problems.append(exc.value.message_dict)

    assert (row.country, row.number, phone.display(row.number)) == (
        "DE",
        "+498001000000",
        "+49 800 1000000",
    )
    assert problems == [
        {"number": ["'12' is not a valid phone number for DE."]},
        {"number": ["+420 800 123 456 is a number of CZ, not of DE."]},
        {"kind": ["+49 30 123456 is not a toll-free number."]},
    ]
    assert SupportNumber.objects.count() == 1


def test_the_directory_is_public_per_country(client: Client) -> None:
    SupportNumberFactory.create(number="+498001000000")
    SupportNumberFactory.create(country="US", number="+18005550100", label="English, Spanish")

    status, body = call(client, "GET", "/phone/numbers?country=us")

    assert status == 200
    assert body == [
        {
            "country": "US",
            "number": "+18005550100",
            "display": "+1 800-555-0100",
            "kind": "toll_free",
            "label": "English, Spanish",
        }
    ]


@pytest.fixture
def platform(client: Client) -> str:
    ApiTokenFactory.create(user=StaffFactory.create(username="ivr"), secret="sdt_ivr")
    return "sdt_ivr"


def route(client: Client, token: str, number: str, caller: str) -> tuple[int, dict]:
    return call(
        client,
        "POST",
        "/phone/route",
        {"case_number": number, "caller_number": caller},
        token=token,
    )


def _case(**kw: object):
    product = ProductFactory.create(code="BR", is_flagship=True)
    queue = QueueFactory.create(code="l1-de", language="de")
    org = OrganizationFactory.create()
    values = {
        "organization": org,
        "product": product,
        "queue": queue,
        "language": "de",
        "contact_phone": "+49301234567",
    }
    values.update(kw)
    return CaseFactory.create(**values)


def test_a_call_goes_to_the_engineer_who_last_worked_the_case_when_on_shift(
    client: Client, platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _case()
    engineer = EngineerProfileFactory.create(languages=["de", "en"]).user
    CommentFactory.create(case=case, author=engineer, body="Looking")

    def at(when: datetime) -> tuple[int, dict]:
        monkeypatch.setattr("django.utils.timezone.now", lambda: when)
        return route(client, platform, case.number.lower(), "030 1234567")

    morning, evening = at(MORNING), at(EVENING)

    assert morning == (
        200,
        {
            "allowed": True,
            "target": "engineer",
            "engineer_username": engineer.username,
            "queue_code": "l1-de",
            "language": "de",
            "case_number": case.number,
            "reasons": [
                "Production program, technical case with a case number: phone support "
                "available (R-25, R-26).",
                "Reconnected with the engineer who last worked the case (R-25).",
            ],
        },
    )
    assert evening[1]["target"] == "queue"
    assert evening[1]["engineer_username"] is None
    assert evening[1]["language"] == "en"
    assert evening[1]["reasons"][1:] == [
        "de is not offered now: the call is taken in English (R-21).",
        "The engineer who last worked the case is off shift: to the case's queue.",
    ]


@pytest.mark.parametrize(
    ("case_kw", "number", "caller", "reason"),
    [
        ({}, "C-1999-000001", "+49301234567", "Unknown case number"),
        (
            {"program": "free"},
            None,
            "+49301234567",
            "The Free (Free, Community, NFR licenses) program has no phone",
        ),
        (
            {"kind": "general_inquiry"},
            None,
            "+49301234567",
            "General inquiry or feedback cases have no phone support",
        ),
        ({}, None, "+49309999999", "The caller's number is not a contact"),
        ({}, None, "not a number", "The caller's number is not a contact"),
    ],
)
def test_refusals_say_why(
    client: Client,
    platform: str,
    case_kw: dict,
    number: str | None,
    caller: str,
    reason: str,
) -> None:
    case = _case(**case_kw)

    status, body = route(client, platform, number or case.number, caller)

    assert status == 200
    assert (body["allowed"], body["target"], body["engineer_username"]) == (False, None, None)
    assert body["reasons"][0].startswith(reason)


def test_bad_input_names_the_field(client: Client, platform: str) -> None:
    status, body = route(client, platform, "  ", "+49301234567")

    assert (status, body["errors"][0]["field"]) == (422, "case_number")


def test_country_names_come_from_phonenumbers_table_without_its_place_names() -> None:
    assert phone.country_name("CZ", "cs") == "Česká republika"
    assert phone.country_name("CZ", "en") == "Czech Republic"
    assert phone.country_name("DE", "de") == "Deutschland"
    assert phone.country_name("DE", "cs") == "Germany"  # the table's "*aa": the name held there
    assert phone.country_name("de", "cs-CZ") == "Germany"
    assert phone.country_name("XX", "cs") == "XX"  # no name known: the code


def test_the_fallback_through_the_geocoder_reads_the_same_table(monkeypatch: Any) -> None:
    table = phone._country_names()
    phone._country_names.cache_clear()
    monkeypatch.setattr(phone.importlib.util, "find_spec", lambda name: None)
    try:
        assert phone._country_names() == table
    finally:
        phone._country_names.cache_clear()


def test_starting_the_application_does_not_load_every_prefixs_place_names() -> None:
    # phonenumbers.geodata is 4 s of import; the server, the worker and each command paid it
    code = (
        "import sys, django; django.setup(); from django.urls import resolve; resolve('/');"
        "import supportdesk.routing.phone;"
        "print('phonenumbers.geodata' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "supportdesk.config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
