"""Who may see and change which attachment (R-3, R-27), built on the cases' rules.

- Whoever may see a case sees and downloads its attachments (customers: only their
  organizations' cases; partners: only while delegated, R-4; staff: all).
- Those who work the case for the customer (R-1) and staff attach files and remove them.
- An upload in progress belongs to the person who started it: only they see, resume or
  abandon it. Anyone else is answered as if it did not exist (404).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Actor, is_person
from supportdesk.attachments.models import Attachment, Upload
from supportdesk.cases.permissions import cases_visible_to


def attachments_visible_to(user: Actor, *, at: datetime) -> QuerySet[Attachment]:
    return Attachment.objects.filter(case__in=cases_visible_to(user, at=at))


def uploads_visible_to(user: Actor, *, at: datetime) -> QuerySet[Upload]:
    if not isinstance(user, User) or not is_person(user):
        return Upload.objects.none()
    return Upload.objects.filter(created_by=user, case__in=cases_visible_to(user, at=at))
