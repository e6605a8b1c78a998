"""Background work of the cases app. Each task is safe to run twice.

Mail of a case (its confirmation, R-23, and updates, R-28) goes through the outbox of
:mod:`supportdesk.notifications`, queued by the services in the case's own transaction.
"""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone


@task
def case_contact_close(case_id: int) -> None:
    """Close a case whose customer could not be reached (R-29), when the count says it may
    be closed; a second run, or a run after the customer answered, changes nothing."""
    from supportdesk.cases.services import case_close_unreachable

    case_close_unreachable(case_id=case_id, at=timezone.now())
