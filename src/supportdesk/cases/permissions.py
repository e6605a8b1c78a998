"""Who may see and change which case (R-1, R-3, R-4), built on
:mod:`supportdesk.accounts.permissions`.

- Support managers, superusers and staff without a staff role see every case. An engineer
  sees the cases of the queues they belong to; a PDM those of the customers they are the PDM
  of and of their queues; everyone on the staff sees the cases assigned to them (point 7 of
  the console issue, docs/domain/routing-and-phone.md). Only staff agree a severity or write
  internal comments.
- A customer's people see their organizations' cases; a partner's people see the cases of the
  customers delegated to their partner while the delegation is active (R-4).
- Those who may open cases for the organization (R-1: license and case administrators, and
  the license and case administrators of an actively delegated partner) also comment, move,
  ask for a severity change and say whether a technical contact is available. Other members
  only read.
- A case a person may not see answers as if it did not exist (404).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from supportdesk.accounts.choices import StaffRole
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import (
    Actor,
    can_open_cases,
    is_person,
    is_staff,
    not_found,
    organizations_visible_to,
)
from supportdesk.cases.models import Case, Comment
from supportdesk.routing.models import Queue

CUSTOMER_SIDE = "Only the organization's license or case administrators, or its active partner, "


#: the staff roles that see every case ("" is staff without a role: the vendor's own admins)
SEES_ALL = ("", StaffRole.SUPPORT_MANAGER)


def sees_every_case(user: Actor) -> bool:
    return is_staff(user) and (bool(user.is_superuser) or user.staff_role in SEES_ALL)  # type: ignore[union-attr]


def staff_cases_visible_to(user: Actor) -> QuerySet[Case]:
    """The cases a staff member works: every case for managers, else those of their queues,
    their PDM customers' (for a PDM) and those assigned to them; nothing for anyone else."""
    if not isinstance(user, User) or not is_staff(user):
        return Case.objects.none()
    if sees_every_case(user):
        return Case.objects.all()
    seen = Q(assignee=user) | Q(queue_id__in=Queue.objects.filter(members__user=user).values("pk"))
    if user.staff_role == StaffRole.PDM:
        seen |= Q(organization__pdm=user)
    return Case.objects.filter(seen)


def cases_visible_to(user: Actor, *, at: datetime) -> QuerySet[Case]:
    if is_staff(user):
        return staff_cases_visible_to(user)
    if not is_person(user):
        return Case.objects.none()
    return Case.objects.filter(organization__in=organizations_visible_to(user, at=at))


def comments_visible_to(user: Actor, *, at: datetime) -> QuerySet[Comment]:
    """Internal comments only for staff, of the cases they see."""
    if sees_every_case(user):
        return Comment.objects.all()
    if is_staff(user):
        return Comment.objects.filter(case__in=staff_cases_visible_to(user))
    return Comment.objects.filter(case__in=cases_visible_to(user, at=at), internal=False)


def require_visible(actor: Actor, case: Case, *, at: datetime) -> None:
    if actor is None or sees_every_case(actor):
        return
    if is_staff(actor):
        if not staff_cases_visible_to(actor).filter(pk=case.pk).exists():
            raise not_found(case)
        return
    if not is_person(actor):
        raise PermissionDenied("Sign in first.")
    if not cases_visible_to(actor, at=at).filter(pk=case.pk).exists():
        raise not_found(case)


def require_customer_side_or_staff(actor: Actor, case: Case, *, at: datetime, doing: str) -> None:
    """Visible, and the actor works the case for the customer (R-1) or is staff."""
    require_visible(actor, case, at=at)
    if actor is None or is_staff(actor):
        return
    if not can_open_cases(actor, case.organization, at=at):
        raise PermissionDenied(CUSTOMER_SIDE + doing + ".")


def require_staff(actor: Actor, case: Case, *, at: datetime, refusal: str) -> None:
    require_visible(actor, case, at=at)
    if actor is None or is_staff(actor):
        return
    raise PermissionDenied(refusal)


def side_of(actor: Actor) -> str:
    """The actor as the case state machine names it: customer, engineer or system."""
    if actor is None:
        return "system"
    return "engineer" if is_staff(actor) else "customer"
