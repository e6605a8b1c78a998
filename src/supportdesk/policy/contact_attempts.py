"""Contact attempts (R-29): when may a case whose customer does not answer be closed?

Support makes three attempts to reach the customer on **three different business days of the
customer**; after the third unanswered attempt the case may be closed without the customer's
consent. A business day of the customer is a day of their own calendar, in their own time zone,
from Monday to Friday and not a public holiday of their country (and region, R-11).

How the attempts are counted:

- only unanswered attempts count (no answer, a voicemail, a busy or unreachable line, an
  e-mail without a reply); an attempt that reached the customer, or any answer of the
  customer on the case, starts the count again from zero;
- an attempt counts on the customer's local date: 23:30 UTC on a Friday is already Saturday
  in Tokyo, and is not counted; a second attempt on a business day already counted is not
  counted again;
- after the third counted day the customer has the rest of that day: the case may be closed
  from the start (local midnight) of the customer's next business day.

Everything here is a function of plain values with the time passed in; no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from .calendar import HolidaySource, no_holidays, public_holidays, zone
from .errors import InputError

#: R-29: attempts on this many different business days of the customer
REQUIRED_ATTEMPTS = 3

Channel = Literal["phone", "email"]
CHANNELS: Mapping[str, str] = {"phone": "Phone call", "email": "E-mail"}

#: outcome -> (label, answered?)
OUTCOMES: Mapping[str, tuple[str, bool]] = {
    "no_answer": ("No answer", False),
    "voicemail": ("Left a voicemail", False),
    "busy": ("Line busy or unreachable", False),
    "no_reply": ("E-mail sent, no reply", False),
    "reached": ("Reached the customer", True),
}

#: which outcomes make sense on which channel
CHANNEL_OUTCOMES: Mapping[str, frozenset[str]] = {
    "phone": frozenset({"no_answer", "voicemail", "busy", "reached"}),
    "email": frozenset({"no_reply", "reached"}),
}

WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


def check_attempt(channel: str, outcome: str) -> None:
    """:class:`InputError` naming ``channel`` or ``outcome`` unless the pair is known."""
    if channel not in CHANNELS:
        raise InputError("channel", f"unknown channel {channel!r} (one of: {', '.join(CHANNELS)})")
    if outcome not in OUTCOMES:
        raise InputError("outcome", f"unknown outcome {outcome!r} (one of: {', '.join(OUTCOMES)})")
    if outcome not in CHANNEL_OUTCOMES[channel]:
        allowed = ", ".join(o for o in OUTCOMES if o in CHANNEL_OUTCOMES[channel])
        raise InputError("outcome", f"{outcome!r} is not an outcome of {channel} ({allowed})")


def answered(outcome: str) -> bool:
    return OUTCOMES[outcome][1]


class BusinessDays:
    """The customer's business days (R-11): ``weekdays`` (0 = Monday) in ``tz_name`` minus the
    public holidays of ``country`` and ``subdivision`` (none when ``country`` is None)."""

    def __init__(
        self,
        tz_name: str,
        country: str | None,
        subdivision: str | None = None,
        *,
        weekdays: Iterable[int] = range(5),
        holidays: HolidaySource | None = None,
    ) -> None:
        self.tz = zone(tz_name)
        if holidays is None:
            holidays = public_holidays(country, subdivision) if country else no_holidays
        self._source = holidays
        self._years: dict[int, Mapping[date, str]] = {}
        self.weekdays = frozenset(weekdays)
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise InputError("weekdays", "business days are weekdays 0 (Monday) to 6 (Sunday)")

    def holiday(self, day: date) -> str | None:
        if day.year not in self._years:
            self._years[day.year] = self._source(day.year)
        return self._years[day.year].get(day)

    def local_date(self, instant: datetime) -> date:
        if instant.tzinfo is None:
            raise InputError("at", "an aware date and time is needed (with its offset)")
        return instant.astimezone(self.tz).date()

    def why_not(self, day: date) -> str | None:
        """None on a business day, else why it is not one."""
        if day.weekday() not in self.weekdays:
            return f"{WEEKDAYS[day.weekday()]} {day.isoformat()} is not a business day"
        name = self.holiday(day)
        if name is not None:
            return f"{day.isoformat()} is a public holiday ({name})"
        return None

    def is_business_day(self, day: date) -> bool:
        return self.why_not(day) is None

    def next_business_day(self, day: date) -> date:
        """The first business day after ``day``."""
        following = day + timedelta(days=1)
        for _ in range(366 * 2):
            if self.is_business_day(following):
                return following
            following += timedelta(days=1)
        raise InputError("weekdays", "no business day within two years")  # pragma: no cover

    def start_of(self, day: date) -> datetime:
        """The first instant of ``day`` in the customer's zone, in UTC (where clocks skip
        midnight, the moment they jump)."""
        return datetime.combine(day, time(0), tzinfo=self.tz).astimezone(UTC)


@dataclass(frozen=True)
class Attempt:
    at: datetime
    outcome: str
    channel: str = "phone"


@dataclass(frozen=True)
class Judged:
    """One attempt and what the count made of it."""

    attempt: Attempt
    local_date: date
    counted: bool
    number: int | None  # 1, 2, 3: which counted business day it was
    why: str


@dataclass(frozen=True)
class AttemptCount:
    """Where the count stands (R-29)."""

    judged: tuple[Judged, ...]
    days: tuple[date, ...]  # the counted business days since the count last started
    required: int
    closable_from: datetime | None  # UTC; None until the required attempts are made
    counting_since: datetime | None  # the customer's last answer, if any

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def remaining(self) -> int:
        return max(0, self.required - self.count)

    def may_close(self, now: datetime) -> bool:
        return self.closable_from is not None and now >= self.closable_from

    def summary(self) -> str:
        if self.closable_from is not None:
            return (
                f"{self.count} unanswered attempts on {self.count} different business days of "
                f"the customer; the case may be closed from "
                f"{self.closable_from.isoformat()} (R-29)."
            )
        return (
            f"{self.count} of {self.required} unanswered attempts on different business days "
            "of the customer (R-29)."
        )


def count_attempts(
    attempts: Iterable[Attempt],
    *,
    days: BusinessDays,
    customer_answered_at: datetime | None = None,
    required: int = REQUIRED_ATTEMPTS,
) -> AttemptCount:
    """Count ``attempts`` per R-29 (see the module's text). ``customer_answered_at`` is the
    last time the customer answered on the case (a reply, a comment): the count starts
    again after it, as after an attempt that reached them."""
    ordered = sorted(attempts, key=lambda a: a.at)
    for attempt in ordered:
        check_attempt(attempt.channel, attempt.outcome)
    since = customer_answered_at
    for attempt in ordered:
        if answered(attempt.outcome) and (since is None or attempt.at > since):
            since = attempt.at
    judged: list[Judged] = []
    counted: list[date] = []
    closable: datetime | None = None
    for attempt in ordered:
        local = days.local_date(attempt.at)
        if answered(attempt.outcome):
            judged.append(Judged(attempt, local, False, None, "reached: the count starts again"))
            continue
        if since is not None and attempt.at <= since:
            why = f"before the customer's answer of {since.astimezone(days.tz).isoformat()}"
            judged.append(Judged(attempt, local, False, None, why))
            continue
        if (reason := days.why_not(local)) is not None:
            judged.append(Judged(attempt, local, False, None, reason + " of the customer"))
            continue
        if local in counted:
            why = f"{local.isoformat()} already has an attempt"
            judged.append(Judged(attempt, local, False, None, why))
            continue
        if len(counted) >= required:
            why = "the required attempts were already made"
            judged.append(Judged(attempt, local, False, None, why))
            continue
        counted.append(local)
        number = len(counted)
        judged.append(Judged(attempt, local, True, number, f"attempt {number} of {required}"))
        if number == required:
            closable = days.start_of(days.next_business_day(local))
    return AttemptCount(
        judged=tuple(judged),
        days=tuple(counted),
        required=required,
        closable_from=closable,
        counting_since=since,
    )


__all__ = [
    "CHANNELS",
    "CHANNEL_OUTCOMES",
    "OUTCOMES",
    "REQUIRED_ATTEMPTS",
    "Attempt",
    "AttemptCount",
    "BusinessDays",
    "Judged",
    "answered",
    "check_attempt",
    "count_attempts",
]
