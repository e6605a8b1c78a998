"""`supportdesk worker` for real: two worker processes on PostgreSQL, a real SMTP server that
is down at first, every mail delivered once (R-28, R-34 mail goes the same way)."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from supportdesk.notifications.models import OutboundMail
from supportdesk.notifications.services import mail_queue
from supportdesk.notifications.tasks import mail_deliver
from tests import processes
from tests.notifications.smtp import free_port, smtp_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two workers need a server"),
]

MAILS = 24


def database_url() -> str:
    params = connection.settings_dict
    user = params.get("USER") or "postgres"
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout}s: {what}")


def test_two_workers_deliver_every_mail_once_through_an_smtp_outage() -> None:
    at = datetime.now(UTC)
    queued = [
        mail_queue(
            to=f"reader{n}@acme.example",
            template="case_update",
            context={"number": f"C-2026-{n:06d}", "subject": "s", "author": "Eva", "body": "b"},
            thread=f"C-2026-{n:06d}",
            at=at,
        )
        for n in range(MAILS)
    ]
    port = free_port()  # the SMTP server is down: nothing listens on it yet
    env = {
        "DATABASE_URL": database_url(),
        "SUPPORTDESK_SMTP_URL": f"smtp://127.0.0.1:{port}?timeout=5",
        "SUPPORTDESK_MAIL_RETRY_SECONDS": "1",
        "SUPPORTDESK_SWEEP_SECONDS": "1",  # sweeps compete with the mail tasks for claims
    }
    with (
        processes.Running("worker", "--interval", "0.1", **env) as first,
        processes.Running("worker", "--interval", "0.1", **env) as second,
    ):
        for worker in (first, second):
            worker.wait_for(re.compile(r"Starting worker worker_id="))
        wait_until(
            lambda: not OutboundMail.objects.filter(last_error="").exists(),
            "every mail failed once while the server is down",
        )
        assert OutboundMail.objects.filter(status="sent").count() == 0
        with smtp_server(port) as inbox:
            wait_until(
                lambda: OutboundMail.objects.filter(status="sent").count() == MAILS,
                "every mail sent once the server is up",
            )
            time.sleep(2)  # room for a second, wrong delivery to show up
            received = inbox.message_ids()
        statuses = [first.stop(signal.SIGTERM, 20), second.stop(signal.SIGTERM, 20)]

    assert statuses == [0, 0]
    assert sorted(received) == sorted(m.message_id for m in queued)  # each once, none lost
    rows = list(OutboundMail.objects.all())
    assert {m.status for m in rows} == {"sent"}
    assert min(m.attempts for m in rows) >= 2  # all were delayed by the outage
    for worker in (first, second):
        assert "Traceback" not in worker.output
    workers = {
        worker_id
        for result in DBTaskResult.objects.filter(task_path=mail_deliver.module_path)
        for worker_id in result.worker_ids
    }
    assert len(workers) == 2  # both took part


def test_two_workers_record_each_breach_once_at_its_true_deadline() -> None:
    from datetime import timedelta

    from supportdesk.notifications.models import SlaAlert
    from supportdesk.notifications.tasks import sla_alert_check
    from tests.accounts.factories import StaffFactory
    from tests.cases.factories import CaseFactory

    StaffFactory.create(email="boss@vendor.example", staff_role="support_manager")
    now = datetime.now(UTC)
    # deadlines that passed while no worker ran, each check queued twice (as a retry would)
    cases = [
        CaseFactory.create(opened_at=now - timedelta(hours=7), first_response_due_at=due)
        for due in (now - timedelta(hours=1, minutes=n) for n in range(8))
    ]
    for case in cases:
        for _ in range(2):
            sla_alert_check.enqueue(case.pk, "first_response_breach")
    env = {"DATABASE_URL": database_url(), "SUPPORTDESK_SMTP_URL": "console:"}
    with (
        processes.Running("worker", "--interval", "0.1", **env) as first,
        processes.Running("worker", "--interval", "0.1", **env) as second,
    ):
        wait_until(
            lambda: (
                not DBTaskResult.objects.filter(
                    task_path=sla_alert_check.module_path, status__in=("READY", "RUNNING")
                ).exists()
            ),
            "every check run",
        )
        statuses = [first.stop(signal.SIGTERM, 20), second.stop(signal.SIGTERM, 20)]

    assert statuses == [0, 0]
    alerts = {a.case_id: a for a in SlaAlert.objects.all()}
    assert sorted(alerts) == sorted(c.pk for c in cases)
    assert all(alerts[c.pk].at == c.first_response_due_at for c in cases)
    assert all(a.recorded_at > a.at for a in alerts.values())
    assert OutboundMail.objects.filter(kind="sla_breach").count() == len(cases)
