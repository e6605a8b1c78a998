"""Reading a report's request: the period, the viewer's time zone and the filters, with a clear
error naming the field (422 in the API, a message on the page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError

from supportdesk.accounts.choices import Region
from supportdesk.accounts.validators import validate_time_zone
from supportdesk.cases.choices import CaseKind
from supportdesk.policy import get_policy
from supportdesk.policy.sla import FIRST_YEAR, LAST_YEAR
from supportdesk.reports.selectors import DIMENSIONS, MAX_PERIOD, Filters, Period

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class ReportRequest:
    period: Period
    filters: Filters
    by: str


def _date(name: str, text: str | None) -> date | None:
    if text is None or text == "":
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: [f"Not a date: {text!r} (use YYYY-MM-DD)."]}) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            {name: [f"Give a date between the years {FIRST_YEAR} and {LAST_YEAR}."]}
        )
    return day


def _int(name: str, text: str | int | None) -> int | None:
    if text is None or text == "":
        return None
    try:
        number = int(text)
    except (TypeError, ValueError):
        raise ValidationError({name: [f"Not a whole number: {text!r}."]}) from None
    if not 0 < number < 2**63:  # an id the database can hold
        raise ValidationError({name: [f"No such {name}: {number}."]})
    return number


def time_zone(name: str | None, default: str) -> ZoneInfo:
    """An IANA zone the database knows too (not any file zoneinfo would open)."""
    chosen = name or default
    try:
        validate_time_zone(chosen)
        return ZoneInfo(chosen)
    except (ValidationError, ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError({"tz": [f"Unknown time zone: {name!r}."]}) from None


def parse(
    *,
    since: str | None,
    until: str | None,
    tz: str | None,
    viewer_tz: str,
    now: datetime,
    by: str | None = None,
    program: str | None = None,
    severity: str | int | None = None,
    product: str | int | None = None,
    region: str | None = None,
    kind: str | None = None,
) -> ReportRequest:
    """The period from ``since`` to ``until`` (dates, both included, days in the viewer's zone:
    ``tz`` or their own); by default the last 30 days up to today."""
    zone = time_zone(tz, viewer_tz)
    today = now.astimezone(zone).date()
    last = _date("until", until) or today
    first = _date("since", since) or (last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise ValidationError({"since": ["The period starts after it ends (since > until)."]})
    if last - first >= MAX_PERIOD:
        raise ValidationError({"until": [f"A period spans at most {MAX_PERIOD.days} days."]})
    dimension = by or "program"
    if dimension not in DIMENSIONS:
        raise ValidationError(
            {"by": [f"Unknown dimension {dimension!r} (one of: {', '.join(DIMENSIONS)})."]}
        )
    if program and program not in get_policy().programs:
        raise ValidationError(
            {
                "program": [
                    f"Unknown program {program!r} (one of: {', '.join(get_policy().programs)})."
                ]
            }
        )
    sev = _int("severity", severity)
    if sev is not None and sev not in get_policy().severities:
        raise ValidationError({"severity": [f"Unknown severity {sev} (1 to 4)."]})
    if region and region not in Region.values:
        raise ValidationError(
            {"region": [f"Unknown region {region!r} (one of: {', '.join(Region.values)})."]}
        )
    if kind and kind not in CaseKind.values:
        raise ValidationError(
            {"kind": [f"Unknown case kind {kind!r} (one of: {', '.join(CaseKind.values)})."]}
        )
    return ReportRequest(
        period=Period.of_days(first, last, zone),
        filters=Filters(
            program=program or None,
            severity=sev,
            product=_int("product", product),
            region=region or None,
            kind=kind or None,
        ),
        by=dimension,
    )
