"""Shared reads of the cases app. Which cases and comments a person may see is decided in
:mod:`supportdesk.cases.permissions`; every read here starts from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from supportdesk.accounts.permissions import Actor
from supportdesk.cases.models import Case, Comment
from supportdesk.cases.permissions import cases_visible_to, comments_visible_to
from supportdesk.policy import zone


def case_get(number: str, *, viewer: Actor, at: datetime) -> Case:
    """The case ``viewer`` may see, by its number; ``Case.DoesNotExist`` otherwise."""
    return (
        cases_visible_to(viewer, at=at)
        .select_related("organization", "opened_by", "product", "product_version", "support_id")
        .get(number=number.strip().upper())
    )


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    severity: int | None = None
    program: str | None = None
    organization: int | None = None
    breached: bool | None = None
    opened_after: datetime | None = None
    opened_before: datetime | None = None


def case_list(*, viewer: Actor, at: datetime, filters: CaseFilters) -> QuerySet[Case]:
    cases = cases_visible_to(viewer, at=at).select_related(
        "organization", "opened_by", "product", "product_version", "support_id"
    )
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.severity is not None:
        cases = cases.filter(severity=filters.severity)
    if filters.program is not None:
        cases = cases.filter(program=filters.program)
    if filters.organization is not None:
        cases = cases.filter(organization_id=filters.organization)
    if filters.breached is not None:
        # answered late, or still unanswered past the due time
        late = Q(first_response_late_by__isnull=False) | Q(
            first_responded_at__isnull=True, first_response_due_at__lt=at
        )
        cases = cases.filter(late) if filters.breached else cases.exclude(late)
    if filters.opened_after is not None:
        cases = cases.filter(opened_at__gte=filters.opened_after)
    if filters.opened_before is not None:
        cases = cases.filter(opened_at__lt=filters.opened_before)
    return cases.order_by("-opened_at", "-pk")


def comments_of(case: Case, *, viewer: Actor, at: datetime) -> QuerySet[Comment]:
    """The case's comments ``viewer`` may read: internal ones only for staff."""
    return (
        comments_visible_to(viewer, at=at)
        .filter(case=case)
        .select_related("author")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class FirstResponseView:
    due_at: datetime | None
    due_text: str
    time_zone: str
    target_minutes: int | None
    clock: str
    program: str
    hours: str
    responded_at: datetime | None
    late_by: timedelta | None
    breached: bool  # answered late, or unanswered past the due time at ``at``
    reasons: tuple[str, ...]


def first_response_view(case: Case, *, time_zone: str, at: datetime) -> FirstResponseView:
    """The case's first-response clock as a person reads it, in their own time zone
    (``user.time_zone``), with the policy core's explanation."""
    tz = zone(time_zone)
    due = case.first_response_due_at.astimezone(tz) if case.first_response_due_at else None
    if case.first_responded_at is not None:
        answered = case.first_responded_at.astimezone(tz)
        text = f"First response given {answered:%a %d %b %Y %H:%M %Z} (your time)"
        if case.first_response_late_by is not None:
            text += f", {_duration(case.first_response_late_by)} late"
    elif due is not None:
        text = f"First response due by {due:%a %d %b %Y %H:%M %Z} (your time)"
    else:
        text = "No first-response target: handled best effort (R-18)"
    return FirstResponseView(
        due_at=due,
        due_text=text,
        time_zone=tz.key,
        target_minutes=case.target_minutes,
        clock=case.clock,
        program=case.program,
        hours=case.hours_label,
        responded_at=case.first_responded_at,
        late_by=case.first_response_late_by,
        breached=case.first_response_late_by is not None
        or (case.first_responded_at is None and due is not None and due < at),
        reasons=tuple(case.first_response_reasons),
    )


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
