"""Tasks queued together are written in one statement, in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.tasks.signals import task_enqueued
from django.test.utils import CaptureQueriesContext, override_settings
from django_tasks_db.models import DBTaskResult, get_date_max

from supportdesk import taskqueue
from supportdesk.notifications.tasks import mail_deliver, sla_alert_check

pytestmark = pytest.mark.django_db

LATER = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def inserts(captured: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith("INSERT") for q in captured.captured_queries)


def test_tasks_queued_together_are_one_insert_with_what_enqueue_writes() -> None:
    heard: list[str] = []

    def listen(sender: object, task_result: object, **kwargs: object) -> None:
        heard.append(task_result.task.name)  # type: ignore[attr-defined]

    task_enqueued.connect(listen)
    try:
        with (
            CaptureQueriesContext(connection) as captured,
            transaction.atomic(),
            taskqueue.together(),
        ):
            taskqueue.enqueue(mail_deliver, 7)
            taskqueue.enqueue(sla_alert_check.using(run_after=LATER), 8, "breach")
            assert DBTaskResult.objects.count() == 0  # written at the block's end
    finally:
        task_enqueued.disconnect(listen)
    assert inserts(captured) == 1
    rows = {r.task_path: r for r in DBTaskResult.objects.all()}
    assert set(rows) == {mail_deliver.module_path, sla_alert_check.module_path}
    assert rows[mail_deliver.module_path].args_kwargs == {"args": [7], "kwargs": {}}
    assert rows[mail_deliver.module_path].run_after == get_date_max()  # as enqueue() writes
    assert rows[sla_alert_check.module_path].run_after == LATER
    assert rows[sla_alert_check.module_path].status == "READY"
    assert sorted(heard) == sorted(["mail_deliver", "sla_alert_check"])


def test_outside_a_block_it_is_enqueue() -> None:
    taskqueue.enqueue(mail_deliver, 9)
    assert DBTaskResult.objects.get().args_kwargs == {"args": [9], "kwargs": {}}


def test_run_after_is_the_tasks_using_run_after_inside_a_block_and_outside() -> None:
    sooner = LATER.replace(hour=8)
    with taskqueue.together():
        taskqueue.enqueue(sla_alert_check, 1, "breach", run_after=LATER)
        taskqueue.enqueue(sla_alert_check.using(run_after=sooner), 2, "breach")
        taskqueue.enqueue(sla_alert_check.using(run_after=sooner), 3, "breach", run_after=LATER)
    taskqueue.enqueue(sla_alert_check, 4, "warning", run_after=LATER)  # outside: enqueue()
    taskqueue.enqueue(mail_deliver, 5, run_after=None)
    found = {r.args_kwargs["args"][0]: r.run_after for r in DBTaskResult.objects.all()}
    assert found == {1: LATER, 2: sooner, 3: LATER, 4: LATER, 5: get_date_max()}


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_run_after_reaches_another_backend() -> None:
    from django.tasks import task_backends

    with taskqueue.together():
        taskqueue.enqueue(mail_deliver, 3, run_after=LATER)
    results = task_backends["default"].results  # type: ignore[attr-defined]
    assert [(r.args, r.task.run_after) for r in results] == [([3], LATER)]


def test_a_block_inside_another_writes_with_the_outer_one() -> None:
    with CaptureQueriesContext(connection) as captured, taskqueue.together():
        taskqueue.enqueue(mail_deliver, 1)
        with taskqueue.together():
            taskqueue.enqueue(mail_deliver, 2)
        assert DBTaskResult.objects.count() == 0
    assert inserts(captured) == 1
    assert DBTaskResult.objects.count() == 2


def test_a_block_left_by_an_exception_writes_nothing() -> None:
    def fail() -> None:
        with taskqueue.together():
            taskqueue.enqueue(mail_deliver, 1)
            raise LookupError

    with pytest.raises(LookupError):
        fail()
    assert DBTaskResult.objects.count() == 0
    with taskqueue.together():  # and the next block starts empty
        taskqueue.enqueue(mail_deliver, 2)
    assert [r.args_kwargs["args"] for r in DBTaskResult.objects.all()] == [[2]]


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_another_backend_gets_the_task_as_enqueue_gives_it() -> None:
    from django.tasks import task_backends

    with taskqueue.together():
        taskqueue.enqueue(mail_deliver, 3)
    assert DBTaskResult.objects.count() == 0
    assert [r.args for r in task_backends["default"].results] == [[3]]  # type: ignore[attr-defined]
