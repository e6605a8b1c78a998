"""Background work of the attachments app, run by ``supportdesk worker``; safe to run twice."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone


@task
def upload_expire(upload_id: str) -> None:
    """Remove an upload left incomplete past its expiry; while it is still alive (a write
    moved its expiry on), look again then."""
    from supportdesk.attachments import services

    again = services.upload_expire(upload_id=upload_id, at=timezone.now())
    if again is not None:
        upload_expire.using(run_after=again).enqueue(upload_id)
