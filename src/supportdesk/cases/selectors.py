"""Shared reads of the cases app. Which cases and comments a person may see is decided in
:mod:`supportdesk.cases.permissions`; every read here starts from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Q, QuerySet

from supportdesk.accounts.permissions import Actor, is_staff
from supportdesk.cases.choices import ManagerRequestStatus
from supportdesk.cases.models import (
    Case,
    Comment,
    ContactAttempt,
    DiagnosticsRequest,
    FeatureRequest,
    ManagerRequest,
    Milestone,
    Resolution,
    ThirdPartyReferral,
)
from supportdesk.cases.permissions import cases_visible_to, comments_visible_to
from supportdesk.policy import zone
from supportdesk.policy.contact_attempts import Attempt, AttemptCount, BusinessDays, count_attempts


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


# --- contact attempts (R-29) ------------------------------------------------------------------


def business_days_of(case: Case) -> BusinessDays:
    """The customer's business days as the case froze them at opening (R-11)."""
    return BusinessDays(case.time_zone, case.country or None, case.subdivision or None)


def customer_answered_at(case: Case) -> datetime | None:
    """The last public comment of the customer's side on the case: an answer (R-29)."""
    found: datetime | None = Comment.objects.filter(
        case=case, internal=False, author__is_staff=False
    ).aggregate(last=Max("created_at"))["last"]
    return found


def contact_attempts_of(case: Case) -> QuerySet[ContactAttempt]:
    return case.contact_attempts.select_related("made_by").order_by("made_at", "pk")


def contact_attempt_count(case: Case) -> AttemptCount:
    """Where the count of R-29 stands for ``case``, from its attempts and the customer's last
    answer, on the customer's business days."""
    attempts = [
        Attempt(a.made_at, a.outcome, a.channel)
        for a in case.contact_attempts.order_by("made_at", "pk")
    ]
    return count_attempts(
        attempts, days=business_days_of(case), customer_answered_at=customer_answered_at(case)
    )


# --- resolutions (R-30, R-31) -------------------------------------------------------------------


def resolutions_of(case: Case) -> QuerySet[Resolution]:
    return case.resolutions.select_related("by").prefetch_related("milestones").order_by("at", "pk")


def milestone_of(case: Case, milestone_id: int) -> Milestone:
    """A milestone of one of the case's action plans; ``Milestone.DoesNotExist`` otherwise."""
    return Milestone.objects.select_related("resolution__case").get(
        pk=milestone_id, resolution__case=case
    )


# --- talk to a manager, feature requests, third parties, diagnostics (R-27) --


def manager_requests_open(*, viewer: Actor) -> QuerySet[ManagerRequest]:
    """The support managers' queue (R-32): the open "Talk to a manager" requests, oldest first,
    with their case, its organization and who asked. Staff only: nobody else gets any."""
    if not is_staff(viewer):
        return ManagerRequest.objects.none()
    return (
        ManagerRequest.objects.filter(status=ManagerRequestStatus.OPEN)
        .select_related("case", "case__organization", "requested_by")
        .order_by("requested_at", "pk")
    )


def manager_requests_of(case: Case) -> QuerySet[ManagerRequest]:
    return case.manager_requests.select_related("requested_by", "answered_by").order_by(
        "requested_at", "pk"
    )


def manager_request_of(case: Case, request_id: int) -> ManagerRequest:
    return ManagerRequest.objects.select_related("case").get(pk=request_id, case=case)


def feature_requests_of(case: Case) -> QuerySet[FeatureRequest]:
    return case.feature_requests.select_related("filed_by").order_by("filed_at", "pk")


def third_party_referrals_of(case: Case) -> QuerySet[ThirdPartyReferral]:
    return case.third_party_referrals.select_related("by").order_by("at", "pk")


def diagnostics_requests_of(case: Case) -> QuerySet[DiagnosticsRequest]:
    return case.diagnostics_requests.select_related("requested_by").order_by("requested_at", "pk")


def diagnostics_request_of(case: Case, request_id: int) -> DiagnosticsRequest:
    return DiagnosticsRequest.objects.select_related("case").get(pk=request_id, case=case)
