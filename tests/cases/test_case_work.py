"""Talk to a manager (R-32), feature requests (R-33), third-party software (R-35) and
diagnostics requests (R-27): who may, what changes on the case, what the customer is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from supportdesk.accounts.choices import StaffRole
from supportdesk.accounts.models import User
from supportdesk.audit.models import AuditEvent
from supportdesk.cases import selectors, services
from supportdesk.cases.models import (
    Case,
    DiagnosticsRequest,
    FeatureRequest,
    ManagerRequest,
    ThirdPartyReferral,
)
from supportdesk.notifications.models import OutboundMail
from tests.accounts.factories import OrganizationFactory, StaffFactory, member
from tests.cases.test_services import Customer, make_customer, open_case

pytestmark = pytest.mark.django_db

AT = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def customer() -> Customer:
    return make_customer()


@pytest.fixture
def engineer() -> User:
    return StaffFactory.create(username="erin")


@pytest.fixture
def manager() -> User:
    return StaffFactory.create(username="mia", first_name="Mia", last_name="Lind",
                               staff_role=StaffRole.SUPPORT_MANAGER)  # fmt: skip


# --- talk to a manager (R-32) ---------------------------------------------------------------------


def test_a_customer_talks_to_a_manager_who_answers_and_adjusts_resources(
    customer: Customer, engineer: User, manager: User
) -> None:
    case = open_case(customer)
    Case.objects.filter(pk=case.pk).update(status="closed")  # at any point, even closed

    request = services.manager_request_open(
        actor=customer.admin, case=case, reason="  Three days without news.  ", at=AT
    )

    assert (request.status, request.reason, request.requested_by) == (
        "open",
        "Three days without news.",
        customer.admin,
    )
    assert list(selectors.manager_requests_open(viewer=manager)) == [request]
    assert list(selectors.manager_requests_open(viewer=engineer)) == [request]
    assert list(selectors.manager_requests_open(viewer=customer.admin)) == []
    with pytest.raises(ValidationError) as refused:
        services.manager_request_open(actor=customer.admin, case=case, reason="again", at=AT)
    assert refused.value.message_dict == {
        "reason": [f"A manager has yet to answer the open request on {case.number}."]
    }
    with pytest.raises(PermissionDenied, match=r"Only support managers answer \(R-32\)"):
        services.manager_request_answer(actor=engineer, request=request, answer="Hi", at=AT)

    later = AT + timedelta(hours=2)
    answered = services.manager_request_answer(
        actor=manager,
        request=request,
        answer="Sorry. A senior engineer takes over today.",
        resources_adjusted="Assigned to a senior engineer",
        at=later,
    )

    assert (answered.status, answered.answered_by, answered.answered_at) == (
        "answered",
        manager,
        later,
    )
    assert list(selectors.manager_requests_open(viewer=manager)) == []
    events = list(AuditEvent.objects.filter(action__startswith="case.manager").order_by("pk"))
    assert [(e.action, e.actor) for e in events] == [
        ("case.manager_request", customer.admin),
        ("case.manager_answer", manager),
    ]
    assert events[1].changes == {
        "manager_request": [
            None,
            {
                "id": request.pk,
                "status": ["open", "answered"],
                "answer": ["", "Sorry. A senior engineer takes over today."],
                "resources_adjusted": ["", "Assigned to a senior engineer"],
                "answered_by": [None, manager.pk],
                "answered_at": [None, later.isoformat()],
            },
        ]
    }
    told = OutboundMail.objects.get(kind="case_manager_answer", to_address="ops@acme.example")
    assert told.subject == f"[{case.number}] A support manager answers: Backups fail"
    assert "Mia Lind, support manager, answers" in told.body
    assert "What we changed: Assigned to a senior engineer" in told.body
    # answered: a new request may be made
    again = services.manager_request_open(actor=customer.admin, case=case, reason="Still", at=later)
    assert again.status == "open"


def test_who_may_not_ask_for_a_manager_changes_nothing(customer: Customer) -> None:
    case = open_case(customer)
    plain = member(customer.org, "member")
    stranger = member(OrganizationFactory.create(name="Other"), "license_admin")
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.manager_request_open(actor=plain, case=case, reason="x", at=AT)
    with pytest.raises(ObjectDoesNotExist):
        services.manager_request_open(actor=stranger, case=case, reason="x", at=AT)
    with pytest.raises(ValidationError) as refused:
        services.manager_request_open(actor=customer.admin, case=case, reason=" ", at=AT)
    assert refused.value.message_dict == {"reason": ["Say what you are unhappy with (R-32)."]}
    assert (ManagerRequest.objects.count(), AuditEvent.objects.count()) == (0, before)


# --- feature requests (R-33) ----------------------------------------------------------------------


def test_support_files_a_feature_request_for_the_customer(
    customer: Customer, engineer: User
) -> None:
    case = open_case(customer)

    filed = services.feature_request_file(
        actor=engineer,
        case=case,
        title="Export to Parquet",
        wanted_behaviour="Reports export as Parquet.",
        use_case="Our data lake reads Parquet.",
        reference="FR-1234",
        at=AT,
    )

    assert (filed.title, filed.reference, filed.filed_by, filed.case) == (
        "Export to Parquet",
        "FR-1234",
        engineer,
        case,
    )
    assert AuditEvent.objects.get(action="case.feature_request").changes == {
        "feature_request": [
            None,
            {"id": filed.pk, "title": "Export to Parquet", "reference": "FR-1234"},
        ]
    }
    told = OutboundMail.objects.get(kind="case_feature_request", to_address="ops@acme.example")
    assert "Export to Parquet (reference FR-1234)." in told.body
    with pytest.raises(PermissionDenied, match=r"Support files feature requests \(R-33\)"):
        services.feature_request_file(
            actor=customer.admin, case=case, title="t", wanted_behaviour="w", use_case="u", at=AT
        )
    with pytest.raises(ValidationError) as refused:
        services.feature_request_file(
            actor=engineer, case=case, title="", wanted_behaviour=" ", use_case="", at=AT
        )
    assert refused.value.message_dict == {
        "title": ["This field is required."],
        "wanted_behaviour": ["Describe the wanted behaviour (R-33)."],
        "use_case": ["Describe the use case (R-33)."],
    }
    assert FeatureRequest.objects.count() == 1


# --- third-party software (R-35) ------------------------------------------------------------------


def test_a_tsanet_referral_is_recorded_and_the_case_waits_for_the_third_party(
    customer: Customer, engineer: User
) -> None:
    case = open_case(customer)
    Case.objects.filter(pk=case.pk).update(status="in_progress")

    suspected = services.third_party_record(
        actor=engineer, case=case, vendor="Storage Inc.", action="suspected",
        product="StorOS 9", expected_version=1, at=AT,
    )  # fmt: skip
    case.refresh_from_db()
    assert (case.status, case.version) == ("in_progress", 2)
    referral = services.third_party_record(
        actor=engineer, case=case, vendor="Storage Inc.", action="tsanet",
        reference="TSA-77", expected_version=2, at=AT,
    )  # fmt: skip

    case.refresh_from_db()
    assert (case.status, case.version) == ("waiting_for_third_party", 3)
    assert [r.action for r in selectors.third_party_referrals_of(case)] == ["suspected", "tsanet"]
    assert (suspected.product, referral.reference) == ("StorOS 9", "TSA-77")
    assert AuditEvent.objects.filter(action="case.third_party").last().changes == {  # type: ignore[union-attr]
        "status": ["in_progress", "waiting_for_third_party"],
        "version": [2, 3],
        "third_party": [
            None,
            {
                "id": referral.pk,
                "vendor": "Storage Inc.",
                "action": "tsanet",
                "reference": "TSA-77",
            },
        ],
    }


def test_third_party_refusals_name_their_field(customer: Customer, engineer: User) -> None:
    case = open_case(customer)
    Case.objects.filter(pk=case.pk).update(status="closed")
    for kw, errors in (
        ({"vendor": " ", "action": "tsanet"}, {"vendor": ["Name the third-party vendor (R-35)."]}),
        ({"vendor": "V", "action": "phoned"}, {"action": [
            "Unknown action 'phoned' (one of: suspected, removal_requested, tsanet, "
            "customer_opens_vendor_case)."]}),
        ({"vendor": "V", "action": "tsanet"}, {"action": [
            "a case cannot go from closed to waiting_for_third_party (from closed, engineer "
            "may go to: none)"]}),
    ):  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            services.third_party_record(actor=engineer, case=case, expected_version=1, at=AT, **kw)
        assert refused.value.message_dict == errors
    with pytest.raises(PermissionDenied):
        services.third_party_record(
            actor=customer.admin, case=case, vendor="V", action="suspected",
            expected_version=1, at=AT,
        )  # fmt: skip
    assert ThirdPartyReferral.objects.count() == 0


# --- diagnostics (R-27) ---------------------------------------------------------------------------


def test_support_asks_for_a_remote_session_and_comes_back_with_findings(
    customer: Customer, engineer: User
) -> None:
    case = open_case(customer)
    session = datetime(2026, 10, 6, 12, 0, tzinfo=UTC)

    request = services.diagnostics_request(
        actor=engineer, case=case, kind="remote_session", what="Check the proxy settings",
        session_at=session, expected_version=1, at=AT,
    )  # fmt: skip

    case.refresh_from_db()
    assert (case.status, case.version) == ("waiting_for_customer", 2)
    told = OutboundMail.objects.get(kind="case_diagnostics", to_address="ops@acme.example")
    assert told.subject == f"[{case.number}] We need diagnostics: Backups fail"
    assert "(Remote session):\n\nCheck the proxy settings" in told.body
    assert "a short remote session on Tue 06 Oct 2026 14:00 CEST" in told.body

    done = services.diagnostics_fulfil(
        actor=engineer, request=request, findings="The proxy drops TLS 1.3.", at=session
    )
    assert (done.fulfilled_at, done.findings) == (session, "The proxy drops TLS 1.3.")
    with pytest.raises(ValidationError) as refused:
        services.diagnostics_fulfil(actor=engineer, request=request, findings="x", at=session)
    assert refused.value.message_dict == {"findings": ["These diagnostics are analysed already."]}
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="case.diag")] == [
        "case.diagnostics_request",
        "case.diagnostics_fulfil",
    ]


def test_diagnostics_refusals_name_their_field(customer: Customer, engineer: User) -> None:
    case = open_case(customer)
    for kw, errors in (
        ({"kind": "core_dump", "what": "x"}, {"kind": [
            "Unknown kind 'core_dump' (one of: log_upload, remote_session)."]}),
        ({"kind": "log_upload", "what": ""}, {"what": [
            "Say which logs or checks are needed (R-27)."]}),
        ({"kind": "log_upload", "what": "x", "session_at": AT + timedelta(days=1)},
         {"session_at": ["Only a remote session has a time."]}),
        ({"kind": "remote_session", "what": "x", "session_at": AT - timedelta(days=1)},
         {"session_at": ["A time to come, with its offset."]}),
    ):  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            services.diagnostics_request(actor=engineer, case=case, expected_version=1, at=AT, **kw)
        assert refused.value.message_dict == errors
    with pytest.raises(PermissionDenied, match=r"Support asks for diagnostics \(R-27\)"):
        services.diagnostics_request(
            actor=customer.admin, case=case, kind="log_upload", what="x",
            expected_version=1, at=AT,
        )  # fmt: skip
    assert DiagnosticsRequest.objects.count() == 0
    case.refresh_from_db()
    assert (case.status, case.version) == ("new", 1)
