"""Who may read the management reports (R-34: "management sees the results").

- Vendor staff (engineers, PDMs, support managers) read the SLA, backlog and flow reports:
  they are about the vendor's own work, never about one customer's data.
- Satisfaction scores name engineers: only support managers (and superusers) read them.
- Customers and partners never read any report, whatever their role: 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from supportdesk.accounts.choices import StaffRole
from supportdesk.accounts.permissions import Actor, is_person, is_staff

REPORTS = "Only support staff read the management reports."
SATISFACTION = "Only support managers read the satisfaction reports (R-34)."


def can_view_reports(user: Actor) -> bool:
    return is_staff(user)


def can_view_satisfaction(user: Actor) -> bool:
    return is_staff(user) and (
        bool(user.is_superuser) or user.staff_role == StaffRole.SUPPORT_MANAGER  # type: ignore[union-attr]
    )


def require_reports(user: Actor) -> None:
    if not is_person(user):
        raise PermissionDenied("Sign in first.")
    if not can_view_reports(user):
        raise PermissionDenied(REPORTS)


def require_satisfaction(user: Actor) -> None:
    require_reports(user)
    if not can_view_satisfaction(user):
        raise PermissionDenied(SATISFACTION)
