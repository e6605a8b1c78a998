"""First-response warnings and breaches (R-16), recorded by the worker.

Opening a case (and re-basing its clock) schedules two checks with ``run_after``: the warning
a configurable time ahead of the deadline, and the breach at the deadline. Each check
records one :class:`SlaAlert` per case and kind (a unique constraint: two workers, or a check
and the sweep, record it once) stamped with the instant it stands for, so a breach is dated
at the true deadline even when no worker ran at that moment; the alert's mail goes through
the outbox in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from supportdesk.accounts.choices import StaffRole
from supportdesk.accounts.models import User
from supportdesk.audit.services import audit_event_record
from supportdesk.cases.choices import CaseStatus
from supportdesk.cases.models import Case
from supportdesk.notifications.choices import SlaAlertKind
from supportdesk.notifications.mail import local_time
from supportdesk.notifications.models import SlaAlert
from supportdesk.notifications.services import mail_queue
from supportdesk.taskqueue import enqueue

DONE = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


def warning_lead() -> timedelta:
    return timedelta(minutes=float(settings.SUPPORTDESK_SLA_WARNING_MINUTES))


def alert_instant(case: Case, kind: str) -> datetime | None:
    """The instant an alert of ``kind`` stands for: the deadline for a breach, the lead
    before it (not before the opening) for a warning; None without a deadline."""
    due = case.first_response_due_at
    if due is None:
        return None
    if kind == SlaAlertKind.BREACH:
        return due
    return max(due - warning_lead(), case.opened_at)


def sla_alerts_schedule(*, case: Case) -> None:
    """Queue the checks of ``case``'s first-response deadline (inside the transaction that
    opens the case or moves its deadline; a check of an old deadline finds nothing to do)."""
    from supportdesk.notifications.tasks import sla_alert_check

    if case.first_response_due_at is None or case.first_responded_at is not None:
        return
    for kind in (SlaAlertKind.WARNING, SlaAlertKind.BREACH):
        instant = alert_instant(case, kind)
        enqueue(sla_alert_check, case.pk, str(kind), run_after=instant)


def _recipients(case: Case) -> list[User]:
    """Who hears of it: the case's assignee when it has one, else the support managers,
    else every active staff member."""
    assignee = getattr(case, "assignee", None)
    if isinstance(assignee, User) and assignee.is_active and assignee.email:
        return [assignee]
    staff = User.objects.filter(is_staff=True, is_active=True).exclude(email="")
    managers = list(staff.filter(staff_role=StaffRole.SUPPORT_MANAGER).order_by("pk"))
    return managers or list(staff.order_by("pk"))


def _missed(case: Case, kind: str, now: datetime) -> datetime | None:
    """The instant the alert stands for, if it is due at ``now``: not answered before it,
    and (for a warning) the deadline not passed yet."""
    instant = alert_instant(case, kind)
    due = case.first_response_due_at
    if instant is None or due is None or instant > now:
        return None
    if case.first_responded_at is not None and case.first_responded_at <= due:
        return None
    if kind == SlaAlertKind.WARNING and (now >= due or case.first_responded_at is not None):
        return None  # a warning after the deadline warns of nothing: the breach says it
    if case.status in DONE:
        return None  # resolved or closed without a first response: nothing left to answer
    return instant


def sla_alert_record(*, case_id: int, kind: str, now: datetime) -> SlaAlert | None:
    """Record the ``kind`` alert of the case if it is due at ``now`` and not recorded yet,
    with its audit event and its mail; None when there is nothing to record."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or kind not in SlaAlertKind.values:
        return None
    instant = _missed(case, kind, now)
    if instant is None or case.first_response_due_at is None:
        return None
    due = case.first_response_due_at
    try:
        with transaction.atomic():
            alert = SlaAlert.objects.create(
                case=case, kind=kind, due_at=due, at=instant, recorded_at=now
            )
            audit_event_record(
                actor=None,
                action=f"case.{kind}",
                target=case,
                changes={
                    "alert": [None, kind],
                    "first_response_due_at": [None, due.isoformat()],
                    "recorded_at": [None, now.isoformat()],
                },
                at=instant,
            )
            for person in _recipients(case):
                mail_queue(
                    to=person.email,
                    to_name=person.get_full_name(),
                    language=person.language,
                    template=f"sla_{'breach' if kind == SlaAlertKind.BREACH else 'warning'}",
                    context={
                        "number": case.number,
                        "subject": case.subject,
                        "severity": case.severity,
                        "program": case.program,
                        "due_at": local_time(due, person.time_zone),
                        "time_zone": person.time_zone,
                        "late": now - due if now > due else timedelta(0),
                    },
                    thread=f"{case.number}-staff",
                    dedup_key=f"sla:{case.pk}:{kind}:{person.pk}",
                    at=now,
                )
    except IntegrityError:
        return None  # another worker recorded it first
    return alert


def sla_alerts_due(*, now: datetime) -> int:
    """Record every alert whose moment has come and is not recorded yet: asks the database
    for deadlines within the warning lead of ``now``, never rescans every case."""
    recorded = 0
    horizon = now + warning_lead()
    candidates = (
        Case.objects.filter(
            first_response_due_at__lte=horizon,
            first_responded_at__isnull=True,
        )
        .exclude(status__in=DONE)
        .annotate(
            warned=Exists(SlaAlert.objects.filter(case=OuterRef("pk"), kind=SlaAlertKind.WARNING)),
            breached_=Exists(
                SlaAlert.objects.filter(case=OuterRef("pk"), kind=SlaAlertKind.BREACH)
            ),
        )
        .filter(Q(breached_=False) | Q(warned=False, first_response_due_at__gt=now))
        .values_list("pk", "warned", "breached_")
    )
    for pk, warned, breached in candidates.iterator():
        for kind, done in ((SlaAlertKind.WARNING, warned), (SlaAlertKind.BREACH, breached)):
            if not done and sla_alert_record(case_id=pk, kind=kind, now=now) is not None:
                recorded += 1
    return recorded
