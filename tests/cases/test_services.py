"""The services of the cases app: exact values, exact audit records, and nothing changed by a
refused request."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django_tasks_db.models import DBTaskResult

from supportdesk.accounts.models import Organization, User
from supportdesk.audit.models import AuditEvent
from supportdesk.cases import services
from supportdesk.cases.choices import CaseKind
from supportdesk.cases.models import Case, Comment, SeverityChange
from supportdesk.cases.services import CaseDetails
from supportdesk.errors import Conflict
from supportdesk.licensing.models import Product, SupportId
from supportdesk.notifications.models import OutboundMail
from supportdesk.notifications.tasks import mail_deliver
from supportdesk.policy import get_policy
from tests.accounts.factories import (
    DelegationFactory,
    OrganizationFactory,
    PartnerFactory,
    StaffFactory,
    member,
)
from tests.licensing.factories import (
    LicenseFactory,
    LicenseLineFactory,
    ProductFactory,
    ProductVersionFactory,
    SupportIdFactory,
)

pytestmark = pytest.mark.django_db

#: Monday 1 June 2026, 11:00 in Berlin
AT = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DETAILS = CaseDetails(
    subject="Backups fail",
    description="Every backup job fails since the upgrade.",
    proposed_severity=3,
    contact_email="ops@acme.example",
    product_version="12.1",
    maintenance_level="P2",
    business_impact="No backups of the file servers.",
    error_text="Error: cannot connect to repository",
    diagnostics="logs attached",
    steps_to_reproduce="Start any job.",
    known_workarounds="none",
    contact_phone="030 1234567",
    best_time_to_reach="mornings",
    preferred_contact="phone",
)


@dataclass
class Customer:
    org: Organization
    admin: User
    product: Product
    sid: SupportId


def make_customer(level: str = "production", **license: Any) -> Customer:
    org = OrganizationFactory.create(name="Acme", country="DE", time_zone="Europe/Berlin")
    product = ProductFactory.create(code="VBR", name="Backup & Replication")
    ProductVersionFactory.create(product=product, version="12.1", ga=date(2025, 1, 1))
    ProductVersionFactory.create(
        product=product, version="9.5", ga=date(2016, 1, 1), end_of_support=date(2022, 1, 1)
    )
    lic = LicenseFactory.create(
        organization=org, product=product, **{"maintenance_until": date(2099, 12, 31), **license}
    )
    LicenseLineFactory.create(license=lic, level=level)
    return Customer(
        org=org,
        admin=member(org, "license_admin", email="admin@acme.example"),
        product=product,
        sid=SupportIdFactory.create(license=lic, code="SID-AAAA-BBBB-CCCC"),
    )


@pytest.fixture
def customer() -> Customer:
    return make_customer()


def open_case(c: Customer, actor: User | None = None, **kw: Any) -> Case:
    details = kw.pop("details", DETAILS)
    return services.case_open(
        actor=actor or c.admin,
        organization=kw.pop("organization", c.org),
        support_id=kw.pop("support_id", c.sid.code),
        kind=kw.pop("kind", CaseKind.TECHNICAL),
        details=details,
        at=kw.pop("at", AT),
        **kw,
    )


def state() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "comments": Comment.objects.count(),
        "severity_changes": SeverityChange.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


# --- opening (R-1, R-2, R-22 to) ---------------------------------------------------


def test_open_freezes_the_clock_and_records_everything(customer: Customer) -> None:
    policy = get_policy()
    case = open_case(customer)

    case.refresh_from_db()
    assert (case.number, case.status, case.version, case.kind) == (
        "C-2026-000001",
        "new",
        1,
        "technical",
    )
    assert (case.support_id, case.product, case.product_version.version) == (  # type: ignore[union-attr]
        customer.sid,
        customer.product,
        "12.1",
    )
    assert (case.contact_phone, case.contact_email, case.preferred_contact) == (
        "+49301234567",
        "ops@acme.example",
        "phone",
    )
    assert (case.proposed_severity, case.severity, case.severity_agreed_at) == (3, 3, None)
    assert (case.program, case.hours_label, case.target_minutes, case.clock) == (
        "production",
        "24x7",
        360,
        "24x7",
    )
    assert (case.policy_version, case.policy_sha256) == (policy.version, policy.sha256)
    assert (case.time_zone, case.country, case.subdivision) == ("Europe/Berlin", "DE", "")
    assert case.first_response_due_at == AT + timedelta(hours=6)
    assert case.first_response_reasons[0] == (
        "Production, Severity 3: first response within 6 hours on the 24x7 clock, counting "
        "real elapsed time (R-16, R-17)."
    )
    assert (case.first_responded_at, case.first_response_late_by, case.round_the_clock) == (
        None,
        None,
        False,
    )
    (event,) = AuditEvent.objects.all()
    assert (event.action, event.actor, event.target_id) == (
        "case.open",
        customer.admin,
        str(case.pk),
    )
    assert event.changes["number"] == [None, "C-2026-000001"]
    assert event.changes["first_response_due_at"] == [None, "2026-06-01T15:00:00+00:00"]
    (proposed,) = SeverityChange.objects.all()
    assert (proposed.kind, proposed.from_severity, proposed.to_severity, proposed.by) == (
        "proposed",
        None,
        3,
        customer.admin,
    )
    # the confirmation is queued in the outbox in the case's transaction, one mail per
    # recipient, with the worker task that delivers it; a task run twice sends once
    queued = list(OutboundMail.objects.order_by("pk"))
    assert [(m.to_address, m.kind, m.status) for m in queued] == [
        ("ops@acme.example", "case_confirmation", "pending"),
        ("admin@acme.example", "case_confirmation", "pending"),
    ]
    assert sorted(
        (t.task_path, t.args_kwargs["args"]) for t in DBTaskResult.objects.all()
    ) == sorted(
        [
            # named by Message-ID: their rows' keys were not awaited (mail_queue(fresh=True))
            ("supportdesk.notifications.tasks.mail_deliver", [queued[0].message_id]),
            ("supportdesk.notifications.tasks.mail_deliver", [queued[1].message_id]),
            (
                "supportdesk.notifications.tasks.sla_alert_check",
                [case.pk, "first_response_warning"],
            ),
            ("supportdesk.notifications.tasks.sla_alert_check", [case.pk, "first_response_breach"]),
        ]
    )
    for mail_row in queued:
        mail_deliver.call(mail_row.message_id)
        mail_deliver.call(mail_row.pk)  # by its key too (a retry, an older task)
    assert [m.to for m in mail.outbox] == [["ops@acme.example"], ["admin@acme.example"]]
    message = mail.outbox[0]
    assert message.subject == "[C-2026-000001] We have received your case: Backups fail"
    assert "Your case C-2026-000001 is open." in message.body
    assert "First response due by: 2026-06-01 17:00 (Europe/Berlin)" in message.body
    assert message.extra_headers["Message-ID"] == "<C-2026-000001.thread@localhost>"
    assert case.confirmation_sent_at == AT


def test_numbers_count_up_within_a_year_and_start_again_the_next(customer: Customer) -> None:
    numbers = [open_case(customer).number, open_case(customer).number]
    numbers.append(open_case(customer, at=datetime(2027, 1, 4, 9, tzinfo=UTC)).number)

    assert numbers == ["C-2026-000001", "C-2026-000002", "C-2027-000001"]


def test_a_retried_submission_returns_the_same_case(customer: Customer) -> None:
    first = open_case(customer, idempotency_key="k-1")
    again = open_case(customer, idempotency_key="k-1", at=AT + timedelta(seconds=5))
    other = open_case(customer, idempotency_key="k-2")

    assert again.pk == first.pk
    assert other.pk != first.pk
    assert state() == {"cases": 2, "comments": 0, "severity_changes": 2, "audit": 2}


def test_the_same_key_of_another_opener_is_another_case(customer: Customer) -> None:
    colleague = member(customer.org, "case_admin")
    first = open_case(customer, idempotency_key="k-1")
    second = open_case(customer, actor=colleague, idempotency_key="k-1")

    assert first.pk != second.pk


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("member", PermissionDenied),
        ("other_admin", ObjectDoesNotExist),
        ("partner_expired", ObjectDoesNotExist),
    ],
)
def test_who_may_not_open_changes_nothing(customer: Customer, who: str, error: type) -> None:
    if who == "member":
        actor = member(customer.org, "member")
    elif who == "other_admin":
        actor = member(OrganizationFactory.create(), "license_admin")
    else:
        partner = PartnerFactory.create()
        DelegationFactory.create(
            customer=customer.org, partner=partner, starts_at=AT - timedelta(days=9),
            ends_at=AT - timedelta(days=1),
        )  # fmt: skip
        actor = member(partner, "license_admin")
    before = state()

    with pytest.raises(error):
        open_case(customer, actor=actor)

    assert state() == before


@pytest.mark.parametrize("who", ["case_admin", "partner_active", "staff"])
def test_who_may_open(customer: Customer, who: str) -> None:
    if who == "case_admin":
        actor = member(customer.org, "case_admin")
    elif who == "partner_active":
        partner = PartnerFactory.create()
        DelegationFactory.create(
            customer=customer.org, partner=partner, starts_at=AT - timedelta(days=1)
        )
        actor = member(partner, "case_admin")
    else:
        actor = StaffFactory.create()

    case = open_case(customer, actor=actor)

    assert (case.opened_by, case.organization) == (actor, customer.org)


def test_a_support_id_of_another_organization_is_refused_naming_it(customer: Customer) -> None:
    stranger = SupportIdFactory.create(code="SID-ZZZZ-ZZZZ-ZZZZ")
    before = state()

    with pytest.raises(ValidationError) as refused:
        open_case(customer, support_id=stranger.code)

    assert refused.value.message_dict == {"support_id": ["This is not a Support ID of Acme (R-2)."]}
    assert state() == before


def test_a_support_id_of_another_product_is_refused_naming_the_product(customer: Customer) -> None:
    ProductFactory.create(code="VONE", name="ONE")

    with pytest.raises(ValidationError) as refused:
        open_case(customer, details=replace(DETAILS, product="VONE"))

    assert refused.value.message_dict == {
        "product": [
            "Support ID SID-AAAA-BBBB-CCCC belongs to Backup & Replication (VBR), not to VONE: "
            "give the Support ID installed in the product the problem is in (R-2)."
        ]
    }
    assert state()["cases"] == 0


def test_every_bad_field_is_named_at_once(customer: Customer) -> None:
    bad = replace(
        DETAILS,
        subject=" ",
        proposed_severity=5,
        contact_email="nobody",
        contact_phone="12",
        preferred_contact="fax",
        business_impact="",
        product_version="",
    )

    with pytest.raises(ValidationError) as refused:
        open_case(customer, details=bad)

    assert refused.value.message_dict == {
        "subject": ["This field is required."],
        "business_impact": ["Say how the problem affects the system and the business (R-22)."],
        "product_version": ["A technical case names the product version (R-22)."],
        "proposed_severity": ["A severity from 1 to 4 (R-13), not 5."],
        "contact_email": ["'nobody' is not an e-mail address."],
        "preferred_contact": ["Either email or phone (R-22)."],
        "contact_phone": ["'12' is not a valid phone number (such as +49 30 1234567)."],
    }
    assert state()["cases"] == 0


def test_an_unknown_version_is_refused_naming_product_version(customer: Customer) -> None:
    with pytest.raises(ValidationError) as refused:
        open_case(customer, details=replace(DETAILS, product_version="13"))

    assert refused.value.message_dict == {
        "product_version": ["Backup & Replication has no version '13' (known: 9.5, 12.1)."]
    }


def test_a_technical_case_past_end_of_support_is_refused_with_the_r37_offer(
    customer: Customer,
) -> None:
    with pytest.raises(ValidationError) as refused:
        open_case(customer, details=replace(DETAILS, product_version="9.5"))

    (message,) = refused.value.message_dict["product_version"]
    assert message == (
        "Production: all 4 production sockets/instances are covered at Production level (R-7). "
        "The version is past End of Support: technical cases are refused; known workarounds, "
        "existing fixes and help to upgrade to a supported version remain (R-36, R-37). You can "
        "upgrade to a supported version; the known workarounds and existing fixes stay "
        "available to you (R-37)."
    )
    assert state()["cases"] == 0


def test_lapsed_maintenance_refuses_technical_but_takes_licensing_cases() -> None:
    c = make_customer(maintenance_until=date(2026, 3, 31))

    with pytest.raises(ValidationError) as refused:
        open_case(c)
    licensing = open_case(c, kind=CaseKind.LICENSING)

    assert refused.value.message_dict == {
        "support_id": [
            "No support program: the maintenance contract is lapsed on 2026-03-31; technical "
            "cases are refused with an offer to renew, licensing cases stay open to you (R-8a). "
            "The version is GA/current: full support, updates and fixes (R-36). You can renew "
            "the maintenance contract (R-8a)."
        ]
    }
    assert (licensing.program, licensing.clock, licensing.first_response_due_at) == (
        "",
        "none",
        None,
    )


def test_basic_counts_business_hours_in_the_customers_zone() -> None:
    c = make_customer(level="basic")
    friday_evening = datetime(2026, 6, 5, 17, 0, tzinfo=UTC)  # 19:00 in Berlin

    case = open_case(c, at=friday_evening, details=replace(DETAILS, proposed_severity=1))

    # 1 business hour on Friday (19:00-20:00), 1 more from Monday 08:00
    assert (case.clock, case.target_minutes) == ("business_hours", 120)
    assert case.first_response_due_at == datetime(2026, 6, 8, 7, 0, tzinfo=UTC)


def test_general_inquiries_have_no_target(customer: Customer) -> None:
    case = open_case(customer, kind=CaseKind.GENERAL_INQUIRY)

    assert (case.clock, case.target_minutes, case.first_response_due_at) == ("none", None, None)
    assert case.first_response_reasons == [
        "General inquiry or feedback cases have no response target, whatever the program (R-19)."
    ]


def test_severity_1_on_production_is_round_the_clock_with_a_technical_contact(
    customer: Customer,
) -> None:
    staff = StaffFactory.create()
    details = replace(DETAILS, proposed_severity=1, technical_contact_available=True)
    case = open_case(customer, details=details)

    assert case.round_the_clock is True
    case = services.case_set_technical_contact(
        actor=staff, case=case, available=False, expected_version=1, at=AT
    )
    assert (case.round_the_clock, case.version) == (False, 2)
    assert AuditEvent.objects.last().changes == {  # type: ignore[union-attr]
        "technical_contact_available": [True, False],
        "round_the_clock": [True, False],
        "version": [1, 2],
    }


# --- the first response (R-16) ------------------------------------------------------------------


def test_the_first_public_reply_of_support_stops_the_clock_and_records_how_late(
    customer: Customer,
) -> None:
    staff = StaffFactory.create()
    case = open_case(customer)
    late = AT + timedelta(hours=6, minutes=25)

    services.case_comment_add(
        actor=customer.admin, case=case, body="More logs", expected_version=1, at=AT
    )
    services.case_comment_add(
        actor=staff, case=case, body="Looking", internal=True, expected_version=2, at=AT
    )
    services.case_comment_add(actor=staff, case=case, body="Hello", expected_version=3, at=late)
    services.case_comment_add(
        actor=staff, case=case, body="Again", expected_version=4, at=late + timedelta(hours=1)
    )

    case.refresh_from_db()
    assert (case.first_responded_at, case.first_response_late_by, case.version) == (
        late,
        timedelta(minutes=25),
        5,
    )
    event = AuditEvent.objects.filter(action="case.comment").order_by("pk")[2]
    assert event.changes == {
        "first_responded_at": [None, late.isoformat()],
        "first_response_late_by": [None, "0:25:00"],
        "version": [3, 4],
        "comment": [None, {"id": Comment.objects.get(body="Hello").pk, "internal": False}],
    }


def test_a_reply_in_time_is_no_breach(customer: Customer) -> None:
    case = open_case(customer)

    services.case_comment_add(
        actor=StaffFactory.create(), case=case, body="Hi", expected_version=1, at=AT
    )

    case.refresh_from_db()
    assert (case.first_responded_at, case.first_response_late_by) == (AT, None)


def test_customers_write_no_internal_comments_and_members_no_comments(customer: Customer) -> None:
    case = open_case(customer)
    before = state()

    with pytest.raises(PermissionDenied, match=r"Only support staff write internal comments\."):
        services.case_comment_add(
            actor=customer.admin, case=case, body="x", internal=True, expected_version=1, at=AT
        )
    with pytest.raises(PermissionDenied):
        services.case_comment_add(
            actor=member(customer.org), case=case, body="x", expected_version=1, at=AT
        )

    assert state() == before


# --- severity (R-13 to R-15) ------------------------------------------------------------------


def test_agreeing_another_severity_before_the_first_response_rebases_the_clock(
    customer: Customer,
) -> None:
    staff = StaffFactory.create()
    case = open_case(customer)
    services.case_request_severity(
        actor=customer.admin, case=case, severity=1, reason="Production down now",
        expected_version=1, at=AT + timedelta(minutes=10),
    )  # fmt: skip

    change = services.case_agree_severity(
        actor=staff, case=case, severity=1, reason="Agreed: production down",
        expected_version=2, at=AT + timedelta(minutes=20),
    )  # fmt: skip

    case.refresh_from_db()
    assert (case.severity, case.requested_severity, case.target_minutes, case.version) == (
        1,
        None,
        60,
        3,
    )
    assert case.first_response_due_at == AT + timedelta(hours=1)
    assert (change.from_severity, change.to_severity, change.by, change.reason) == (
        3,
        1,
        staff,
        "Agreed: production down",
    )
    assert (change.due_before, change.due_after) == (
        AT + timedelta(hours=6),
        AT + timedelta(hours=1),
    )
    event = AuditEvent.objects.get(action="case.severity_agree")
    assert event.changes["severity"] == [3, 1]
    assert event.changes["first_response_due_at"] == [
        "2026-06-01T15:00:00+00:00",
        "2026-06-01T10:00:00+00:00",
    ]
    assert event.changes["reason"] == [None, "Agreed: production down"]
    assert event.changes["rebase"] == [
        None,
        "Severity 3 → 1 before the first response: the clock is re-based from the opening on "
        "the new target (R-14, R-16).",
    ]
    assert [c.kind for c in SeverityChange.objects.order_by("pk")] == [
        "proposed",
        "requested",
        "agreed",
    ]


def test_after_the_first_response_a_severity_change_keeps_the_due_time(customer: Customer) -> None:
    staff = StaffFactory.create()
    case = open_case(customer)
    services.case_comment_add(actor=staff, case=case, body="Hi", expected_version=1, at=AT)

    services.case_agree_severity(
        actor=staff, case=case, severity=2, reason="Worse", expected_version=2, at=AT
    )

    case.refresh_from_db()
    assert (case.severity, case.first_response_due_at, case.target_minutes) == (
        2,
        AT + timedelta(hours=6),
        360,
    )


def test_only_staff_agree_a_severity_and_a_change_needs_a_reason(customer: Customer) -> None:
    case = open_case(customer)
    before = state()

    with pytest.raises(PermissionDenied, match=r"Only support staff agree a case's severity"):
        services.case_agree_severity(
            actor=customer.admin, case=case, severity=1, reason="x", expected_version=1, at=AT
        )
    with pytest.raises(ValidationError) as refused:
        services.case_agree_severity(
            actor=StaffFactory.create(), case=case, severity=1, expected_version=1, at=AT
        )

    assert refused.value.message_dict == {"reason": ["Say why the severity changes (R-14)."]}
    assert state() == before


# --- lifecycle and concurrent edits -----------------------------------------------------------


def test_transitions_follow_the_table(customer: Customer) -> None:
    staff = StaffFactory.create()
    case = open_case(customer)

    case = services.case_transition(
        actor=staff, case=case, status="in_progress", expected_version=1, at=AT
    )
    assert (case.status, case.version) == ("in_progress", 2)
    assert AuditEvent.objects.last().changes == {  # type: ignore[union-attr]
        "status": ["new", "in_progress"],
        "version": [1, 2],
    }
    before = state()
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            actor=customer.admin, case=case, status="resolved", expected_version=2, at=AT
        )
    assert refused.value.message_dict == {
        "status": [
            "customer cannot move a case from in_progress to resolved: a fix or a permanent "
            "workaround (R-30)"
        ]
    }
    assert state() == before


def test_the_second_of_two_concurrent_writes_is_refused(customer: Customer) -> None:
    first, second = StaffFactory.create(), StaffFactory.create()
    case = open_case(customer)
    services.case_transition(
        actor=first, case=case, status="in_progress", expected_version=1, at=AT
    )
    before = state()

    with pytest.raises(Conflict) as refused:
        services.case_transition(
            actor=second, case=case, status="resolved", expected_version=1, at=AT
        )

    assert refused.value.message == (
        "Case C-2026-000001 has changed since you read it (you read version 1, it is now at "
        "version 2): reload it and try again."
    )
    case.refresh_from_db()
    assert (case.status, case.version) == ("in_progress", 2)
    assert state() == before
