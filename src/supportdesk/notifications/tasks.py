"""The worker's side of notifications. Each task is safe to run twice: a mail is claimed
before it is sent, an alert is one row per case and kind."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from supportdesk.notifications.services import outbox_deliver


@task
def mail_deliver(mail_id: int | str) -> dict[str, Any]:
    """Deliver one queued mail, named by its key or by its Message-ID (a mail queued with
    ``mail_queue(fresh=True)``); after a failure, run again when its next try is due."""
    if isinstance(mail_id, str):
        from supportdesk.notifications.models import OutboundMail

        found = OutboundMail.objects.filter(message_id=mail_id).values_list("pk", flat=True)
        pk = found.first()
        if pk is None:  # not there (its transaction rolled back): nothing to deliver
            return {"sent": [], "retrying": [], "failed": []}
    else:
        pk = mail_id
    report = outbox_deliver(now=timezone.now(), ids=[pk])
    if report.next_attempt_at is not None:
        mail_deliver.using(run_after=report.next_attempt_at).enqueue(mail_id)
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


@task
def sla_alert_check(case_id: int, kind: str) -> bool:
    """Record a case's first-response warning or breach, if it is due and not recorded yet."""
    from supportdesk.notifications.sla import sla_alert_record

    return sla_alert_record(case_id=case_id, kind=kind, now=timezone.now()) is not None


@task
def notifications_sweep() -> dict[str, Any]:
    """The periodic catch-up: mail whose task was lost with a dead worker, and first-response
    alerts whose moment passed while no worker ran. Schedules its own next run."""
    from supportdesk.notifications.sla import sla_alerts_due

    now = timezone.now()
    sent: list[int] = []
    while True:
        report = outbox_deliver(now=now, limit=100)
        sent += report.sent
        if not (report.sent or report.retrying or report.failed):
            break
    alerts = sla_alerts_due(now=now)
    sweep_schedule()
    return {"sent": sent, "alerts": alerts}


def sweep_schedule() -> None:
    """Queue the next sweep unless one is waiting already (``supportdesk worker`` calls this
    when it starts, and each sweep when it ends, so that one chain of sweeps runs)."""
    from datetime import timedelta

    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=notifications_sweep.module_path, status="READY"
    ).exists()
    if not waiting:
        interval = timedelta(seconds=float(settings.SUPPORTDESK_SWEEP_SECONDS))
        notifications_sweep.using(run_after=timezone.now() + interval).enqueue()
