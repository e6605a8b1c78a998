"""Contact attempts (R-29): logging them, the worker's closure after the third business day of
the customer without an answer, the customer told why, and a new case that follows the old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from supportdesk.accounts.models import User
from supportdesk.audit.models import AuditEvent
from supportdesk.cases import selectors, services
from supportdesk.cases.models import Case, ContactAttempt
from supportdesk.notifications.models import OutboundMail
from supportdesk.surveys.models import Survey
from tests.accounts.factories import StaffFactory
from tests.cases.test_services import Customer, make_customer, open_case

pytestmark = pytest.mark.django_db

#: Monday 5 October 2026, 10:00 in Berlin (CEST)
MON = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def customer() -> Customer:
    return make_customer()


@pytest.fixture
def engineer() -> User:
    return StaffFactory.create(username="erin")


def log(
    case: Case, engineer: User, made_at: datetime, outcome: str = "no_answer", **kw: Any
) -> ContactAttempt:
    case.refresh_from_db()
    return services.contact_attempt_log(
        actor=kw.pop("actor", engineer),
        case=case,
        channel=kw.pop("channel", "email" if outcome == "no_reply" else "phone"),
        outcome=outcome,
        made_at=made_at,
        expected_version=case.version,
        at=kw.pop("at", made_at + timedelta(minutes=5)),
        **kw,
    )


def queued(task: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=f"supportdesk.cases.tasks.{task}"))


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker closes stale connections as it wakes up; the test's connection holds the
    test's transaction, and must stay open (PostgreSQL)."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def run_worker() -> None:
    """The real worker of ``supportdesk worker``, once over every task that is due now."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    ).run()


def test_three_unanswered_days_close_the_case_through_the_worker(
    customer: Customer, engineer: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_case(customer)
    with django_capture_on_commit_callbacks(execute=True):
        first = log(case, engineer, MON, note="Called the mobile")
        log(case, engineer, MON + DAY, "voicemail")
        log(case, engineer, MON + 2 * DAY + timedelta(hours=7), "no_reply")

    case.refresh_from_db()
    # closable from Thursday 8 October, 00:00 in Berlin
    closable = datetime(2026, 10, 7, 22, 0, tzinfo=UTC)
    assert (case.status, case.contact_closable_at, case.version) == (
        "waiting_for_customer",
        closable,
        4,
    )
    assert (first.channel, first.outcome, first.note, first.made_by) == (
        "phone",
        "no_answer",
        "Called the mobile",
        engineer,
    )
    events = list(AuditEvent.objects.filter(action="case.contact_attempt").order_by("pk"))
    assert [e.actor for e in events] == [engineer] * 3
    assert events[0].changes == {
        "status": ["new", "waiting_for_customer"],
        "version": [1, 2],
        "contact_attempt": [
            None,
            {
                "id": first.pk,
                "channel": "phone",
                "outcome": "no_answer",
                "made_at": MON.isoformat(),
                "counted": True,
                "why": "attempt 1 of 3",
            },
        ],
    }
    assert events[2].changes["contact_closable_at"] == [None, closable.isoformat()]
    (close_task,) = queued("case_contact_close")
    assert (close_task.run_after, close_task.args_kwargs["args"]) == (closable, [case.pk])
    # each unanswered attempt is mailed to the contact and the opener, through the outbox
    assert OutboundMail.objects.filter(kind="contact_attempt").count() == 6

    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    run_worker()  # the mail the closure queued

    case.refresh_from_db()
    assert case.status == "closed"
    assert case.contact_closable_at is None
    assert case.close_reason == (
        f"Case {case.number} is closed: we tried to reach you on 3 different business days "
        "(Mon 05 Oct 2026, Tue 06 Oct 2026, Wed 07 Oct 2026) and had no answer (R-29)."
    )
    closing = AuditEvent.objects.get(action="case.close_unreachable")
    assert closing.actor is None
    assert case.closed_at is not None  # the worker's own clock
    assert closing.changes == {
        "status": ["waiting_for_customer", "closed"],
        "closed_at": [None, case.closed_at.isoformat()],
        "contact_closable_at": [closable.isoformat(), None],
        "close_reason": ["", case.close_reason],
        "version": [4, 5],
        "attempt_days": [None, ["2026-10-05", "2026-10-06", "2026-10-07"]],
    }
    assert list(Survey.objects.values_list("case", "recipient_email")) == [
        (case.pk, "ops@acme.example")
    ]
    subjects = [m.subject for m in mail.outbox if "ops@" in m.to[0]]
    assert subjects.count(f"[{case.number}] We tried to reach you: Backups fail") == 3
    assert f"[{case.number}] Case closed: we could not reach you" in subjects
    third = [m for m in mail.outbox if "We tried" in m.subject and "ops@" in m.to[0]][2]
    assert "(E-mail, Wed 07 Oct 2026 17:00 CEST) and could not: e-mail sent, no reply." in (
        third.body
    )
    assert "may be closed from Thu 08 Oct 2026 00:00 CEST unless you answer (R-29)" in third.body
    closed = [m for m in mail.outbox if "Case closed" in m.subject]
    assert sorted(m.to[0] for m in closed) == ["admin@acme.example", "ops@acme.example"]
    assert case.close_reason in closed[0].body
    assert f"give {case.number} as the case it follows" in closed[0].body

    # a second run of the task changes nothing
    assert services.case_close_unreachable(case_id=case.pk, at=closable + DAY) is None
    assert AuditEvent.objects.filter(action="case.close_unreachable").count() == 1


def test_weekends_holidays_and_a_second_call_the_same_day_do_not_count(
    customer: Customer, engineer: User
) -> None:
    case = open_case(customer)
    friday = datetime(2026, 12, 18, 9, 0, tzinfo=UTC)
    log(case, engineer, friday)
    log(case, engineer, friday + timedelta(hours=6))  # the same Friday
    log(case, engineer, friday + DAY)  # Saturday
    log(case, engineer, friday + 3 * DAY)  # Monday 21
    log(case, engineer, friday + 7 * DAY)  # Friday 25: Christmas Day in Germany

    case.refresh_from_db()
    count = selectors.contact_attempt_count(case)
    assert [j.why for j in count.judged] == [
        "attempt 1 of 3",
        "2026-12-18 already has an attempt",
        "Saturday 2026-12-19 is not a business day of the customer",
        "attempt 2 of 3",
        "2026-12-25 is a public holiday (Christmas Day) of the customer",
    ]
    assert case.contact_closable_at is None
    assert queued("case_contact_close") == []


def test_an_answer_of_the_customer_stops_the_closure(
    customer: Customer, engineer: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_case(customer)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            log(case, engineer, MON + n * DAY)
    case.refresh_from_db()
    services.case_comment_add(
        actor=customer.admin,
        case=case,
        body="Sorry, I was away",
        expected_version=case.version,
        at=MON + 2 * DAY + timedelta(hours=5),
    )
    case.refresh_from_db()
    assert case.contact_closable_at is None
    assert AuditEvent.objects.filter(action="case.comment").get().changes[
        "contact_closable_at"
    ] == [datetime(2026, 10, 7, 22, 0, tzinfo=UTC).isoformat(), None]

    run_worker()

    case.refresh_from_db()
    assert case.status == "waiting_for_customer"
    assert not AuditEvent.objects.filter(action="case.close_unreachable").exists()


def test_reaching_the_customer_ends_the_wait_and_starts_the_count_again(
    customer: Customer, engineer: User
) -> None:
    case = open_case(customer)
    log(case, engineer, MON)
    log(case, engineer, MON + DAY)
    reached = log(case, engineer, MON + 2 * DAY, "reached")

    case.refresh_from_db()
    assert case.status == "in_progress"
    assert AuditEvent.objects.filter(action="case.contact_attempt").last().changes == {  # type: ignore[union-attr]
        "status": ["waiting_for_customer", "in_progress"],
        "version": [3, 4],
        "contact_attempt": [
            None,
            {
                "id": reached.pk,
                "channel": "phone",
                "outcome": "reached",
                "made_at": (MON + 2 * DAY).isoformat(),
                "counted": False,
                "why": "reached: the count starts again",
            },
        ],
    }
    log(case, engineer, MON + 3 * DAY)
    case.refresh_from_db()
    assert case.status == "waiting_for_customer"
    assert selectors.contact_attempt_count(case).days == ((MON + 3 * DAY).date(),)


def test_the_worker_early_does_nothing_and_asks_again_for_later(
    customer: Customer, engineer: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_case(customer)
    for n in range(3):
        log(case, engineer, MON + n * DAY)
    closable = datetime(2026, 10, 7, 22, 0, tzinfo=UTC)
    DBTaskResult.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        early = services.case_close_unreachable(case_id=case.pk, at=closable - timedelta(hours=1))

    assert early is None
    (again,) = queued("case_contact_close")
    assert again.run_after == closable
    case.refresh_from_db()
    assert (case.status, case.version) == ("waiting_for_customer", 4)


def test_only_support_logs_attempts_and_a_refusal_changes_nothing(
    customer: Customer, engineer: User
) -> None:
    case = open_case(customer)
    before = (ContactAttempt.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied, match=r"Only support staff log contact attempts \(R-29\)"):
        log(case, engineer, MON, actor=customer.admin)
    outsider = make_customer_elsewhere()
    with pytest.raises(ObjectDoesNotExist):
        log(case, engineer, MON, actor=outsider)
    assert (ContactAttempt.objects.count(), AuditEvent.objects.count()) == before


def make_customer_elsewhere() -> User:
    from tests.accounts.factories import OrganizationFactory, member

    return member(OrganizationFactory.create(name="Elsewhere"), "license_admin")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"channel": "fax"}, "channel", "unknown channel 'fax' (one of: phone, email)"),
        (
            {"outcome": "no_reply"},
            "outcome",
            "'no_reply' is not an outcome of phone (no_answer, voicemail, busy, reached)",
        ),
        ({"at": MON - DAY}, "made_at", "An attempt is logged once it is made, not before."),
        (
            {"made_at": datetime(2026, 5, 1, tzinfo=UTC)},
            "made_at",
            "Case C-2026-000001 was not open yet then.",
        ),
        (
            {"made_at": datetime(2026, 10, 5, 10, 0)},  # noqa: DTZ001
            "made_at",
            "Give the time with its offset (such as +01:00).",
        ),
    ],
)
def test_bad_input_names_its_field(
    customer: Customer, engineer: User, change: dict[str, Any], field: str, message: str
) -> None:
    case = open_case(customer)
    kw: dict[str, Any] = {"channel": "phone", "outcome": "no_answer", "made_at": MON}
    kw.update(change)
    made_at = kw.pop("made_at")
    with pytest.raises(ValidationError) as refused:
        services.contact_attempt_log(
            actor=engineer,
            case=case,
            expected_version=1,
            made_at=made_at,
            at=kw.pop("at", MON + timedelta(minutes=5)),
            **kw,
        )
    assert refused.value.message_dict == {field: [message]}
    assert ContactAttempt.objects.count() == 0
    case.refresh_from_db()
    assert (case.status, case.version) == ("new", 1)


def test_no_attempt_on_a_closed_case_or_one_waiting_for_a_vendor(
    customer: Customer, engineer: User
) -> None:
    case = open_case(customer)
    Case.objects.filter(pk=case.pk).update(status="waiting_for_third_party")
    with pytest.raises(ValidationError) as refused:
        log(case, engineer, MON)
    assert refused.value.message_dict == {
        "status": [
            "No contact attempt on a case that is waiting_for_third_party: a case cannot go "
            "from waiting_for_third_party to waiting_for_customer (from "
            "waiting_for_third_party, engineer may go to: in_progress, closed)"
        ]
    }
    Case.objects.filter(pk=case.pk).update(status="closed")
    with pytest.raises(ValidationError) as refused:
        log(case, engineer, MON)
    assert refused.value.message_dict == {
        "status": [f"Case {case.number} is closed: open a new one."]
    }
    assert ContactAttempt.objects.count() == 0


# --- a new case that follows the closed one (R-29) -----------------------------------------------


def test_the_customer_opens_a_new_case_that_follows_the_closed_one(customer: Customer) -> None:
    old = open_case(customer)
    Case.objects.filter(pk=old.pk).update(status="closed")

    new = open_case(customer, follows=old.number.lower(), at=MON)

    assert new.follows == old
    assert list(old.followed_by.all()) == [new]
    event = AuditEvent.objects.filter(action="case.open").last()
    assert event is not None
    assert event.changes["follows"] == [None, old.pk]


def test_a_case_can_follow_only_a_closed_case_of_the_same_customer(customer: Customer) -> None:
    old = open_case(customer)
    before = Case.objects.count()
    with pytest.raises(ValidationError) as refused:
        open_case(customer, follows=old.number, at=MON)
    assert refused.value.message_dict == {
        "follows": [f"{old.number} is still open: comment on it rather than open a new case."]
    }
    with pytest.raises(ValidationError) as refused:
        open_case(customer, follows="C-2026-999999", at=MON)
    assert refused.value.message_dict == {"follows": ["C-2026-999999 is not a case of Acme."]}
    assert Case.objects.count() == before


def test_the_choices_mirror_the_policy_core() -> None:
    from supportdesk.cases.choices import ContactChannel, ContactOutcome
    from supportdesk.policy.contact_attempts import CHANNELS, OUTCOMES

    assert dict(ContactChannel.choices) == dict(CHANNELS)
    assert dict(ContactOutcome.choices) == {k: label for k, (label, _) in OUTCOMES.items()}
