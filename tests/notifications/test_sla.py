"""First-response warnings and breaches (R-16): stamped at their true instant whenever the
worker gets to them, one per case and kind, mailed to support through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from pytest_django import Settings

from supportdesk.audit.models import AuditEvent
from supportdesk.notifications.models import OutboundMail, SlaAlert
from supportdesk.notifications.sla import sla_alert_record, sla_alerts_due, sla_alerts_schedule
from supportdesk.notifications.tasks import notifications_sweep
from tests.accounts.factories import CREATED, StaffFactory
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

DUE = CREATED + timedelta(minutes=360)  # the factory's case: due 6 hours after opening


@pytest.fixture
def manager():
    StaffFactory.create(email="eng@vendor.example", staff_role="engineer")
    return StaffFactory.create(
        email="boss@vendor.example", staff_role="support_manager", language="cs"
    )


def test_a_breach_is_stamped_at_the_deadline_though_the_worker_came_hours_later(
    manager,
) -> None:
    case = CaseFactory.create()
    late_worker = DUE + timedelta(hours=5)

    alert = sla_alert_record(case_id=case.pk, kind="first_response_breach", now=late_worker)

    assert alert is not None
    assert (alert.kind, alert.at, alert.due_at, alert.recorded_at) == (
        "first_response_breach",
        DUE,
        DUE,
        late_worker,
    )
    (event,) = AuditEvent.objects.filter(action="case.first_response_breach")
    assert (event.at, event.actor, event.target_id) == (DUE, None, str(case.pk))
    (mail,) = OutboundMail.objects.all()
    assert (mail.to_address, mail.language, mail.kind) == (
        "boss@vendor.example",
        "cs",
        "sla_breach",
    )
    assert mail.subject == (
        f"[{case.number}] Termín první odpovědi zmeškán (závažnost 3): Backups fail"
    )
    assert f"měl dostat první odpověď do 2026-06-01 15:00 ({manager.time_zone})" in mail.body


def test_each_alert_is_recorded_once(manager) -> None:
    case = CaseFactory.create()

    first = sla_alert_record(case_id=case.pk, kind="first_response_breach", now=DUE)
    again = sla_alert_record(case_id=case.pk, kind="first_response_breach", now=DUE)

    assert first is not None
    assert again is None
    assert SlaAlert.objects.count() == 1
    assert OutboundMail.objects.count() == 1


def test_a_warning_comes_the_lead_before_and_not_after_the_deadline(
    manager, settings: Settings
) -> None:
    settings.SUPPORTDESK_SLA_WARNING_MINUTES = 30
    case = CaseFactory.create()
    other = CaseFactory.create()

    early = sla_alert_record(
        case_id=case.pk, kind="first_response_warning", now=DUE - timedelta(minutes=31)
    )
    warned = sla_alert_record(
        case_id=case.pk, kind="first_response_warning", now=DUE - timedelta(minutes=10)
    )
    too_late = sla_alert_record(case_id=other.pk, kind="first_response_warning", now=DUE)

    assert early is None
    assert too_late is None
    assert warned is not None
    assert (warned.at, warned.recorded_at) == (
        DUE - timedelta(minutes=30),
        DUE - timedelta(minutes=10),
    )
    assert [m.kind for m in OutboundMail.objects.all()] == ["sla_warning"]


def test_a_case_answered_in_time_or_closed_gets_no_alert(manager) -> None:
    answered = CaseFactory.create(first_responded_at=DUE - timedelta(minutes=1))
    closed = CaseFactory.create(status="closed")
    late_answer = CaseFactory.create(first_responded_at=DUE + timedelta(minutes=5))

    for case in (answered, closed):
        for kind in ("first_response_warning", "first_response_breach"):
            assert (
                sla_alert_record(case_id=case.pk, kind=kind, now=DUE + timedelta(hours=1)) is None
            )
    # answered, but late, while the worker was down: the breach is still recorded
    breach = sla_alert_record(
        case_id=late_answer.pk, kind="first_response_breach", now=DUE + timedelta(hours=1)
    )
    assert breach is not None
    assert breach.at == DUE


def test_the_assignee_is_alerted_when_the_case_has_one(manager) -> None:
    engineer = StaffFactory.create(email="owner@vendor.example")
    case = CaseFactory.create()
    setattr(case, "assignee", engineer)  # noqa: B010 (the routing app adds the field)

    from supportdesk.notifications import sla

    assert sla._recipients(case) == [engineer]
    assert sla._recipients(CaseFactory.create()) == [manager]


def test_the_sweep_records_what_is_due_and_only_that(manager, settings: Settings) -> None:
    settings.SUPPORTDESK_SLA_WARNING_MINUTES = 15
    overdue = CaseFactory.create()
    soon = CaseFactory.create(first_response_due_at=DUE + timedelta(minutes=10))
    later = CaseFactory.create(first_response_due_at=DUE + timedelta(hours=3))

    recorded = sla_alerts_due(now=DUE)
    again = sla_alerts_due(now=DUE)

    assert (recorded, again) == (2, 0)
    assert sorted((a.case_id, a.kind) for a in SlaAlert.objects.all()) == sorted(
        [(overdue.pk, "first_response_breach"), (soon.pk, "first_response_warning")]
    )
    assert not SlaAlert.objects.filter(case=later).exists()


def test_checks_are_scheduled_at_the_warning_and_the_deadline(settings: Settings) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.SUPPORTDESK_SLA_WARNING_MINUTES = 15
    case = CaseFactory.create()

    sla_alerts_schedule(case=case)

    assert sorted((t.args_kwargs["args"][1], t.run_after) for t in DBTaskResult.objects.all()) == [
        ("first_response_breach", DUE),
        ("first_response_warning", DUE - timedelta(minutes=15)),
    ]


def test_the_sweep_task_schedules_one_next_sweep(manager) -> None:
    from django_tasks_db.models import DBTaskResult

    notifications_sweep.call()
    notifications_sweep.call()

    assert DBTaskResult.objects.filter(task_path=notifications_sweep.module_path).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_two_workers_at_once_record_one_breach_and_one_mail() -> None:
    from tests.cases.test_concurrency import together

    StaffFactory.create(email="boss@vendor.example", staff_role="support_manager")
    case = CaseFactory.create()

    results = together(
        *[
            lambda: sla_alert_record(
                case_id=case.pk, kind="first_response_breach", now=DUE + timedelta(hours=1)
            )
            for _ in range(4)
        ]
    )

    assert sorted(type(r).__name__ for r in results) == ["NoneType"] * 3 + ["SlaAlert"]
    assert SlaAlert.objects.count() == 1
    assert OutboundMail.objects.count() == 1
    assert AuditEvent.objects.filter(action="case.first_response_breach").count() == 1
