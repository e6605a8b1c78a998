"""The roll-ups of settled cases (:mod:`supportdesk.reports.models`): which cases they count,
how the worker makes them again, and how a report adds them to the cases they leave out.

A case is **settled** when it is closed (closed is final: no service changes a closed case's
program, severity, product, kind, organization, first response or closing), its ``closed_at``
is before the roll-up's horizon (or unknown, for a case closed before cases recorded it), its
id is at most the highest id the roll-up saw, and it was answered or had no target (R-18,
R-19). Everything a report counts about a settled case is then fixed for good; an unanswered
case is left out because whether it is missed or pending, and how late it is so far, depends
on the moment the report is asked.

A report of whole UTC days with no filter reads the roll-up for the settled cases and the
cases table for the others (:func:`unsettled_parts`, which the indexes on cases answer: the
cases not closed, the unanswered ones, the ones closed since the horizon), so it gives exactly the
answer of the live query over all the cases, whether the roll-up is fresh or days old.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate, TruncHour

from supportdesk.accounts.models import Organization
from supportdesk.cases.models import Case
from supportdesk.policy.reporting import LATENESS_BUCKETS
from supportdesk.reports.models import RollupState, SettledDay, SettledHour

#: the dimensions the roll-up keeps, and the column of each. Region and language are the
#: organization's, which may change: the roll-up keeps a fingerprint of every organization's
#: region and language, and a report by them reads it only while they are unchanged.
COLUMNS: dict[str, str] = {
    "program": "program",
    "severity": "severity",
    "product": "product_id",
    "kind": "kind",
    "region": "organization__region",
    "language": "organization__language",
}
BY_ORGANIZATION = ("region", "language")
LATENESS = "lateness"
#: how long before the refresh a closing must be to count: a closing's transaction is
#: committed well within it, so no case closed before the horizon is still invisible
MARGIN = timedelta(hours=1)
REFRESH_EVERY = timedelta(hours=1)
#: shorter periods read the cases alone: an index range of a few weeks is as quick as adding
#: the roll-up and the unsettled cases
MIN_DAYS = 45


@dataclass(frozen=True)
class State:
    horizon: datetime
    max_case_id: int
    organizations: str = ""


def current() -> State | None:
    row = (
        RollupState.objects.order_by("-pk")
        .values_list("horizon", "max_case_id", "organizations")
        .first()
    )
    return None if row is None else State(horizon=row[0], max_case_id=row[1], organizations=row[2])


def organizations_fingerprint() -> str:
    """SHA-256 of every organization's id, region and language."""
    digest = hashlib.sha256()
    for pk, region, language in Organization.objects.order_by("pk").values_list(
        "pk", "region", "language"
    ):
        digest.update(f"{pk}\x1f{region}\x1f{language}\x1e".encode())
    return digest.hexdigest()


def settled_q(state: State) -> Q:
    return (
        Q(pk__lte=state.max_case_id, status="closed")
        & (Q(closed_at__lt=state.horizon) | Q(closed_at__isnull=True))
        & (Q(first_responded_at__isnull=False) | Q(first_response_due_at__isnull=True))
    )


def unsettled_parts(state: State) -> tuple[Q, ...]:
    """Exactly the cases :func:`settled_q` leaves out, in parts that share no case, each read
    from one index alone: the cases not closed (``cases_case_not_closed_idx``, which holds
    every column a report counts); the closed ones after the highest id (the primary key),
    closed since the horizon (``closed_at``), or never answered
    (``cases_case_unanswered_due_idx``, with the same columns)."""
    closed, seen = Q(status="closed"), Q(pk__lte=state.max_case_id)
    return (
        ~Q(status="closed"),
        closed & Q(pk__gt=state.max_case_id),
        closed & seen & Q(closed_at__gte=state.horizon),
        closed
        & seen
        & (Q(closed_at__lt=state.horizon) | Q(closed_at__isnull=True))
        & Q(first_responded_at__isnull=True, first_response_due_at__isnull=False),
    )


def unsettled_q(state: State) -> Q:
    q = Q()
    for part in unsettled_parts(state):
        q |= part
    return q


def _outcomes() -> dict[str, Any]:
    # a settled case is answered or has no target: met, answered late, or no target
    return {
        "met": Count(
            "pk",
            filter=Q(first_response_due_at__isnull=False) & Q(first_response_late_by__isnull=True),
        ),
        "missed": Count("pk", filter=Q(first_response_late_by__isnull=False)),
        "no_target": Count("pk", filter=Q(first_response_due_at__isnull=True)),
    }


def _lateness() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for b in LATENESS_BUCKETS:
        q = Q(first_response_late_by__gte=b.low)
        if b.high is not None:
            q &= Q(first_response_late_by__lt=b.high)
        out[b.key] = Count("pk", filter=q)
    return out


def _day_rows(settled: Any) -> Iterable[SettledDay]:
    by_day = settled.annotate(day=TruncDate("opened_at", tzinfo=UTC))
    for dimension, column in COLUMNS.items():
        for row in by_day.values("day", column).annotate(**_outcomes()).order_by():
            yield SettledDay(
                day=row["day"],
                dimension=dimension,
                key=str(row[column]),
                met=row["met"],
                missed=row["missed"],
                no_target=row["no_target"],
            )
    late = by_day.filter(first_response_late_by__isnull=False).values("day")
    for row in late.annotate(**_lateness()).order_by():
        for b in LATENESS_BUCKETS:
            if row[b.key]:
                yield SettledDay(day=row["day"], dimension=LATENESS, key=b.key, missed=row[b.key])


def _hour_rows(settled: Any) -> Iterable[SettledHour]:
    hours: dict[datetime, list[int]] = {}
    for column, slot in (("opened_at", 0), ("closed_at", 1)):
        grouped = (
            settled.filter(**{f"{column}__isnull": False})
            .annotate(hour=TruncHour(column, tzinfo=UTC))
            .values("hour")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in grouped:
            hours.setdefault(row["hour"], [0, 0])[slot] += row["n"]
    for hour, (arrivals, closures) in hours.items():
        yield SettledHour(hour=hour, arrivals=arrivals, closures=closures)


def refresh(*, now: datetime) -> RollupState:
    """Count the settled cases again, whole (the database groups them; a few hundred rows a
    day come back): every case closed up to :data:`MARGIN` before ``now``."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # one snapshot for the highest id and every count
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        horizon = now - MARGIN
        fingerprint = organizations_fingerprint()
        max_id = Case.objects.aggregate(m=Max("pk"))["m"] or 0
        state = State(horizon=horizon, max_case_id=max_id)
        settled = Case.objects.filter(settled_q(state)).order_by()
        SettledDay.objects.all().delete()
        SettledHour.objects.all().delete()
        SettledDay.objects.bulk_create(_day_rows(settled), batch_size=2000)
        SettledHour.objects.bulk_create(_hour_rows(settled), batch_size=2000)
        RollupState.objects.all().delete()
        return RollupState.objects.create(
            horizon=horizon,
            max_case_id=max_id,
            organizations=fingerprint,
            refreshed_at=now,
            cases=settled.count(),
        )


# --- what the reports ask ------------------------------------------------------------------


def utc_days(start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    """The whole UTC days inside ``[start, end)``, as ``[first midnight, last midnight)``;
    None when there is none."""
    s, e = start.astimezone(UTC), end.astimezone(UTC)
    first = datetime.combine(s.date(), time(0), tzinfo=UTC)
    if first < s:
        first += timedelta(days=1)
    last = datetime.combine(e.date(), time(0), tzinfo=UTC)
    return (first, last) if first < last else None


def on_whole_hours(instants: Iterable[datetime]) -> bool:
    return all(
        i.astimezone(UTC).minute == 0 and i.second == 0 and i.microsecond == 0 for i in instants
    )
