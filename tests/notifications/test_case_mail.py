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


def test_a_rebased_deadline_gets_its_own_checks_and_the_old_ones_find_nothing(
    customer: Customer,
) -> None:
    from django_tasks_db.models import DBTaskResult

    from supportdesk.notifications.models import SlaAlert
    from supportdesk.notifications.sla import sla_alert_record
    from supportdesk.notifications.tasks import sla_alert_check

    StaffFactory.create(email="boss@vendor.example", staff_role="support_manager")
    case = open_case(customer)  # Severity 3 on Production: due in 6 hours
    services.case_agree_severity(
        actor=StaffFactory.create(), case=case, severity=4, reason="Only a question",
        expected_version=1, at=AT + timedelta(minutes=20),
    )  # fmt: skip

    checks = sorted(
        (t.args_kwargs["args"][1], t.run_after)
        for t in DBTaskResult.objects.filter(task_path=sla_alert_check.module_path)
    )
    assert checks == [
        ("first_response_breach", AT + timedelta(hours=6)),
        ("first_response_breach", AT + timedelta(hours=8)),
        ("first_response_warning", AT + timedelta(hours=6, minutes=-15)),
        ("first_response_warning", AT + timedelta(hours=8, minutes=-15)),
    ]
    # the check of the old deadline runs: the case is not late yet
    assert (
        sla_alert_record(case_id=case.pk, kind="first_response_breach", now=AT + timedelta(hours=6))
        is None
    )
    breach = sla_alert_record(
        case_id=case.pk, kind="first_response_breach", now=AT + timedelta(hours=8)
    )
    assert breach is not None
    assert breach.at == AT + timedelta(hours=8)
    assert SlaAlert.objects.count() == 1
