"""The management reports, aggregated in the database (R-16 to R-19, R-34).

Every report reads the first-response clock each case froze when it was opened (program,
target, due time), so a later change of licenses or of the policy file does not rewrite
history. The definitions counted (outcomes, buckets) are those of
:mod:`supportdesk.policy.reporting`; the queries here express them as SQL aggregates, one
query per report (plus one for labels), whatever the number of cases. They count a column
that is never empty and is in the report indexes (``opened_at``), not ids, so that PostgreSQL
answers from those indexes alone (an index-only scan) without reading the table.

Periods are half-open ``[start, end)`` and cover the cases *opened* in them (arrivals and
closures: the cases opened, respectively closed, in them). Days are the viewer's days: a
period given as dates starts and ends at midnight in the viewer's time zone, and per-day
series count in that zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from supportdesk.accounts.choices import Region
from supportdesk.cases.choices import CaseKind
from supportdesk.cases.models import Case
from supportdesk.licensing.models import Product
from supportdesk.policy import get_policy
from supportdesk.policy.case_states import OPEN_STATES, STATE_LABELS, STATES
from supportdesk.policy.reporting import (
    AGE_BUCKETS,
    LATENESS_BUCKETS,
    OUTCOMES,
    SPARE_BUCKETS,
    Bucket,
    attainment_percent,
)
from supportdesk.reports import rollup
from supportdesk.reports.models import SettledDay, SettledHour
from supportdesk.routing.models import Queue

Dimension = Literal["program", "severity", "product", "region", "language", "kind", "queue"]
DIMENSIONS: tuple[Dimension, ...] = (
    "program",
    "severity",
    "product",
    "region",
    "language",
    "kind",
    "queue",
)
#: The column each dimension groups by. ``language`` is the customer's preferred language
#: (``Organization.language``) until cases record the language they were answered in (R-20).
_COLUMN: dict[str, str] = {
    "program": "program",
    "severity": "severity",
    "product": "product_id",
    "region": "organization__region",
    "language": "organization__language",
    "kind": "kind",
    "queue": "queue_id",
}
MAX_PERIOD = timedelta(days=400)
#: what the aggregates count: never empty, and in every report index (not ``id``)
ROW = "opened_at"
MAX_DAYS_SERIES = 400


@dataclass(frozen=True)
class Period:
    """``[start, end)``, aware; ``tz`` is the viewer's zone, in which days are counted."""

    start: datetime
    end: datetime
    tz: ZoneInfo

    @classmethod
    def of_days(cls, first: date, last: date, tz: ZoneInfo) -> Period:
        """From the start of ``first`` to the end of ``last``, days in ``tz``."""
        start = datetime.combine(first, time(0), tzinfo=tz)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
        return cls(start=start, end=end, tz=tz)

    def days(self) -> list[date]:
        first = self.start.astimezone(self.tz).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(self.tz).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class Filters:
    """Narrow every report to some cases; None is everything."""

    program: str | None = None
    severity: int | None = None
    product: int | None = None
    region: str | None = None
    kind: str | None = None

    def q(self, prefix: str = "") -> Q:
        """The filters on cases; ``prefix`` (such as ``case__``) reaches them from another
        model."""
        q = Q()
        for name, column in (
            ("program", "program"),
            ("severity", "severity"),
            ("product", "product_id"),
            ("region", "organization__region"),
            ("kind", "kind"),
        ):
            value = getattr(self, name)
            if value is not None:
                q &= Q(**{prefix + column: value})
        return q


def _cases(filters: Filters) -> QuerySet[Case]:
    return Case.objects.filter(filters.q()).order_by()


def _opened_in(period: Period, filters: Filters) -> QuerySet[Case]:
    return _cases(filters).filter(opened_at__gte=period.start, opened_at__lt=period.end)


# --- outcomes as SQL (policy.reporting.first_response_outcome) ---------------------------


def outcome_q(outcome: str, at: datetime) -> Q:
    if outcome == "no_target":
        return Q(first_response_due_at__isnull=True)
    if outcome == "met":
        return Q(
            first_response_due_at__isnull=False,
            first_responded_at__isnull=False,
            first_response_late_by__isnull=True,
        )
    if outcome == "missed":
        return Q(first_response_due_at__isnull=False) & (
            Q(first_responded_at__isnull=False, first_response_late_by__isnull=False)
            | Q(first_responded_at__isnull=True, first_response_due_at__lt=at)
        )
    if outcome == "pending":
        return Q(first_responded_at__isnull=True, first_response_due_at__gte=at)
    raise ValueError(outcome)


def _outcome_counts(at: datetime) -> dict[str, Any]:
    return {name: Count(ROW, filter=outcome_q(name, at)) for name in OUTCOMES}


# --- SLA attainment -------------------------------------------------------------------------


@dataclass(frozen=True)
class AttainmentRow:
    key: str
    label: str
    met: int
    missed: int
    pending: int
    no_target: int

    @property
    def total(self) -> int:
        return self.met + self.missed + self.pending + self.no_target

    @property
    def attainment(self) -> float | None:
        return attainment_percent(self.met, self.missed)


@dataclass(frozen=True)
class Attainment:
    by: str
    rows: list[AttainmentRow]
    all: AttainmentRow


def _labels(dimension: str, keys: Iterable[Any]) -> dict[Any, str]:
    keys = list(keys)
    if dimension == "program":
        programs = get_policy().programs
        return {k: programs[k].label if k in programs else (k or "none") for k in keys}
    if dimension == "severity":
        return {k: f"Severity {k}" for k in keys}
    if dimension == "product":
        names = dict(Product.objects.filter(pk__in=keys).values_list("pk", "name"))
        return {k: names.get(k, str(k)) for k in keys}
    if dimension == "region":
        return {k: dict(Region.choices).get(k, k) for k in keys}
    if dimension == "kind":
        return {k: dict(CaseKind.choices).get(k, k) for k in keys}
    if dimension == "queue":
        queues = dict(Queue.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
        return {k: queues.get(k, str(k)) if k else "No queue" for k in keys}
    return {k: str(k) for k in keys}


def _rollup_state(filters: Filters) -> rollup.State | None:
    """The roll-up of settled cases, where a report may read it: with no filter."""
    return rollup.current() if filters == Filters() else None


def _split(
    period: Period, state: rollup.State | None
) -> tuple[rollup.State, datetime, datetime] | None:
    """``(state, first, last)``: the whole UTC days ``[first, last)`` of ``period`` whose
    settled cases the roll-up counts; None where the report reads only the cases."""
    if state is None:
        return None
    days = rollup.utc_days(period.start, period.end)
    if days is None or days[1] - days[0] < timedelta(days=rollup.MIN_DAYS):
        return None
    return (state, *days)


def _live_parts(
    period: Period, filters: Filters, split: tuple[rollup.State, datetime, datetime] | None
) -> list[QuerySet[Case]]:
    """The cases a report counts itself: all of them, or (beside a roll-up) those opened in
    the period's partial UTC days and the unsettled ones of its whole days."""
    cases = _opened_in(period, filters)
    if split is None:
        return [cases]
    state, first, last = split
    whole_days = _cases(filters).filter(opened_at__gte=first, opened_at__lt=last)
    return [
        cases.filter(Q(opened_at__lt=first) | Q(opened_at__gte=last)),
        *(whole_days.filter(part) for part in rollup.unsettled_parts(state)),
    ]


def _settled_days(
    split: tuple[rollup.State, datetime, datetime], dimension: str
) -> QuerySet[SettledDay]:
    _, first, last = split
    return SettledDay.objects.filter(
        dimension=dimension, day__gte=first.date(), day__lt=last.date()
    ).order_by()


def _rolled_outcomes(
    split: tuple[rollup.State, datetime, datetime], by: str
) -> dict[Any, dict[str, int]]:
    """Outcomes of the settled cases of the whole days, per value of ``by`` (as the column
    holds it)."""
    sums = (
        _settled_days(split, by)
        .values("key")
        .annotate(met=Sum("met"), missed=Sum("missed"), no_target=Sum("no_target"))
    )
    counted = {row["key"]: row for row in sums}
    values: dict[str, Any] = {k: int(k) if by in ("severity", "product") else k for k in counted}
    out: dict[Any, dict[str, int]] = {}
    for k, row in counted.items():
        into = out.setdefault(values[k], dict.fromkeys(OUTCOMES, 0))
        for name in ("met", "missed", "no_target"):
            into[name] += row[name]
    return out


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if value is not None else (1, 0)


def sla_attainment(*, period: Period, by: str, at: datetime, filters: Filters) -> Attainment:
    """Cases opened in ``period`` by first-response outcome at ``at``, per value of ``by``."""
    column = _COLUMN[by]
    state = _rollup_state(filters) if by in rollup.COLUMNS else None
    if (
        state is not None
        and by in rollup.BY_ORGANIZATION
        and state.organizations != rollup.organizations_fingerprint()
    ):
        state = None  # an organization moved since: its settled cases are counted anew
    split = _split(period, state)
    counts: dict[Any, dict[str, int]] = _rolled_outcomes(split, by) if split else {}
    for cases in _live_parts(period, filters, split):
        for row in cases.values(column).annotate(**_outcome_counts(at)).order_by():
            into = counts.setdefault(row[column], dict.fromkeys(OUTCOMES, 0))
            for name in OUTCOMES:
                into[name] += row[name]
    keys = sorted(counts, key=_sort_key)
    labels = _labels(by, keys)
    rows = [
        AttainmentRow(key=str(k), label=labels[k], **{name: counts[k][name] for name in OUTCOMES})
        for k in keys
    ]
    total = AttainmentRow(
        key="all",
        label="All cases",
        **{name: sum(getattr(r, name) for r in rows) for name in OUTCOMES},
    )
    return Attainment(by=by, rows=rows, all=total)


# --- first-response distribution and breaches -----------------------------------------------


@dataclass(frozen=True)
class BucketCount:
    key: str
    label: str
    count: int


def _range_q(column: str, bucket: Bucket) -> Q:
    q = Q(**{f"{column}__gte": bucket.low})
    if bucket.high is not None:
        q &= Q(**{f"{column}__lt": bucket.high})
    return q


def _due_range_q(bucket: Bucket, at: datetime) -> Q:
    """Unanswered cases overdue at ``at`` by an amount in ``bucket``: due in
    ``(at - high, at - low]``."""
    q = Q(first_response_due_at__lte=at - bucket.low)
    if bucket.high is not None:
        q &= Q(first_response_due_at__gt=at - bucket.high)
    return q


@dataclass(frozen=True)
class Distribution:
    """First responses against their due time: time to spare (met) and lateness (answered
    late), of the cases opened in the period and answered by ``at``."""

    spare: list[BucketCount]
    late: list[BucketCount]


def first_response_distribution(*, period: Period, at: datetime, filters: Filters) -> Distribution:
    # Time to spare = due - responded: compared as instants, no duration arithmetic in SQL,
    # so that SQLite and PostgreSQL agree to the microsecond. Only met cases have some.
    met = outcome_q("met", at)
    counts: dict[str, Any] = {}
    for b in SPARE_BUCKETS:
        # due - responded in [low, high)  <=>  responded in (due - high, due - low]
        q = met & Q(first_responded_at__lte=_minus_due(b.low))
        if b.high is not None:
            q &= Q(first_responded_at__gt=_minus_due(b.high))
        counts[b.key] = Count(ROW, filter=q)
    for b in LATENESS_BUCKETS:
        counts[b.key] = Count(ROW, filter=_range_q("first_response_late_by", b))
    row = _opened_in(period, filters).filter(first_responded_at__lte=at).aggregate(**counts)
    return Distribution(
        spare=[BucketCount(b.key, b.label, row[b.key]) for b in SPARE_BUCKETS],
        late=[BucketCount(b.key, b.label, row[b.key]) for b in LATENESS_BUCKETS],
    )


def _minus_due(delta: timedelta) -> Any:
    return F("first_response_due_at") - delta


@dataclass(frozen=True)
class Breach:
    number: str
    organization: str
    program: str
    severity: int
    opened_at: datetime
    due_at: datetime
    responded_at: datetime | None
    late_by: timedelta  # so far, for a case still unanswered


@dataclass(frozen=True)
class Breaches:
    total: int
    by_lateness: list[BucketCount]
    worst: list[Breach]  # the latest first, at most ``limit``


def breaches(*, period: Period, at: datetime, filters: Filters, limit: int = 50) -> Breaches:
    """Missed first responses of cases opened in ``period``, with how late (R-16)."""
    cases = _opened_in(period, filters)
    answered_late = Q(first_responded_at__isnull=False, first_response_late_by__isnull=False)
    overdue = Q(first_responded_at__isnull=True, first_response_due_at__lt=at)
    counts: dict[str, Any] = {"total": Count(ROW, filter=answered_late | overdue)}
    for b in LATENESS_BUCKETS:
        in_b = (answered_late & _range_q("first_response_late_by", b)) | (
            overdue & _due_range_q(b, at)
        )
        counts[b.key] = Count(ROW, filter=in_b)
    split = _split(period, _rollup_state(filters))
    row = dict.fromkeys(counts, 0)
    if split is not None:  # settled cases answered late, by how late
        rolled = _settled_days(split, rollup.LATENESS).values("key").annotate(n=Sum("missed"))
        for r in rolled:
            row[r["key"]] += r["n"]
            row["total"] += r["n"]
    for part in _live_parts(period, filters, split):
        for name, n in part.aggregate(**counts).items():
            row[name] += n
    fields = (
        "number",
        "organization__name",
        "program",
        "severity",
        "opened_at",
        "first_response_due_at",
        "first_responded_at",
        "first_response_late_by",
    )
    late = cases.filter(answered_late).order_by("-first_response_late_by", "number")
    still = cases.filter(overdue).order_by("first_response_due_at", "number")
    found = [
        Breach(
            number=r[0],
            organization=r[1],
            program=r[2],
            severity=r[3],
            opened_at=r[4],
            due_at=r[5],
            responded_at=r[6],
            late_by=r[7] if r[7] is not None else at - r[5],
        )
        for r in [*late.values_list(*fields)[:limit], *still.values_list(*fields)[:limit]]
    ]
    found.sort(key=lambda b: (-b.late_by, b.number))
    return Breaches(
        total=row["total"],
        by_lateness=[BucketCount(b.key, b.label, row[b.key]) for b in LATENESS_BUCKETS],
        worst=found[:limit],
    )


# --- backlog and flow ------------------------------------------------------------------------


@dataclass(frozen=True)
class BacklogRow:
    state: str
    label: str
    by_age: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_age.values())


@dataclass(frozen=True)
class Backlog:
    at: datetime
    rows: list[BacklogRow]  # one per open state, in the state machine's order
    ages: list[BucketCount]  # all open states together


def _age_q(bucket: Bucket, at: datetime) -> Q:
    """Open for a time in ``bucket`` at ``at``: opened in ``(at - high, at - low]``."""
    q = Q(opened_at__lte=at - bucket.low)
    if bucket.high is not None:
        q &= Q(opened_at__gt=at - bucket.high)
    return q


def backlog(*, at: datetime, filters: Filters) -> Backlog:
    """The cases open now, by state and by how long they have been open (opened by ``at``)."""
    open_states = [s for s in STATES if s in OPEN_STATES]
    grouped: dict[str, dict[str, Any]] = {
        row["status"]: dict(row)
        for row in _cases(filters)
        .filter(status__in=open_states, opened_at__lte=at)
        .values("status")
        .annotate(**{b.key: Count(ROW, filter=_age_q(b, at)) for b in AGE_BUCKETS})
    }
    rows = [
        BacklogRow(
            state=state,
            label=STATE_LABELS[state],
            by_age={b.key: grouped.get(state, {}).get(b.key, 0) for b in AGE_BUCKETS},
        )
        for state in open_states
    ]
    ages = [BucketCount(b.key, b.label, sum(r.by_age[b.key] for r in rows)) for b in AGE_BUCKETS]
    return Backlog(at=at, rows=rows, ages=ages)


@dataclass(frozen=True)
class DayFlow:
    day: date
    arrivals: int
    closures: int


@dataclass(frozen=True)
class Flow:
    days: list[DayFlow]
    arrivals: int
    closures: int


def _per_day(cases: QuerySet[Case], column: str, tz: ZoneInfo) -> dict[date, int]:
    return {
        row["day"]: row["n"]
        for row in cases.annotate(day=TruncDate(column, tzinfo=tz))
        .values("day")
        .annotate(n=Count(column))
    }


def flow(*, period: Period, filters: Filters) -> Flow:
    """Cases opened (arrivals) and closed (closures) on each of the viewer's days."""
    cases = _cases(filters)
    opened = Q(opened_at__gte=period.start, opened_at__lt=period.end)
    closed = Q(closed_at__gte=period.start, closed_at__lt=period.end)  # closed is final
    state = _rollup_state(filters)
    arrived: dict[date, int] = {}
    left: dict[date, int] = {}
    if (
        state is not None
        and period.end - period.start >= timedelta(days=rollup.MIN_DAYS)
        and rollup.on_whole_hours([period.start, period.end])
        and all(
            rollup.on_whole_hours([datetime.combine(d, time(0), tzinfo=period.tz)])
            for d in period.days()
        )
    ):
        # the settled cases from the hourly roll-up, the others from the cases
        per_day = (
            SettledHour.objects.filter(hour__gte=period.start, hour__lt=period.end)
            .annotate(day=TruncDate("hour", tzinfo=period.tz))
            .values("day")
            .annotate(a=Sum("arrivals"), c=Sum("closures"))
            .order_by()
        )
        for row in per_day:
            arrived[row["day"]] = row["a"]
            left[row["day"]] = row["c"]
        parts = [cases.filter(part) for part in rollup.unsettled_parts(state)]
    else:
        parts = [cases]
    for into, q, column in ((arrived, opened, "opened_at"), (left, closed, "closed_at")):
        for part in parts:
            for day, n in _per_day(part.filter(q), column, period.tz).items():
                into[day] = into.get(day, 0) + n
    days = [DayFlow(d, arrived.get(d, 0), left.get(d, 0)) for d in period.days()]
    return Flow(
        days=days,
        arrivals=sum(d.arrivals for d in days),
        closures=sum(d.closures for d in days),
    )
