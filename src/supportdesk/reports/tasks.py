"""Background work of the reports: the roll-ups of settled cases, made again every hour
(:mod:`supportdesk.reports.rollup`). Safe to run twice: each run counts every settled case
again and replaces the roll-ups whole."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone


@task
def reports_rollup_refresh() -> int:
    """Count the settled cases again; schedules the next run. Returns the cases counted."""
    from supportdesk.reports.rollup import refresh

    state = refresh(now=timezone.now())
    rollup_schedule(first=False)
    return state.cases


def rollup_schedule(*, first: bool = True) -> None:
    """Queue the next refresh unless one is waiting already (``supportdesk worker`` calls this
    when it starts, the first run at once; each run queues the next an hour on)."""
    from django_tasks_db.models import DBTaskResult

    from supportdesk.reports.rollup import REFRESH_EVERY

    waiting = DBTaskResult.objects.filter(
        task_path=reports_rollup_refresh.module_path, status="READY"
    ).exists()
    if not waiting:
        when = timezone.now() + (REFRESH_EVERY if not first else timedelta(0))
        reports_rollup_refresh.using(run_after=when).enqueue()
