"""The console's case page: its timeline (contact attempts and attachments beside comments
and audit events), the actions of working a case through their services (R-27, R-29, R-30,
R-31, R-35), and the hand-over warning of a round-the-clock Severity 1 case (R-15)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from supportdesk.audit.models import AuditEvent
from supportdesk.cases.models import (
    Case,
    ContactAttempt,
    DiagnosticsRequest,
    Resolution,
    ThirdPartyReferral,
)
from supportdesk.routing import selectors
from tests.accounts.factories import EngineerFactory, OrganizationFactory
from tests.attachments.factories import AttachmentFactory
from tests.cases.factories import CaseFactory
from tests.licensing.factories import ProductFactory
from tests.routing.factories import EngineerProfileFactory, QueueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer_and_case() -> tuple[Client, Case]:
    queue = QueueFactory.create(code="l1-mine")
    engineer = EngineerProfileFactory.create(
        queues=[queue], user=EngineerFactory.create(time_zone="Europe/Prague")
    ).user
    case = CaseFactory.create(
        organization=OrganizationFactory.create(),
        product=ProductFactory.create(code="BR"),
        queue=queue,
        status="in_progress",
        contact_phone="+420212345678",
    )
    client = Client()
    client.force_login(engineer)
    return client, case


def _post(client: Client, case: Case, action: str, data: dict[str, Any]) -> Any:
    case.refresh_from_db()
    return client.post(
        f"/console/cases/{case.number}/{action}/", {"expected_version": case.version, **data}
    )


def test_the_timeline_shows_contact_attempts_and_attachments(
    engineer_and_case: tuple[Client, Case],
) -> None:
    client, case = engineer_and_case
    logged = _post(client, case, "contact-attempt", {"channel": "phone", "outcome": "voicemail",
                                                     "note": "left my number"})  # fmt: skip
    AttachmentFactory.create(case=case, filename="job.log", size=2048, sha256="ab" * 32)

    page = client.get(f"/console/cases/{case.number}/").content.decode()

    assert logged.status_code == 302
    assert '<li class="tl-contact">' in page
    assert "Phone call: Left a voicemail. left my number" in page
    assert '<li class="tl-attachment">' in page
    assert "job.log (2.0\xa0KB, SHA-256 abababababab…)" in page
    attempt = ContactAttempt.objects.get(case=case)
    assert (attempt.channel, attempt.outcome, attempt.note) == (
        "phone",
        "voicemail",
        "left my number",
    )
    case.refresh_from_db()
    assert case.status == "waiting_for_customer"  # unanswered
    assert (
        AuditEvent.objects.filter(action="case.contact_attempt", target_id=str(case.pk)).count()
        == 1
    )


def test_diagnostics_third_party_and_resolution_go_through_their_services(
    engineer_and_case: tuple[Client, Case],
) -> None:
    client, case = engineer_and_case

    referred = _post(client, case, "third-party", {"vendor": "Acme SAN", "action": "suspected",
                                                    "reference": "TS-1"})  # fmt: skip
    asked = _post(client, case, "diagnostics", {"kind": "log_upload", "what": "the job logs"})
    resolved = _post(client, case, "resolve", {"type": "software_fix", "summary": "Fixed in 12.1"})

    assert [referred.status_code, asked.status_code, resolved.status_code] == [302, 302, 302]
    request = DiagnosticsRequest.objects.get(case=case)
    assert (request.kind, request.what) == ("log_upload", "the job logs")
    referral = ThirdPartyReferral.objects.get(case=case)
    assert (referral.vendor, referral.action, referral.reference) == (
        "Acme SAN",
        "suspected",
        "TS-1",
    )
    resolution = Resolution.objects.get(case=case)
    assert (resolution.type, resolution.summary) == ("software_fix", "Fixed in 12.1")
    actions = set(
        AuditEvent.objects.filter(target_id=str(case.pk)).values_list("action", flat=True)
    )
    assert {"case.diagnostics_request", "case.third_party", "case.resolution"} <= actions


def test_a_tsanet_referral_waits_for_the_third_party(
    engineer_and_case: tuple[Client, Case],
) -> None:
    client, case = engineer_and_case

    referred = _post(client, case, "third-party", {"vendor": "Acme SAN", "action": "tsanet"})

    assert referred.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.version) == ("waiting_for_third_party", 2)
    assert ThirdPartyReferral.objects.get(case=case).action == "tsanet"


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("resolve", {"type": "software_fix", "summary": " "}, "summary: "),
        ("resolve", {"type": "magic", "summary": "x"}, "type: Select a valid choice."),
        ("contact-attempt", {"channel": "pigeon", "outcome": "reached"}, "channel: Select a valid"),
        ("diagnostics", {"kind": "log_upload", "what": ""}, "what: Say which logs"),
        ("diagnostics", {"kind": "log_upload", "what": "x", "session_at": "soon"},
         "session_at: Enter a valid date/time."),
        ("third-party", {"vendor": "", "action": "tsanet"}, "vendor: Name the third-party vendor"),
    ],
)  # fmt: skip
def test_bad_input_re_renders_the_page_naming_the_field_and_changes_nothing(
    engineer_and_case: tuple[Client, Case], action: str, data: dict[str, Any], message: str
) -> None:
    client, case = engineer_and_case
    events = AuditEvent.objects.count()

    response = _post(client, case, action, data)

    assert response.status_code == 422
    assert message in response.content.decode()
    case.refresh_from_db()
    assert (case.version, case.status, AuditEvent.objects.count()) == (1, "in_progress", events)
    assert not ContactAttempt.objects.exists()
    assert not Resolution.objects.exists()


def test_an_engineer_of_another_queue_gets_404_for_every_action(
    engineer_and_case: tuple[Client, Case],
) -> None:
    _, case = engineer_and_case
    other = Client()
    other.force_login(EngineerProfileFactory.create(queues=[QueueFactory.create()]).user)
    events = AuditEvent.objects.count()

    answers = [
        _post(other, case, "contact-attempt", {"channel": "phone", "outcome": "reached"}),
        _post(other, case, "resolve", {"type": "software_fix", "summary": "x"}),
        _post(other, case, "third-party", {"vendor": "V", "action": "tsanet"}),
        _post(other, case, "diagnostics", {"kind": "log_upload", "what": "x"}),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert AuditEvent.objects.count() == events


# --- round the clock: hand over before the shift ends ----------------------------------

# Monday 30 November 2026, 15:20 in Berlin: the day shift (08:00-16:00) ends in 40 minutes
MONDAY_1520_BERLIN = datetime(2026, 11, 30, 14, 20, tzinfo=UTC)


def _sev1(**kw: Any) -> Case:
    engineer = EngineerProfileFactory.create().user  # Berlin, Monday to Friday 08:00-16:00
    return CaseFactory.create(
        severity=1, round_the_clock=True, status="in_progress", assignee=engineer, **kw
    )


def test_the_hand_over_is_due_at_the_end_of_the_assignee_s_shift_within_the_hour() -> None:
    case = _sev1()
    ends = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)

    assert selectors.hand_over_due(case, at=MONDAY_1520_BERLIN) == ends
    assert selectors.hand_over_due(case, at=MONDAY_1520_BERLIN - timedelta(hours=2)) is None
    assert selectors.hand_over_due(case, at=ends + timedelta(minutes=1)) is None  # off shift
    case.round_the_clock = False
    assert selectors.hand_over_due(case, at=MONDAY_1520_BERLIN) is None
    case.round_the_clock, case.status = True, "resolved"
    assert selectors.hand_over_due(case, at=MONDAY_1520_BERLIN) is None
    assert selectors.hand_over_due(CaseFactory.create(severity=1, round_the_clock=True),
                                   at=MONDAY_1520_BERLIN) is None  # fmt: skip


def test_the_case_page_warns_to_hand_over_and_marks_a_round_the_clock_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = _sev1()
    manager = Client()
    manager.force_login(EngineerFactory.create(staff_role="support_manager", time_zone="UTC"))

    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_1520_BERLIN)
    page = manager.get(f"/console/cases/{case.number}/").content.decode()
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: MONDAY_1520_BERLIN - timedelta(hours=3)
    )
    earlier = manager.get(f"/console/cases/{case.number}/").content.decode()

    assert 'id="hand-over"' in page
    assert "shift ends at <time" in page
    assert "15:00 UTC" in page
    assert '<h1 class="round-the-clock">' in page
    assert "Severity 1 · 24x7 (R-15)" in page
    assert 'id="hand-over"' not in earlier
