"""Resolutions (R-30, R-31): each type's effect on the case, the severity history, the action
plan's milestones told to the customer, the audit trail, and refusals that change nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from supportdesk.accounts.models import User
from supportdesk.audit.models import AuditEvent
from supportdesk.cases import services
from supportdesk.cases.models import Case, Milestone, Resolution, SeverityChange
from supportdesk.cases.services import MilestoneIn
from supportdesk.notifications.models import OutboundMail
from supportdesk.surveys.models import Survey
from tests.accounts.factories import StaffFactory
from tests.cases.test_services import Customer, make_customer, open_case

pytestmark = pytest.mark.django_db

AT = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def customer() -> Customer:
    return make_customer()


@pytest.fixture
def engineer() -> User:
    return StaffFactory.create(username="erin")


def resolve(case: Case, actor: User, type: str, **kw: Any) -> Resolution:
    case.refresh_from_db()
    return services.resolution_record(
        actor=actor,
        case=case,
        type=type,
        summary=kw.pop("summary", "Install patch P3."),
        expected_version=case.version,
        at=kw.pop("at", AT),
        **kw,
    )


def moved(case: Case, status: str) -> Case:
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return case


def test_a_software_fix_closes_the_case_and_tells_the_customer(
    customer: Customer, engineer: User
) -> None:
    case = moved(open_case(customer), "in_progress")

    resolution = resolve(case, engineer, "software_fix")

    case.refresh_from_db()
    assert (case.status, case.severity, case.version) == ("closed", 3, 2)
    assert case.close_reason == "Software that fixes the problem: the case is closed (R-30)."
    assert (
        resolution.status_before,
        resolution.status_after,
        resolution.severity_before,
        resolution.severity_after,
        resolution.by,
    ) == ("in_progress", "closed", 3, 3, engineer)
    event = AuditEvent.objects.get(action="case.resolution")
    assert event.actor == engineer
    assert case.closed_at == AT
    assert event.changes == {
        "status": ["in_progress", "closed"],
        "closed_at": [None, AT.isoformat()],
        "close_reason": ["", case.close_reason],
        "version": [1, 2],
        "resolution": [
            None,
            {
                "id": resolution.pk,
                "type": "software_fix",
                "out_of_scope_reason": "",
                "milestones": [],
            },
        ],
    }
    # the closed case's contact is invited to the survey
    assert list(Survey.objects.values_list("case", "recipient_email")) == [
        (case.pk, "ops@acme.example")
    ]
    mails = OutboundMail.objects.filter(kind="case_resolution").order_by("to_address")
    assert [m.to_address for m in mails] == ["admin@acme.example", "ops@acme.example"]
    assert mails[0].subject == f"[{case.number}] Software that fixes the problem: Backups fail"
    assert "Install patch P3." in mails[0].body
    assert case.close_reason in mails[0].body


def test_a_temporary_workaround_keeps_the_case_open_and_lowers_the_severity(
    customer: Customer, engineer: User
) -> None:
    case = open_case(customer)  # new, Severity 3

    resolve(case, engineer, "temporary_workaround", new_severity=4, summary="Restart nightly.")

    case.refresh_from_db()
    assert (case.status, case.severity, case.close_reason) == ("in_progress", 4, "")
    assert not Survey.objects.exists()  # still open: no survey
    lowered = SeverityChange.objects.get(kind="lowered")
    assert (lowered.from_severity, lowered.to_severity, lowered.by, lowered.reason) == (
        3,
        4,
        engineer,
        "Temporary workaround: Restart nightly.",
    )
    assert AuditEvent.objects.get(action="case.resolution").changes["severity"] == [3, 4]


def test_an_action_plan_has_milestones_told_to_the_customer_and_tracked(
    customer: Customer, engineer: User
) -> None:
    case = moved(open_case(customer), "waiting_for_customer")
    plan = [
        MilestoneIn("Reproduce in the lab", date(2026, 10, 9)),
        MilestoneIn("Patch built", date(2026, 10, 30), depends_on="the storage vendor's SDK"),
    ]

    resolution = resolve(case, engineer, "action_plan", milestones=plan, new_severity=4)

    case.refresh_from_db()
    assert (case.status, case.severity) == ("waiting_for_customer", 4)
    assert [
        (m.position, m.title, m.due_on, m.depends_on, m.done_at) for m in Milestone.objects.all()
    ] == [
        (1, "Reproduce in the lab", date(2026, 10, 9), "", None),
        (2, "Patch built", date(2026, 10, 30), "the storage vendor's SDK", None),
    ]
    told = OutboundMail.objects.filter(kind="case_resolution", to_address="ops@acme.example").get()
    assert "1. Reproduce in the lab, by 2026-10-09\n" in told.body
    assert "2. Patch built, by 2026-10-30 (depends on: the storage vendor's SDK)" in told.body

    first = resolution.milestones.get(position=1)
    done_at = AT + timedelta(days=3)
    services.milestone_complete(
        actor=engineer, milestone=first, expected_version=case.version, at=done_at
    )
    first.refresh_from_db()
    case.refresh_from_db()
    assert (first.done_at, case.version) == (done_at, 3)
    assert AuditEvent.objects.get(action="case.milestone_done").changes == {
        "version": [2, 3],
        "milestone": [
            None,
            {"id": first.pk, "title": "Reproduce in the lab", "done_at": done_at.isoformat()},
        ],
    }
    reached = OutboundMail.objects.filter(
        kind="case_milestone", to_address="ops@acme.example"
    ).get()
    assert reached.subject == f"[{case.number}] Milestone reached: Reproduce in the lab"
    with pytest.raises(ValidationError) as refused:
        services.milestone_complete(actor=engineer, milestone=first, expected_version=3, at=done_at)
    assert refused.value.message_dict == {"milestone": ["Milestone 1 is reached already."]}
    with pytest.raises(PermissionDenied):
        services.milestone_complete(
            actor=customer.admin, milestone=resolution.milestones.get(position=2),
            expected_version=3, at=done_at,
        )  # fmt: skip
    assert Milestone.objects.filter(done_at__isnull=False).count() == 1


@pytest.mark.parametrize(
    ("status", "reason", "told"),
    [
        ("waiting_for_third_party", "installation", "Installation of the products"),
        ("new", "custom_scripts", "Writing or debugging custom scripts"),
    ],
)
def test_an_out_of_scope_request_is_closed_with_its_reason(
    customer: Customer, engineer: User, status: str, reason: str, told: str
) -> None:
    case = moved(open_case(customer), status)

    resolution = resolve(case, engineer, "out_of_scope", out_of_scope_reason=reason)

    case.refresh_from_db()
    assert case.status == "closed"
    assert (
        case.close_reason == f"{told} is outside the scope of support: the case is closed (R-31)."
    )
    assert resolution.out_of_scope_reason == reason


def test_an_enhancement_outside_maintenance_closes_the_case(
    customer: Customer, engineer: User
) -> None:
    case = moved(open_case(customer), "in_progress")
    resolve(case, engineer, "enhancement_needed", summary="Needs a custom connector.")
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (
        "closed",
        "The problem needs a customization or enhancement outside maintenance: the case is "
        "closed (R-30).",
    )


def state() -> tuple[int, ...]:
    return (
        Resolution.objects.count(),
        Milestone.objects.count(),
        SeverityChange.objects.count(),
        AuditEvent.objects.count(),
        OutboundMail.objects.count(),
    )


@pytest.mark.parametrize(
    ("kw", "errors"),
    [
        ({"type": "temporary_workaround"}, {"new_severity": [
            "a temporary workaround lowers the severity: give the new one (R-30)"]}),
        ({"type": "action_plan"}, {"milestones": [
            "an action plan has milestones, with their dates and dependencies (R-30)"]}),
        ({"type": "action_plan", "milestones": [MilestoneIn(" ", date(2026, 11, 1)),
                                                MilestoneIn("ok", "soon")]},  # type: ignore[arg-type]
         {"milestones.0.title": ["This field is required."],
          "milestones.1.due_on": ["A date, such as 2026-12-01."]}),
        ({"type": "out_of_scope"}, {"out_of_scope_reason": [
            "say what is out of scope (one of: installation, configuration, upgrade, "
            "custom_scripts) (R-31)"]}),
        ({"type": "software_fix", "summary": "  "}, {"summary": [
            "Say what the resolution is (R-30)."]}),
        ({"type": "fixed"}, {"type": [
            "unknown resolution 'fixed' (one of: software_fix, permanent_workaround, "
            "temporary_workaround, action_plan, enhancement_needed, out_of_scope)"]}),
    ],
)  # fmt: skip
def test_bad_resolutions_name_their_field_and_change_nothing(
    customer: Customer, engineer: User, kw: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    case = moved(open_case(customer), "in_progress")
    before = state()
    with pytest.raises(ValidationError) as refused:
        resolve(case, engineer, kw.pop("type"), **kw)
    assert refused.value.message_dict == errors
    assert state() == before
    case.refresh_from_db()
    assert (case.status, case.severity, case.version) == ("in_progress", 3, 1)


def test_only_support_resolves_and_a_closed_case_takes_no_resolution(
    customer: Customer, engineer: User
) -> None:
    case = moved(open_case(customer), "in_progress")
    before = state()
    with pytest.raises(PermissionDenied, match=r"Only support staff resolve cases \(R-30\)\."):
        resolve(case, customer.admin, "software_fix")
    moved(case, "closed")
    with pytest.raises(ValidationError) as refused:
        resolve(case, engineer, "software_fix")
    assert refused.value.message_dict == {
        "status": ["the case is closed: it takes no more resolutions"]
    }
    assert state() == before
