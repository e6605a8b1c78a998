"""Reports on working a case, aggregated in the database: closures for want of an answer
(R-29), resolution types (R-30, R-31), escalations (tier escalations and "talk to a manager"
requests, R-21, R-32) and how cases were routed against the customer's language (R-20).

Each counts the records of its period (``[start, end)``, days in the viewer's zone): the
closures made in it (the audit events of ``case.close_unreachable``) and the contact attempts
made in it, the resolutions given in it, the escalations and requests made in it, and the
routing of the cases opened in it (their ``routed`` assignment). The filters apply to the
cases the records belong to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import CharField, Count, F, Q, QuerySet
from django.db.models.functions import Cast, TruncDate

from supportdesk.audit.models import AuditEvent
from supportdesk.cases.choices import (
    ContactOutcome,
    ManagerRequestStatus,
    OutOfScope,
    ResolutionType,
)
from supportdesk.cases.models import Case, ContactAttempt, ManagerRequest, Resolution
from supportdesk.policy import get_policy
from supportdesk.policy.routing import base_language
from supportdesk.reports.selectors import BucketCount, Filters, Period
from supportdesk.routing.choices import AssignmentKind
from supportdesk.routing.models import CaseAssignment

CLOSE_UNREACHABLE = "case.close_unreachable"
CASE_TARGET = "cases.case"


def _in(period: Period, column: str) -> Q:
    return Q(**{f"{column}__gte": period.start, f"{column}__lt": period.end})


def _case_ids(filters: Filters) -> QuerySet[Any, Any]:
    """The ids of the cases the filters keep, as audit events name them (text)."""
    return (
        Case.objects.filter(filters.q())
        .order_by()
        .annotate(text_id=Cast("pk", CharField()))
        .values("text_id")
    )


# --- closed for want of an answer ------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


@dataclass(frozen=True)
class ContactClosures:
    days: list[DayCount]  # closures for want of an answer, per day of the viewer
    total: int
    all_closures: int  # every case closed in the period, for the share
    attempts: list[BucketCount]  # the contact attempts made in the period, by outcome

    @property
    def share(self) -> float | None:
        return round(100 * self.total / self.all_closures, 1) if self.all_closures else None


def contact_closures(*, period: Period, filters: Filters) -> ContactClosures:
    events = AuditEvent.objects.filter(
        _in(period, "at"), action=CLOSE_UNREACHABLE, target_type=CASE_TARGET
    ).order_by()
    if filters != Filters():
        events = events.filter(target_id__in=_case_ids(filters))
    per_day = {
        row["day"]: row["n"]
        for row in events.annotate(day=TruncDate("at", tzinfo=period.tz))
        .values("day")
        .annotate(n=Count("pk"))
    }
    days = [DayCount(d, per_day.get(d, 0)) for d in period.days()]
    closed = Case.objects.filter(filters.q(), _in(period, "closed_at")).count()
    attempts = dict(
        ContactAttempt.objects.filter(filters.q("case__"), _in(period, "made_at"))
        .order_by()
        .values("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    return ContactClosures(
        days=days,
        total=sum(d.count for d in days),
        all_closures=closed,
        attempts=[
            BucketCount(key, str(label), attempts.get(key, 0))
            for key, label in ContactOutcome.choices
        ],
    )


# --- resolution types ------------------------------------------------------------


@dataclass(frozen=True)
class ResolutionRow:
    key: str
    label: str
    count: int
    closed: int  # the resolution closed the case
    lowered: int  # it lowered the severity


@dataclass(frozen=True)
class Resolutions:
    rows: list[ResolutionRow]  # every type, in the policy's order
    out_of_scope: list[BucketCount]  # the out-of-scope closures by reason
    total: int


def resolutions(*, period: Period, filters: Filters) -> Resolutions:
    given = Resolution.objects.filter(filters.q("case__"), _in(period, "at")).order_by()
    grouped: dict[str, dict[str, int]] = {
        row["type"]: {"n": row["n"], "closed": row["closed"], "lowered": row["lowered"]}
        for row in given.values("type").annotate(
            n=Count("pk"),
            closed=Count("pk", filter=Q(status_after="closed")),
            # severity numbers grow as severity falls (1 is the worst)
            lowered=Count("pk", filter=Q(severity_after__gt=F("severity_before"))),
        )
    }
    reasons = dict(
        given.filter(type=ResolutionType.OUT_OF_SCOPE)
        .values("out_of_scope_reason")
        .annotate(n=Count("pk"))
        .values_list("out_of_scope_reason", "n")
    )
    rows = [
        ResolutionRow(
            key=key,
            label=str(label),
            count=grouped.get(key, {}).get("n", 0),
            closed=grouped.get(key, {}).get("closed", 0),
            lowered=grouped.get(key, {}).get("lowered", 0),
        )
        for key, label in ResolutionType.choices
    ]
    return Resolutions(
        rows=rows,
        out_of_scope=[
            BucketCount(key, str(label), reasons.get(key, 0)) for key, label in OutOfScope.choices
        ],
        total=sum(r.count for r in rows),
    )


# --- escalations ----------------------------------------------------------------


@dataclass(frozen=True)
class Escalations:
    tiers: list[BucketCount]  # tier escalations made in the period, by the tier reached
    manager_requests: list[BucketCount]  # "talk to a manager" requests made in it, by state
    days: list[tuple[date, int, int]]  # (day, tier escalations, manager requests)

    @property
    def tier_total(self) -> int:
        return sum(b.count for b in self.tiers)

    @property
    def manager_total(self) -> int:
        return sum(b.count for b in self.manager_requests)


def escalations(*, period: Period, filters: Filters) -> Escalations:
    moves = CaseAssignment.objects.filter(
        filters.q("case__"), _in(period, "at"), kind=AssignmentKind.ESCALATED
    ).order_by()
    by_tier = dict(moves.values("tier").annotate(n=Count("pk")).values_list("tier", "n"))
    requests = ManagerRequest.objects.filter(
        filters.q("case__"), _in(period, "requested_at")
    ).order_by()
    by_state = dict(requests.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    tz = period.tz
    moved = {
        r["day"]: r["n"]
        for r in moves.annotate(day=TruncDate("at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"))
    }
    asked = {
        r["day"]: r["n"]
        for r in requests.annotate(day=TruncDate("requested_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"))
    }
    return Escalations(
        tiers=[BucketCount(t, f"To {t}", by_tier.get(t, 0)) for t in ("L2", "L3")],
        manager_requests=[
            BucketCount(key, str(label), by_state.get(key, 0))
            for key, label in ManagerRequestStatus.choices
        ],
        days=[(d, moved.get(d, 0), asked.get(d, 0)) for d in period.days()],
    )


# --- language routing outcomes ---------------------------------------------------------

ROUTING_OUTCOMES = (
    ("in_language", "Routed in the customer's language"),
    ("english_fallback", "English instead of the customer's language"),
    ("english", "The customer's language is English"),
    ("not_recorded", "No routing recorded"),
)


@dataclass(frozen=True)
class LanguageRow:
    language: str  # the customer's (its organization's) language, primary subtag
    counts: dict[str, int]  # per ROUTING_OUTCOMES key

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class LanguageRouting:
    rows: list[LanguageRow]
    all: LanguageRow

    @property
    def in_language_percent(self) -> float | None:
        """Of the cases whose customer asked for a language other than English."""
        asked = self.all.counts["in_language"] + self.all.counts["english_fallback"]
        return round(100 * self.all.counts["in_language"] / asked, 1) if asked else None


def _outcome(wanted: str, routed: str | None, fallback: str) -> str:
    if routed is None:
        return "not_recorded"
    if wanted == fallback:
        return "english"
    return "in_language" if base_language(routed) == wanted else "english_fallback"


def language_routing(*, period: Period, filters: Filters) -> LanguageRouting:
    """The cases opened in the period: routed in the language their customer speaks, or in
    English because nobody speaking it was on shift or it is not offered (R-20, R-21).

    The customer's language is their organization's (what routing asked for); the routed
    language is the one of the case's ``routed`` assignment, made as it opened. The database
    counts the (customer language, routed language) pairs; the pairs are then named."""
    fallback = get_policy().languages.fallback
    opened = Case.objects.filter(filters.q(), _in(period, "opened_at")).order_by()
    pairs = (
        CaseAssignment.objects.filter(case__in=opened.values("pk"), kind=AssignmentKind.ROUTED)
        .order_by()
        .values("case__organization__language", "language")
        .annotate(n=Count("case", distinct=True))
    )
    per_language = dict(
        opened.values("organization__language")
        .annotate(n=Count("pk"))
        .values_list("organization__language", "n")
    )
    counts: dict[str, dict[str, int]] = {}

    def into(wanted: str) -> dict[str, int]:
        return counts.setdefault(wanted, dict.fromkeys((k for k, _ in ROUTING_OUTCOMES), 0))

    for language, n in per_language.items():  # every case, routing recorded or not
        into(base_language(language or "") or fallback)["not_recorded"] += n
    for row in pairs:
        wanted = base_language(row["case__organization__language"] or "") or fallback
        c = into(wanted)
        c[_outcome(wanted, row["language"], fallback)] += row["n"]
        c["not_recorded"] -= row["n"]
    rows = [LanguageRow(language=wanted, counts=counts[wanted]) for wanted in sorted(counts)]
    total = {k: sum(r.counts[k] for r in rows) for k, _ in ROUTING_OUTCOMES}
    return LanguageRouting(rows=rows, all=LanguageRow(language="all", counts=total))
