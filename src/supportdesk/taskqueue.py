"""Queuing background tasks together: the tasks one change queues are written in one
``INSERT`` rather than one each.

Opening a case queues the delivery of its confirmation mail and the two checks of its
first-response deadline (R-16, R-23). Each ``Task.enqueue`` on the database backend is an
``INSERT`` of its own, and an ORM ``INSERT`` costs more Python than SQL. Inside
:func:`together`, :func:`enqueue` keeps the tasks and writes them all with one
``bulk_create`` when the block ends, in the same transaction, then announces each as
``Task.enqueue`` does (the ``task_enqueued`` signal). Outside the block, or on a backend
that is not the database's (a test's immediate backend), it is ``Task.enqueue``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.tasks import Task
from django.tasks.signals import task_enqueued
from django.utils.json import normalize_json
from django_tasks_db.backend import DatabaseBackend

from supportdesk.rows import insert_all

if TYPE_CHECKING:
    from django_tasks_db.models import DBTaskResult

_pending = threading.local()


@contextmanager
def together() -> Iterator[None]:
    """Write the tasks :func:`enqueue` queues inside the block in one statement at its end
    (call it inside the change's transaction). A block inside another joins the outer one;
    a block left by an exception writes nothing."""
    if getattr(_pending, "rows", None) is not None:
        yield
        return
    _pending.rows = []
    try:
        yield
        rows: list[tuple[DatabaseBackend, DBTaskResult]] = _pending.rows
    finally:
        _pending.rows = None
    if rows:
        insert_all([row for _, row in rows])
        for backend, row in rows:
            task_enqueued.send(type(backend), task_result=row.task_result)


def enqueue(
    task: Task[Any, Any], *args: Any, run_after: datetime | None = None, **kwargs: Any
) -> None:
    """``task.enqueue(*args, **kwargs)``, written with the others of the enclosing
    :func:`together` block when there is one. ``run_after`` is ``task.using(run_after=...)``'s
    (the task's own when None), without making that new Task inside the block (a copy of
    the task, validated again, per call)."""
    rows: list[tuple[DatabaseBackend, DBTaskResult]] | None = getattr(_pending, "rows", None)
    backend = task.get_backend()
    if rows is None or not isinstance(backend, DatabaseBackend):
        (task if run_after is None else task.using(run_after=run_after)).enqueue(*args, **kwargs)
        return
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend.validate_task(task)
    rows.append(
        (
            backend,
            DBTaskResult(
                id=backend._get_id(),
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                # what the backend's pre_save handler does (bulk_create sends no pre_save)
                run_after=run_after or task.run_after or get_date_max(),
                backend_name=backend.alias,
            ),
        )
    )
