"""Management reports (R-16 to R-19, R-34) as JSON, for support staff only.

Every report takes the period as ``since`` and ``until`` (dates, both included, the last 30
days by default), counted in the caller's time zone (``tz``, or their own), and the filters
``program``, ``severity``, ``product``, ``region`` and ``kind``. Bad input answers 422 naming
the field; customers and partners get 403 whatever they ask.
"""

# No `from __future__ import annotations`: ninja reads the views' annotations at runtime.

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from supportdesk.accounts.models import User
from supportdesk.api.accounts import ERRORS
from supportdesk.api.auth import SIGNED_IN
from supportdesk.reports import params, satisfaction, selectors, work
from supportdesk.reports.permissions import require_reports, require_satisfaction

router = Router(tags=["reports"], auth=SIGNED_IN)


class ReportQuery(Schema):
    since: str | None = Field(
        None, description="first day, YYYY-MM-DD (default: 29 days before until)"
    )
    until: str | None = Field(None, description="last day, YYYY-MM-DD (default: today)")
    tz: str | None = Field(None, description="IANA time zone of the days (default: yours)")
    program: str | None = None
    severity: str | None = None
    product: str | None = Field(None, description="product id")
    region: str | None = None
    kind: str | None = None


class SlaQuery(ReportQuery):
    by: str | None = Field(
        None, description=f"one of {', '.join(selectors.DIMENSIONS)} (default: program)"
    )


class PeriodOut(Schema):
    since: date
    until: date
    time_zone: str
    start: datetime
    end: datetime


class AttainmentRowOut(Schema):
    key: str
    label: str
    met: int
    missed: int
    pending: int = Field(description="unanswered, not due yet")
    no_target: int = Field(description="no due time (R-18, R-19): never met nor missed")
    total: int
    attainment: float | None = Field(description="met / (met + missed), percent")


class AttainmentOut(Schema):
    period: PeriodOut
    at: datetime
    by: str
    rows: list[AttainmentRowOut]
    all: AttainmentRowOut


class BucketOut(Schema):
    key: str
    label: str
    count: int


class DistributionOut(Schema):
    period: PeriodOut
    at: datetime
    spare: list[BucketOut] = Field(description="met cases by time to spare")
    late: list[BucketOut] = Field(description="cases answered late, by how late")


class BreachOut(Schema):
    number: str
    organization: str
    program: str
    severity: int
    opened_at: datetime
    due_at: datetime
    responded_at: datetime | None
    late_minutes: float = Field(description="how late; so far for a case still unanswered")


class BreachesOut(Schema):
    period: PeriodOut
    at: datetime
    total: int
    by_lateness: list[BucketOut]
    worst: list[BreachOut]


class BacklogRowOut(Schema):
    state: str
    label: str
    by_age: dict[str, int]
    total: int


class BacklogOut(Schema):
    at: datetime
    rows: list[BacklogRowOut]
    ages: list[BucketOut]


class DayOut(Schema):
    day: date
    arrivals: int
    closures: int


class FlowOut(Schema):
    period: PeriodOut
    days: list[DayOut]
    arrivals: int
    closures: int


def _request(
    request: HttpRequest, query: ReportQuery, by: str | None = None
) -> tuple[params.ReportRequest, datetime]:
    """The parsed request and the instant the report is as of."""
    user = request.user
    require_reports(user)
    assert isinstance(user, User)
    now = timezone.now()
    return params.parse(
        since=query.since,
        until=query.until,
        tz=query.tz,
        viewer_tz=user.time_zone,
        now=now,
        by=by,
        program=query.program,
        severity=query.severity,
        product=query.product,
        region=query.region,
        kind=query.kind,
    ), now


def _period(p: selectors.Period) -> dict[str, Any]:
    days = p.days()
    return {
        "since": days[0],
        "until": days[-1],
        "time_zone": p.tz.key,
        "start": p.start.astimezone(p.tz),
        "end": p.end.astimezone(p.tz),
    }


def _row(r: selectors.AttainmentRow) -> dict[str, Any]:
    return {
        "key": r.key,
        "label": r.label,
        "met": r.met,
        "missed": r.missed,
        "pending": r.pending,
        "no_target": r.no_target,
        "total": r.total,
        "attainment": r.attainment,
    }


@router.get("/reports/sla", response={200: AttainmentOut, **ERRORS})
def sla(request: HttpRequest, query: Query[SlaQuery]) -> Any:
    """Share of cases answered within target, by one dimension (R-16 to R-19)."""
    req, at = _request(request, query, query.by)
    report = selectors.sla_attainment(period=req.period, by=req.by, at=at, filters=req.filters)
    return {
        "period": _period(req.period),
        "at": at.astimezone(req.period.tz),
        "by": report.by,
        "rows": [_row(r) for r in report.rows],
        "all": _row(report.all),
    }


@router.get("/reports/sla/distribution", response={200: DistributionOut, **ERRORS})
def distribution(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """First responses against their due time: time to spare, or how late (R-16, R-17)."""
    req, at = _request(request, query)
    report = selectors.first_response_distribution(period=req.period, at=at, filters=req.filters)
    return {
        "period": _period(req.period),
        "at": at.astimezone(req.period.tz),
        "spare": [vars(b) for b in report.spare],
        "late": [vars(b) for b in report.late],
    }


@router.get("/reports/sla/breaches", response={200: BreachesOut, **ERRORS})
def breaches(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """Missed first responses with how late, the latest first (at most 50)."""
    req, at = _request(request, query)
    report = selectors.breaches(period=req.period, at=at, filters=req.filters)
    tz = req.period.tz
    return {
        "period": _period(req.period),
        "at": at.astimezone(tz),
        "total": report.total,
        "by_lateness": [vars(b) for b in report.by_lateness],
        "worst": [
            {
                "number": b.number,
                "organization": b.organization,
                "program": b.program,
                "severity": b.severity,
                "opened_at": b.opened_at.astimezone(tz),
                "due_at": b.due_at.astimezone(tz),
                "responded_at": b.responded_at.astimezone(tz) if b.responded_at else None,
                "late_minutes": round(b.late_by.total_seconds() / 60, 1),
            }
            for b in report.worst
        ],
    }


@router.get("/reports/backlog", response={200: BacklogOut, **ERRORS})
def backlog(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """Open cases now, by state and age (the period does not apply)."""
    req, at = _request(request, query)
    report = selectors.backlog(at=at, filters=req.filters)
    return {
        "at": at.astimezone(req.period.tz),
        "rows": [
            {"state": r.state, "label": r.label, "by_age": r.by_age, "total": r.total}
            for r in report.rows
        ],
        "ages": [vars(b) for b in report.ages],
    }


@router.get("/reports/flow", response={200: FlowOut, **ERRORS})
def flow(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """Cases opened and closed on each day of the period, days in the caller's zone."""
    req, _ = _request(request, query)
    report = selectors.flow(period=req.period, filters=req.filters)
    return {
        "period": _period(req.period),
        "days": [vars(d) for d in report.days],
        "arrivals": report.arrivals,
        "closures": report.closures,
    }


# --- working a case, R-20 ---------------------------------------


class DayCountOut(Schema):
    day: date
    count: int


class ContactClosuresOut(Schema):
    period: PeriodOut
    days: list[DayCountOut] = Field(description="cases closed for want of an answer, per day")
    total: int
    all_closures: int = Field(description="every case closed in the period")
    share: float | None = Field(description="total / all_closures, percent")
    attempts: list[BucketOut] = Field(description="contact attempts made, by outcome")


@router.get("/reports/contact-closures", response={200: ContactClosuresOut, **ERRORS})
def contact_closures(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """Cases closed after three unanswered contact attempts (R-29), per day, and the attempts
    made in the period by outcome."""
    req, _ = _request(request, query)
    r = work.contact_closures(period=req.period, filters=req.filters)
    return {
        "period": _period(req.period),
        "days": [vars(d) for d in r.days],
        "total": r.total,
        "all_closures": r.all_closures,
        "share": r.share,
        "attempts": [vars(b) for b in r.attempts],
    }


class ResolutionRowOut(Schema):
    key: str
    label: str
    count: int
    closed: int = Field(description="resolutions that closed the case")
    lowered: int = Field(description="resolutions that lowered the severity")


class ResolutionsOut(Schema):
    period: PeriodOut
    rows: list[ResolutionRowOut]
    out_of_scope: list[BucketOut] = Field(description="out-of-scope closures by reason (R-31)")
    total: int


@router.get("/reports/resolutions", response={200: ResolutionsOut, **ERRORS})
def resolutions(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """Resolutions given in the period by type (R-30), out of scope by reason (R-31)."""
    req, _ = _request(request, query)
    r = work.resolutions(period=req.period, filters=req.filters)
    return {
        "period": _period(req.period),
        "rows": [vars(x) for x in r.rows],
        "out_of_scope": [vars(b) for b in r.out_of_scope],
        "total": r.total,
    }


class EscalationDayOut(Schema):
    day: date
    tier_escalations: int
    manager_requests: int


class EscalationsOut(Schema):
    period: PeriodOut
    tiers: list[BucketOut] = Field(description="tier escalations by the tier reached (R-21)")
    manager_requests: list[BucketOut] = Field(
        description='"talk to a manager" requests made in the period, by state (R-32)'
    )
    tier_total: int
    manager_total: int
    days: list[EscalationDayOut]


@router.get("/reports/escalations", response={200: EscalationsOut, **ERRORS})
def escalations(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """Tier escalations (R-21) and "talk to a manager" requests (R-32), per day."""
    req, _ = _request(request, query)
    r = work.escalations(period=req.period, filters=req.filters)
    return {
        "period": _period(req.period),
        "tiers": [vars(b) for b in r.tiers],
        "manager_requests": [vars(b) for b in r.manager_requests],
        "tier_total": r.tier_total,
        "manager_total": r.manager_total,
        "days": [{"day": d, "tier_escalations": t, "manager_requests": m} for d, t, m in r.days],
    }


class LanguageRowOut(Schema):
    language: str = Field(description="the customer's language (primary subtag), or all")
    counts: dict[str, int] = Field(description=", ".join(key for key, _ in work.ROUTING_OUTCOMES))
    total: int


class LanguageRoutingOut(Schema):
    period: PeriodOut
    rows: list[LanguageRowOut]
    all: LanguageRowOut
    in_language_percent: float | None = Field(
        description="of the cases whose customer's language is not English, routed in it"
    )


@router.get("/reports/language-routing", response={200: LanguageRoutingOut, **ERRORS})
def language_routing(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """Cases opened in the period: routed in the customer's language or in English (R-20)."""
    req, _ = _request(request, query)
    r = work.language_routing(period=req.period, filters=req.filters)

    def row(x: work.LanguageRow) -> dict[str, Any]:
        return {"language": x.language, "counts": x.counts, "total": x.total}

    return {
        "period": _period(req.period),
        "rows": [row(x) for x in r.rows],
        "all": row(r.all),
        "in_language_percent": r.in_language_percent,
    }


class SatisfactionQuery(ReportQuery):
    by: str | None = Field(None, description="program, month, engineer or queue (default: program)")


class SatisfactionRowOut(Schema):
    key: str
    label: str
    sent: int
    answered: int
    response_rate: float | None = Field(description="answered / sent, percent")
    means: dict[str, float | None] = Field(
        description="mean score 1 to 5 of resolution, professionalism, knowledge, overall"
    )


class SurveyCommentOut(Schema):
    case: str
    answered_at: datetime
    overall: int | None
    text: str


class SatisfactionOut(Schema):
    period: PeriodOut
    by: str
    rows: list[SatisfactionRowOut]
    all: SatisfactionRowOut
    comment_count: int
    comments: list[SurveyCommentOut] = Field(description="the latest 50, newest first")


def _satisfaction_row(r: satisfaction.SatisfactionRow) -> dict[str, Any]:
    return {
        "key": r.key,
        "label": r.label,
        "sent": r.sent,
        "answered": r.answered,
        "response_rate": r.response_rate,
        "means": r.means,
    }


@router.get("/reports/satisfaction", response={200: SatisfactionOut, **ERRORS})
def satisfaction_report(request: HttpRequest, query: Query[SatisfactionQuery]) -> Any:
    """Survey response rate and mean scores of the four questions (R-34), with the comments;
    for support managers. The period covers the surveys sent in it."""
    require_satisfaction(request.user)
    req, _ = _request(request, query)
    try:
        report = satisfaction.satisfaction(
            period=req.period, by=query.by or "program", filters=req.filters
        )
    except LookupError as missing:
        raise HttpError(404, str(missing)) from None
    tz = req.period.tz
    return {
        "period": _period(req.period),
        "by": report.by,
        "rows": [_satisfaction_row(r) for r in report.rows],
        "all": _satisfaction_row(report.all),
        "comment_count": report.comment_count,
        "comments": [
            {
                "case": c.case,
                "answered_at": c.answered_at.astimezone(tz),
                "overall": c.overall,
                "text": c.text,
            }
            for c in report.comments
        ],
    }
