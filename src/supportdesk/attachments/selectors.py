"""Shared reads of the attachments app; every read starts from its permissions."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import QuerySet

from supportdesk.accounts.permissions import Actor
from supportdesk.attachments.models import Attachment, Upload
from supportdesk.attachments.permissions import attachments_visible_to, uploads_visible_to
from supportdesk.cases.models import Case


def attachments_of(case: Case, *, viewer: Actor, at: datetime) -> QuerySet[Attachment]:
    return (
        attachments_visible_to(viewer, at=at)
        .filter(case=case)
        .select_related("uploaded_by", "case")
        .order_by("created_at", "pk")
    )


def attachment_get(pk: int, *, viewer: Actor, at: datetime) -> Attachment:
    """``Attachment.DoesNotExist`` for what ``viewer`` may not see."""
    return attachments_visible_to(viewer, at=at).select_related("case", "uploaded_by").get(pk=pk)


def upload_get(pk: str, *, viewer: Actor, at: datetime) -> Upload:
    """``Upload.DoesNotExist`` for an upload that is not ``viewer``'s, or not an id."""
    try:
        key = uuid.UUID(str(pk))
    except ValueError:
        raise Upload.DoesNotExist("No such upload.") from None
    return uploads_visible_to(viewer, at=at).select_related("case", "attachment").get(pk=key)
