"""The confirmation of a new case (R-23) is written in each reader's language: the opener's
own for the opener's address (without looking the address up), a user's own for a colleague's
address, the organization's for an address no user has."""

from __future__ import annotations

from dataclasses import replace

import pytest

from supportdesk.notifications.models import OutboundMail
from tests.accounts.factories import member
from tests.cases.test_services import DETAILS, make_customer, open_case

pytestmark = pytest.mark.django_db


def languages() -> dict[str, str]:
    return dict(OutboundMail.objects.values_list("to_address", "language"))


def test_the_opener_who_is_the_contact_reads_it_in_the_openers_language() -> None:
    customer = make_customer()
    customer.admin.language = "cs"
    customer.admin.save(update_fields=["language"])

    open_case(customer, details=replace(DETAILS, contact_email="ADMIN@acme.example"))

    assert languages() == {"ADMIN@acme.example": "cs"}


def test_a_colleague_contact_reads_it_in_their_language_and_a_stranger_in_the_orgs() -> None:
    customer = make_customer()
    member(customer.org, "case_admin", email="kolega@acme.example", language="cs")
    customer.org.language = "en"
    customer.org.save(update_fields=["language"])

    open_case(customer, details=replace(DETAILS, contact_email="kolega@acme.example"))
    open_case(customer, details=replace(DETAILS, contact_email="ops@acme.example"))

    assert languages() == {
        "kolega@acme.example": "cs",
        "admin@acme.example": "en",
        "ops@acme.example": "en",
    }
