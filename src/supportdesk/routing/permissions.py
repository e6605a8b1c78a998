"""Who may see which cases in the console, and who maintains routing (point 7 of the console).

- Support managers, superusers and staff without a staff role see every case.
- An engineer sees the cases of the queues they belong to and the cases assigned to them.
- A PDM sees the cases of the customers they are the PDM of, of their queues (the PDM queue)
  and the cases assigned to them. The rule is :mod:`supportdesk.cases.permissions`'s, so the
  cases API and the console agree.
- Customers and partners never see the console; anonymous visitors are sent to sign in.
- Queues and engineer profiles are maintained by support managers and superusers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from supportdesk.accounts.choices import StaffRole
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Actor, is_staff
from supportdesk.cases.models import Case
from supportdesk.cases.permissions import staff_cases_visible_to
from supportdesk.routing.models import Queue


def is_manager(user: Actor) -> bool:
    return is_staff(user) and (
        bool(user.is_superuser) or user.staff_role == StaffRole.SUPPORT_MANAGER  # type: ignore[union-attr]
    )


def console_cases_visible_to(user: Actor) -> QuerySet[Case]:
    """The cases ``user`` works in the console: the same as in the cases API
    (:func:`supportdesk.cases.permissions.staff_cases_visible_to`)."""
    return staff_cases_visible_to(user)


def queues_of(user: Actor) -> QuerySet[Queue]:
    """The queues ``user`` belongs to."""
    if not isinstance(user, User) or not is_staff(user):
        return Queue.objects.none()
    return Queue.objects.filter(members__user=user)


def require_console(user: Actor) -> None:
    if not is_staff(user):
        raise PermissionDenied("The console is for support staff.")


def require_manager(user: Actor, doing: str) -> None:
    if not is_manager(user):
        raise PermissionDenied(f"Only support managers {doing}.")
