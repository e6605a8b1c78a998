"""First-response targets and their clocks (R-16 to R-19).

``first_response`` answers, for a program, a severity, an opening instant and where the
customer is, when the first response is due, on which clock, and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from .calendar import BusinessCalendar, Segment, business_calendar, check_country, zone
from .errors import InputError
from .model import Hours, Policy, Program

CLOCK_NAMES = {"business": "business_hours", "24x7": "24x7", "none": "none"}


class Clock(Protocol):
    """Adds and measures time on one program's clock for one customer."""

    name: str

    def add(self, start: datetime, amount: timedelta) -> datetime: ...

    def between(self, start: datetime, end: datetime) -> timedelta: ...

    def segments(self, start: datetime, end: datetime) -> list[Segment]: ...


class RealTimeClock:
    """The 24x7 clock: real elapsed time, whatever the wall clock does (R-12)."""

    name = "24x7"

    def __init__(self, tz_name: str) -> None:
        self.tz = zone(tz_name)

    def add(self, start: datetime, amount: timedelta) -> datetime:
        return (start.astimezone(UTC) + amount).astimezone(self.tz)

    def between(self, start: datetime, end: datetime) -> timedelta:
        # in UTC: Python subtracts two datetimes that share a tzinfo by wall clock
        return end.astimezone(UTC) - start.astimezone(UTC)

    def segments(self, start: datetime, end: datetime) -> list[Segment]:
        return [Segment("counted", start.astimezone(self.tz), end.astimezone(self.tz))]


class BusinessClock:
    """Business hours on the customer's calendar (R-11, R-12, R-17)."""

    name = "business_hours"

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        self.add = calendar.add
        self.between = calendar.between
        self.segments = calendar.segments


def clock_for(
    hours: Hours, timezone: str, country: str, subdivision: str | None = None
) -> Clock | None:
    """The clock of ``hours`` for a customer (None for best-effort hours without a clock).

    Raises :class:`InputError` naming ``timezone``, ``country`` or ``subdivision``."""
    tz = zone(timezone)
    cc, sd = check_country(country, subdivision)
    if hours.clock == "24x7":
        return RealTimeClock(tz.key)
    if hours.clock == "business":
        return BusinessClock(business_calendar(hours, tz.key, cc, sd))
    return None


@dataclass(frozen=True)
class FirstResponse:
    """The first-response deadline of a case and how it was reached."""

    policy_version: str
    program: Program
    severity: int
    opened_at: datetime  # in the customer's time zone
    timezone: str
    country: str
    subdivision: str | None
    target_minutes: int | None
    clock: str  # "24x7", "business_hours" or "none"
    due_at: datetime | None  # in the customer's time zone
    clock_starts_at: datetime | None
    reasons: tuple[str, ...]
    segments: tuple[Segment, ...] | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "target_minutes": self.target_minutes,
            "clock": self.clock,
            "program": self.program.key,
            "severity": self.severity,
            "opened_at": self.opened_at.isoformat(),
            "clock_starts_at": self.clock_starts_at.isoformat() if self.clock_starts_at else None,
            "timezone": self.timezone,
            "country": self.country,
            "subdivision": self.subdivision,
            "hours": self.program.hours.label,
            "policy_version": self.policy_version,
            "reasons": list(self.reasons),
        }
        if self.segments is not None:
            out["segments"] = [s.to_dict() for s in self.segments]
        return out


def parse_severity(policy: Policy, severity: object) -> int:
    if isinstance(severity, bool):
        raise InputError("severity", f"must be a whole number from 1 to {len(policy.severities)}")
    try:
        number = int(str(severity).strip()) if not isinstance(severity, int) else severity
    except ValueError:
        number = -1
    if number not in policy.severities:
        raise InputError(
            "severity",
            f"must be a whole number from 1 to {len(policy.severities)}, not {severity!r}",
        )
    return number


def parse_program(policy: Policy, program: object) -> Program:
    if not isinstance(program, str) or program.strip().lower() not in policy.programs:
        raise InputError(
            "program", f"unknown program {program!r} (one of: {', '.join(policy.programs)})"
        )
    return policy.programs[program.strip().lower()]


#: The years the support calendar computes in: time-zone arithmetic at the ends of
#: datetime's range overflows, and no case, license or delegation lives outside them.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def check_year(value: datetime, field_name: str) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InputError(field_name, f"give a time between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


def parse_instant(value: str | datetime, timezone: str, field_name: str = "opened_at") -> datetime:
    """An aware instant from ISO 8601 text; a timestamp without an offset is read in
    ``timezone`` (earlier of two readings on a repeated hour)."""
    tz = zone(timezone)
    if isinstance(value, datetime):
        parsed = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(
                field_name,
                f"not an ISO 8601 timestamp: {value!r} (such as 2026-03-27T16:30:00+01:00)",
            ) from None
    check_year(parsed, field_name)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(tz)


def first_response(
    policy: Policy,
    *,
    program: str,
    severity: int | str,
    opened_at: datetime,
    timezone: str,
    country: str,
    subdivision: str | None = None,
    case_kind: str | None = None,
    explain: bool = False,
) -> FirstResponse:
    """The first-response due instant (R-16, R-17), or none where there is no target (R-18,
    R-19).  ``opened_at`` must be aware; the answer is in the customer's time zone."""
    prog = parse_program(policy, program)
    sev = parse_severity(policy, severity)
    tz = zone(timezone)
    cc, sd = check_country(country, subdivision)
    if opened_at.tzinfo is None or opened_at.utcoffset() is None:
        raise InputError("opened_at", "must carry a UTC offset or be read in the time zone")
    opened = opened_at.astimezone(tz)
    kind = None
    if case_kind is not None:
        if case_kind not in policy.case_kinds:
            raise InputError(
                "case_kind",
                f"unknown case kind {case_kind!r} (one of: {', '.join(policy.case_kinds)})",
            )
        kind = policy.case_kinds[case_kind]
    severity_label = policy.severities[sev].label
    hours = prog.hours
    where = f"{tz.key}, {cc}{'-' + sd if sd else ''}"
    reasons: list[str] = []

    minutes = prog.targets[sev]
    if kind is not None and not kind.first_response_target:
        reasons.append(f"{kind.label} cases have no response target, whatever the program (R-19).")
        minutes = None
    elif minutes is None:
        reasons.append(
            f"{prog.label} has no first-response target for {severity_label}; "
            "the case is handled best effort (R-18)."
        )
    if minutes is None:
        return FirstResponse(
            policy.version, prog, sev, opened, tz.key, cc, sd, None, "none", None, None,
            tuple(reasons), () if explain else None,
        )  # fmt: skip

    clock = clock_for(hours, tz.key, cc, sd)
    assert clock is not None  # the loader refuses targets on hours without a clock
    due = clock.add(opened, timedelta(minutes=minutes))
    if clock.name == "24x7":
        starts = opened
        reasons.append(
            f"{prog.label}, {severity_label}: first response within {_human(minutes)} "
            f"on the 24x7 clock, counting real elapsed time (R-16, R-17)."
        )
    else:
        assert isinstance(clock, BusinessClock)
        cal = clock.calendar
        starts = cal.next_opening(opened)
        reasons.append(
            f"{prog.label}, {severity_label}: first response within {_human(minutes)} of "
            f"business time, {hours.label} ({where}) (R-11, R-16, R-17)."
        )
        if starts != opened:
            reasons.append(
                f"Opened outside hours ({opened.strftime('%a %Y-%m-%d %H:%M %Z')}): the clock "
                f"starts at the next opening, {starts.strftime('%a %Y-%m-%d %H:%M %Z')} (R-17)."
            )
    reasons.append(f"Due {due.strftime('%a %Y-%m-%d %H:%M %Z')} (UTC{_offset(due)}).")
    segments = tuple(clock.segments(opened, due)) if explain else None
    if segments:
        skipped = [s for s in segments if s.kind == "holiday"]
        for s in skipped:
            reasons.append(
                f"Skipped {s.start.date().isoformat()}: public holiday, {s.name} (R-11)."
            )
    return FirstResponse(
        policy.version, prog, sev, opened, tz.key, cc, sd, minutes, clock.name, due, starts,
        tuple(reasons), segments,
    )  # fmt: skip


def _human(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h} h {m} min"
    if h:
        return f"{h} hour{'s' if h != 1 else ''}"
    return f"{m} minutes"


def _offset(dt: datetime) -> str:
    off = dt.utcoffset() or timedelta()
    sign = "-" if off < timedelta() else "+"
    total = abs(int(off.total_seconds())) // 60
    return f"{sign}{total // 60:02d}:{total % 60:02d}"
