"""Mail of a case through the outbox: the confirmation (R-23) in each reader's language and
support's public replies (R-28), threaded on the case; internal notes mail nobody."""

from __future__ import annotations

from datetime import timedelta

import pytest

from supportdesk.cases import services
from supportdesk.notifications.models import OutboundMail
from tests.accounts.factories import StaffFactory
from tests.cases.test_services import AT, Customer, make_customer, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer() -> Customer:
    return make_customer()


def test_the_confirmation_goes_to_each_reader_in_their_language(customer: Customer) -> None:
    customer.admin.language = "cs"
    customer.admin.save(update_fields=["language"])

    case = open_case(customer)

    mails = {m.to_address: m for m in OutboundMail.objects.filter(kind="case_confirmation")}
    assert sorted(mails) == ["admin@acme.example", "ops@acme.example"]
    # the contact is no user: the organization's language, German, has no text: English
    assert customer.org.language == "de"
    assert (mails["admin@acme.example"].language, mails["ops@acme.example"].language) == (
        "cs",
        "en",
    )
    assert mails["admin@acme.example"].subject == (
        f"[{case.number}] Váš požadavek jsme přijali: Backups fail"
    )
    assert "Druh: technický" in mails["admin@acme.example"].body


def test_a_public_reply_by_support_mails_the_customer_on_the_case_thread(
    customer: Customer,
) -> None:
    case = open_case(customer)
    engineer = StaffFactory.create(first_name="Eva", last_name="Svobodová")

    services.case_comment_add(
        actor=engineer,
        case=case,
        body="Please send the job log.",
        expected_version=1,
        at=AT + timedelta(minutes=5),
    )
    services.case_comment_add(
        actor=engineer,
        case=case,
        body="Looks like the repository certificate.",
        internal=True,
        expected_version=2,
        at=AT + timedelta(minutes=6),
    )
    services.case_comment_add(
        actor=customer.admin, case=case, body="Attached.", expected_version=3,
        at=AT + timedelta(minutes=7),
    )  # fmt: skip

    updates = list(OutboundMail.objects.filter(kind="case_update").order_by("to_address"))
    assert [(m.to_address, m.subject) for m in updates] == [
        ("admin@acme.example", f"[{case.number}] Update on your case: Backups fail"),
        ("ops@acme.example", f"[{case.number}] Update on your case: Backups fail"),
    ]
    assert updates[0].body.startswith(
        f"Eva Svobodová wrote on case {case.number}:\n\nPlease send the job log.\n"
    )
    root = f"<{case.number}.thread@localhost>"
    assert {(m.in_reply_to, m.references) for m in updates} == {(root, root)}
    assert "certificate" not in "".join(m.body for m in OutboundMail.objects.all())
