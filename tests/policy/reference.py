"""A slow, obviously correct reference for the business clock: it steps minute by minute.

A minute [t, t + 1 min) counts when the customer's local wall-clock time at t falls inside the
window on a working weekday that is not one of the customer's public holidays.  The due instant
is the end of the minute in which the target is used up.  Inputs must be on whole minutes (the
tests make them so); everything is independent of the product's calendar code except the
``holidays`` package itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

MINUTE = timedelta(minutes=1)


@cache
def holiday_dates(country: str | None, subdivision: str | None, year: int) -> frozenset[date]:
    if country is None:
        return frozenset()
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def counts(
    t: datetime,
    tz: ZoneInfo,
    days: frozenset[int],
    open_minute: int,
    close_minute: int,
    country: str | None,
    subdivision: str | None,
) -> bool:
    local = t.astimezone(tz)
    if local.weekday() not in days:
        return False
    if local.date() in holiday_dates(country, subdivision, local.year):
        return False
    minute_of_day = local.hour * 60 + local.minute
    return open_minute <= minute_of_day < close_minute


def due(start, minutes, tz, days, open_minute, close_minute, country, subdivision) -> datetime:
    t = start.astimezone(UTC)
    assert t.second == 0
    assert t.microsecond == 0
    counted = 0
    while True:
        if counts(t, tz, days, open_minute, close_minute, country, subdivision):
            counted += 1
            if counted == minutes:
                return (t + MINUTE).astimezone(tz)
        t += MINUTE


def elapsed_minutes(start, end, tz, days, open_minute, close_minute, country, subdivision) -> int:
    t = start.astimezone(UTC)
    end = end.astimezone(UTC)
    counted = 0
    while t < end:
        if counts(t, tz, days, open_minute, close_minute, country, subdivision):
            counted += 1
        t += MINUTE
    return counted
