"""Business calendars: the customer's working time in their own time zone (R-11, R-12, R-17).

A :class:`BusinessCalendar` counts the instants whose *local wall-clock* time lies inside the
daily window ``[open, close)`` on a working weekday that is not one of the customer's public
holidays.  Time inside the window is real elapsed time; on the rare day where a daylight-saving
change falls inside the window the window is still ``open`` to ``close`` local time (R-12), so
that day simply holds more or less real time.

Adding business time does not walk over the target.  Every day is "regular" (its full window,
the same for every working weekday) except a short sorted list of *irregular* days (holidays,
and days with a clock change inside the window), each with the business time it lacks.  The
business time from a fixed origin to the start of any day is then a table lookup
(whole weeks + the weekday's prefix) minus a bisected prefix sum of the deficits, and finding
the day on which a target is used up inverts that lookup in a few fixed-point steps, each of
which only has to account for the irregular days it newly covers.  The cost of a due-time
computation therefore does not grow with the length of the target.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InputError
from .model import Hours

US = 1_000_000  # microseconds per second
MINUTE_US = 60 * US
DAY_US = 86_400 * US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
_ORD_EPOCH = date(1970, 1, 1).toordinal()

HolidaySource = Callable[[int], Mapping[date, str]]


# --------------------------------------------------------------------------------------------
# Inputs: time zones and holiday calendars


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, or :class:`InputError` on the ``timezone`` field."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise InputError("timezone", f"unknown time zone {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise InputError(
            "timezone", f"unknown time zone {name!r} (use an IANA name such as Europe/Prague)"
        ) from None


@lru_cache(maxsize=1)
def _supported_countries() -> Mapping[str, list[str]]:
    import holidays

    supported: Mapping[str, list[str]] = holidays.list_supported_countries()
    return supported


def check_country(country: str, subdivision: str | None) -> tuple[str, str | None]:
    """Normalise and check an ISO 3166-1 country and optional ISO 3166-2 subdivision code."""
    if not isinstance(country, str) or not country.strip():
        raise InputError("country", "a country code is required (ISO 3166-1 alpha-2, such as DE)")
    cc = country.strip().upper()
    supported = _supported_countries()
    if cc not in supported:
        raise InputError(
            "country", f"unknown country code {country!r} (use ISO 3166-1 alpha-2, such as DE)"
        )
    if subdivision is None or subdivision == "":
        return cc, None
    sd = subdivision.strip().upper()
    if sd.startswith(cc + "-"):
        sd = sd[len(cc) + 1 :]
    if sd not in supported[cc]:
        known = ", ".join(supported[cc][:12]) + (", ..." if len(supported[cc]) > 12 else "")
        detail = f"known: {known}" if supported[cc] else f"{cc} has no regional holidays"
        raise InputError("subdivision", f"unknown subdivision {subdivision!r} of {cc} ({detail})")
    return cc, sd


def public_holidays(country: str, subdivision: str | None) -> HolidaySource:
    """A source of the public holidays of a country (and subdivision), one year at a time."""
    import holidays

    cc, sd = check_country(country, subdivision)

    def for_year(year: int) -> Mapping[date, str]:
        try:
            found = holidays.country_holidays(cc, subdiv=sd, years=year, language="en_US")
        except (NotImplementedError, ValueError):  # no English names for this country
            found = holidays.country_holidays(cc, subdiv=sd, years=year)
        return {day: "; ".join(found.get_list(day)) for day in found}

    return for_year


def no_holidays(year: int) -> Mapping[date, str]:
    return {}


# --------------------------------------------------------------------------------------------
# Explanations


@dataclass(frozen=True)
class Segment:
    """One piece of an explanation: counted business time, or time that was skipped and why."""

    kind: str  # "counted", "outside_hours", "weekend", "closed_day", "holiday"
    start: datetime
    end: datetime
    name: str | None = None  # the holiday's name

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }
        if self.kind == "counted":
            minutes = self.minutes
            out["minutes"] = int(minutes) if minutes == int(minutes) else round(minutes, 3)
        if self.kind in ("weekend", "closed_day", "holiday"):
            out["date"] = self.start.date().isoformat()
        if self.name:
            out["name"] = self.name
        return out

    def describe(self) -> str:
        fmt = "%a %Y-%m-%d %H:%M"
        if self.kind == "counted":
            end = self.end.strftime("%H:%M")
            return f"counted {self.start.strftime(fmt)} to {end} ({self.minutes:g} min)"
        if self.kind == "holiday":
            return f"skipped {self.start.date().isoformat()}: public holiday ({self.name})"
        if self.kind == "weekend":
            return f"skipped {self.start.date().isoformat()}: weekend"
        if self.kind == "closed_day":
            return f"skipped {self.start.date().isoformat()}: no business hours that day"
        return f"skipped {self.start.strftime(fmt)} to {self.end.strftime(fmt)}: outside hours"


# --------------------------------------------------------------------------------------------
# The calendar


_REGULAR, _CLOSED, _SPANS = 0, 1, 2

# memoised conversions (timedeltas are immutable): targets repeat, and so do offsets into a day
_AMOUNTS: dict[timedelta, int] = {}
_STEPS: dict[int, timedelta] = {}


def _step(need: int) -> timedelta:
    """``timedelta(microseconds=need)``, memoised: building one is a large part of a call."""
    step = _STEPS.get(need)
    if step is None:
        step = timedelta(microseconds=need)
        if len(_STEPS) < 65536:
            _STEPS[need] = step
    return step


def _time_of_day_us(local: datetime) -> int:
    """Microseconds since local midnight on the wall clock."""
    return (local.hour * 3600 + local.minute * 60 + local.second) * US + local.microsecond


@dataclass(frozen=True)
class _Irregular:
    ordinal: int
    actual_us: int  # business time this day really holds
    intervals: tuple[tuple[int, int], ...]  # counted UTC spans (epoch microseconds)
    holiday: str | None


class BusinessCalendar:
    """Business hours in one time zone with one holiday calendar."""

    def __init__(self, hours: Hours, tz: tzinfo, holidays: HolidaySource = no_holidays) -> None:
        if hours.clock != "business":
            raise ValueError("a BusinessCalendar needs business hours")
        self.hours = hours
        self.tz = tz
        self._holidays = holidays if hours.public_holidays else no_holidays
        self.open_us = hours.open_minute * MINUTE_US
        self.close_us = hours.close_minute * MINUTE_US
        self.day_us = self.close_us - self.open_us
        self.works = tuple(d in hours.days for d in range(7))
        prefix = [0]
        for d in range(7):
            prefix.append(prefix[-1] + (self.day_us if self.works[d] else 0))
        self.prefix = tuple(prefix)
        self.week_us = prefix[7]
        # smallest weekday index w with prefix[w + 1] >= r, for r in (0, week]: see _day_for
        self._first_year = 0
        self._last_year = -1
        self._irr_ords: list[int] = []
        self._irr_deficit: list[int] = [0]  # prefix sums of deficits, len = len(ords) + 1
        self._irr: dict[int, _Irregular] = {}
        self._first_ord = 0
        self._last_ord = -1
        self._surplus = False  # some loaded day holds more than a full window (clock change)
        # per-day cache: ordinal -> (business position at the day's start, the day's kind,
        # the aware opening instant of a regular working day); valid while no year is loaded
        # before the first one (that would shift every position)
        self._days: dict[int, tuple[int, int, datetime | None, int, bool]] = {}
        self._generation = 0
        # The business-day index, for calendars whose working days all hold the same time
        # (no clock change inside any loaded window, the usual case): the ordinals of the
        # business days in order, for each loaded day the index of the first business day on
        # or after it, and the opening instants (filled on first use).  Business time is then
        # index * day + offset: a due day is one division and one list lookup away.
        self._uniform = False
        self._bdays: list[int] = []
        self._next_bday: list[int] = []
        self._openings: list[datetime | None] = []

    # -- irregular days, loaded a year at a time -------------------------------------------

    def _ensure(self, first_ord: int, last_ord: int) -> None:
        if first_ord >= self._first_ord and last_ord <= self._last_ord:
            return
        y0 = date.fromordinal(max(first_ord, 1)).year
        y1 = date.fromordinal(max(last_ord, 1)).year
        if self._last_year < self._first_year:  # nothing loaded yet
            years = list(range(y0, y1 + 1))
            self._first_year, self._last_year = y0, y1
        else:
            if y0 < self._first_year:
                self._days.clear()
                self._generation += 1
            y0, y1 = min(y0, self._first_year), max(y1, self._last_year)
            years = [y for y in range(y0, y1 + 1) if not self._first_year <= y <= self._last_year]
            self._first_year, self._last_year = y0, y1
        for year in years:
            for irr in self._scan_year(year):
                self._irr[irr.ordinal] = irr
        self._irr_ords = sorted(self._irr)
        deficits = [0]
        for o in self._irr_ords:
            deficits.append(deficits[-1] + self.day_us - self._irr[o].actual_us)
        self._irr_deficit = deficits
        self._surplus = any(irr.actual_us > self.day_us for irr in self._irr.values())
        self._first_ord = date(self._first_year, 1, 1).toordinal()
        self._last_ord = date(self._last_year, 12, 31).toordinal()
        self._uniform = not any(irr.intervals for irr in self._irr.values())
        bdays: list[int] = []
        next_bday: list[int] = []
        works, irregular = self.works, self._irr
        for o in range(self._first_ord, self._last_ord + 1):
            next_bday.append(len(bdays))
            if works[(o - 1) % 7] and o not in irregular:
                bdays.append(o)
        next_bday.append(len(bdays))
        # forward extensions keep every index; a backward one renumbers, so start afresh
        old = self._openings if self._bdays[:1] == bdays[:1] else []
        self._openings = old + [None] * (len(bdays) - len(old))
        self._bdays, self._next_bday = bdays, next_bday

    def _scan_year(self, year: int) -> list[_Irregular]:
        found: list[_Irregular] = []
        holidays = self._holidays(year)
        o = date(year, 1, 1).toordinal()
        end = date(year, 12, 31).toordinal()
        while o <= end:
            if self.works[(o - 1) % 7]:
                name = holidays.get(date.fromordinal(o))
                if name:
                    found.append(_Irregular(o, 0, (), name))
                else:
                    irr = self._dst_day(o)
                    if irr is not None:
                        found.append(irr)
            o += 1
        return found

    def _wall(self, o: int, wall_us: int, fold: int = 0) -> datetime:
        """Local wall time ``wall_us`` after midnight of day ``o`` (24:00 is next midnight)."""
        naive = datetime.fromordinal(o) + timedelta(microseconds=wall_us)
        return naive.replace(tzinfo=self.tz, fold=fold)

    def _dst_day(self, o: int) -> _Irregular | None:
        """The day's counted spans when a clock change touches its window, else None."""
        probes = [
            self._wall(o, w, fold).utcoffset()
            for w in (self.open_us, self.close_us)
            for fold in (0, 1)
        ]
        if all(p == probes[0] for p in probes):
            return None
        intervals = self._spans(o)
        actual = sum(b - a for a, b in intervals)
        return _Irregular(o, actual, tuple(intervals), None)

    def _spans(self, o: int) -> list[tuple[int, int]]:
        """UTC spans (epoch us) of the instants whose local wall time is in day o's window."""
        wall_open = (o - _ORD_EPOCH) * DAY_US + self.open_us
        wall_close = (o - _ORD_EPOCH) * DAY_US + self.close_us
        # every instant whose wall time falls in the window lies in [lo, hi): offsets are
        # within +-26 hours of UTC
        lo = (wall_open - 26 * 3600 * US) // US
        hi = (wall_close + 26 * 3600 * US) // US + 1
        cuts = [lo * US, *(t * US for t in self._transitions(lo, hi)), hi * US]
        spans: list[tuple[int, int]] = []
        for a, b in itertools.pairwise(cuts):
            off = self._offset_us(a)
            start = max(a, wall_open - off)
            stop = min(b, wall_close - off)
            if start < stop:
                if spans and spans[-1][1] == start:
                    spans[-1] = (spans[-1][0], stop)
                else:
                    spans.append((start, stop))
        return spans

    def _offset_us(self, utc_us: int) -> int:
        off = (EPOCH + timedelta(microseconds=utc_us)).astimezone(self.tz).utcoffset()
        assert off is not None
        return off // ONE_US

    def _transitions(self, lo: int, hi: int) -> list[int]:
        """The whole seconds in (lo, hi] at which the UTC offset changes.

        Offsets are sampled every quarter hour (no zone changes twice within one), then each
        change is found to the second by bisection (the tz database's changes fall on whole
        seconds)."""
        found: list[int] = []
        step = 900
        a = lo
        off_a = self._offset_us(a * US)
        while a < hi:
            b = min(a + step, hi)
            off_b = self._offset_us(b * US)
            if off_b != off_a:
                x, y = a, b  # offset(x) == off_a, offset(y) != off_a
                while y - x > 1:
                    m = (x + y) // 2
                    if self._offset_us(m * US) == off_a:
                        x = m
                    else:
                        y = m
                found.append(y)
            a, off_a = b, off_b
        return found

    # -- positions: business time from a fixed origin ----------------------------------------

    def _day_start(self, o: int) -> int:
        """Business time from the origin to the start of day ``o`` (irregular days loaded)."""
        q, w = divmod(o - 1, 7)
        return q * self.week_us + self.prefix[w] - self._irr_deficit[bisect_left(self._irr_ords, o)]

    def _day(self, o: int) -> tuple[int, int, datetime | None, int, bool]:
        """The cached facts of day ``o``: (position at its start, kind, opening instant of a
        regular working day, deficit of the irregular days before it, whether the local date
        is free of clock changes so that every wall time on it is one real instant)."""
        info = self._days.get(o)
        if info is None:
            if not self._first_ord <= o <= self._last_ord:
                self._ensure(o - 7, o + 7)
            irr = self._irr.get(o)
            if irr is not None:
                kind = _CLOSED if not irr.intervals else _SPANS
                opening = None
            elif self.works[(o - 1) % 7]:
                kind, opening = _REGULAR, self._wall(o, self.open_us)
            else:
                kind, opening = _CLOSED, None
            deficit = self._irr_deficit[bisect_left(self._irr_ords, o)]
            probes = {self._wall(o, w, fold).utcoffset() for w in (0, DAY_US) for fold in (0, 1)}
            info = (self._day_start(o), kind, opening, deficit, len(probes) == 1)
            self._days[o] = info
        return info

    def _local(
        self, instant: datetime
    ) -> tuple[datetime, int, tuple[int, int, datetime | None, int, bool]]:
        """``instant`` as a valid local wall time, its local date's ordinal and facts."""
        tz = self.tz
        if instant.tzinfo is tz:
            # already local (astimezone would return it as it is), but it may name a wall
            # time that a clock change skips: normalise those through UTC
            o = instant.toordinal()
            info = self._days.get(o) or self._day(o)
            if info[4]:
                return instant, o, info
            instant = instant.astimezone(UTC)
        local = instant.astimezone(tz)
        o = local.toordinal()
        return local, o, self._days.get(o) or self._day(o)

    def position(self, instant: datetime) -> int:
        """Business microseconds from the origin up to ``instant`` (an aware datetime)."""
        local, o, info = self._local(instant)
        kind = info[1]
        if kind == _REGULAR:
            s = _time_of_day_us(local) - self.open_us
            if s <= 0:
                return info[0]
            return info[0] + (s if s < self.day_us else self.day_us)
        if kind == _CLOSED:
            return info[0]
        t = (instant - EPOCH) // ONE_US
        return info[0] + sum(max(0, min(b, t) - a) for a, b in self._irr[o].intervals)

    def _day_for(self, n: int) -> int:
        """The first day ``d`` whose end reaches business position ``n`` (n > 0), ignoring
        irregular days."""
        q, r = divmod(n - 1, self.week_us)
        r += 1  # r in (0, week_us]
        prefix = self.prefix
        w = bisect_left(prefix, r, 1, 8) - 1
        return q * 7 + w + 1

    def instant_at(self, n: int, lower: int | None = None) -> datetime:
        """The earliest instant at which business position ``n`` is reached (n > 0).

        ``lower``, if given, is a day known to be at or before the answer (the search goes on
        from there instead of from the estimate that ignores every irregular day)."""
        week, prefix = self.week_us, self.prefix
        ords, deficit = self._irr_ords, self._irr_deficit
        if lower is None:
            q, r = divmod(n - 1, week)
            d = q * 7 + bisect_left(prefix, r + 1, 1, 8)
        else:
            d = lower
        for _ in range(64):
            if d >= self._last_ord:
                # only ever extend forwards here: that appends irregular days after every
                # position already computed, so those positions stay valid
                self._ensure(self._first_ord, d + 366)
                ords, deficit = self._irr_ords, self._irr_deficit
            # the day the target falls on if the irregular days up to d were all there are
            q, r = divmod(n - 1 + deficit[bisect_right(ords, d)], week)
            nd = q * 7 + bisect_left(prefix, r + 1, 1, 8)
            if nd <= d:
                break
            d = nd
        if self._surplus:
            # Deficits are positive (holidays) except on a day a clock change lengthens;
            # there the fixed point can land a day off: settle on C'(d) < n <= C'(d + 1).
            while self._day(d + 1)[0] < n:
                d += 1
            while self._day(d)[0] >= n:
                d -= 1
        start, _, opening, _, _ = self._days.get(d) or self._day(d)
        need = n - start
        if opening is not None:
            # a regular day: no clock change in the window, so wall-clock arithmetic is exact
            return opening + _step(need)
        for a, b in self._irr[d].intervals:
            if need <= b - a:
                return (EPOCH + timedelta(microseconds=a + need)).astimezone(self.tz)
            need -= b - a
        raise AssertionError("business position beyond the day's spans")  # pragma: no cover

    # -- the public operations ------------------------------------------------------------

    def _index_position(self, instant: datetime) -> int:
        """Business time from the first loaded business day to ``instant`` (uniform
        calendars only): index of the day * the day's time + the time into its window."""
        local, o, _ = self._local(instant)
        k = o - self._first_ord
        if not 0 <= k <= self._last_ord - self._first_ord:
            self._ensure(o - 7, o + 7)
            k = o - self._first_ord
        i = self._next_bday[k]
        day = self.day_us
        if i < len(self._bdays) and self._bdays[i] == o:
            s = _time_of_day_us(local) - self.open_us
            if s > 0:
                return i * day + (s if s < day else day)
        return i * day

    def _add_uniform(self, start: datetime, amount: int) -> datetime:
        n = self._index_position(start) + amount
        if not self._uniform:  # loading the start's year brought a clock-change window
            return self.instant_at(self.position(start) + amount)
        i, need = divmod(n - 1, self.day_us)
        need += 1  # in (0, day]: a target used up at closing is due at closing
        while i >= len(self._bdays):
            self._ensure(self._first_ord, self._last_ord + 366)
            if not self._uniform:
                return self.instant_at(self.position(start) + amount)
        opening = self._openings[i]
        if opening is None:
            opening = self._openings[i] = self._wall(self._bdays[i], self.open_us)
        return opening + _step(need)

    def add(self, start: datetime, business: timedelta) -> datetime:
        """The earliest instant at which ``business`` time has run on this calendar from
        ``start`` (a start outside hours begins at the next opening; R-17).

        The hot path of the product (every case's deadline).  On a uniform calendar it is the
        business-day index: one division and one list lookup.  Otherwise ``position`` and
        ``instant_at`` fused: one day-cache lookup for the start, one guess of the due day from
        the weekly table corrected by the holidays it covers, one lookup for the due day."""
        amount = _AMOUNTS.get(business)
        if amount is None:
            amount = business // ONE_US
            if len(_AMOUNTS) < 4096:
                _AMOUNTS[business] = amount
        if amount <= 0:
            raise ValueError("the business time to add must be positive")
        if self._uniform:
            return self._add_uniform(start, amount)
        days = self._days
        local, _, info = self._local(start)
        if info[1] == _REGULAR:
            s = _time_of_day_us(local) - self.open_us
            n = info[0] + (0 if s <= 0 else s if s < self.day_us else self.day_us) + amount
        else:
            n = self.position(start) + amount
        if self._surplus:
            return self.instant_at(n)
        # the due day if no irregular day lies between the start and it
        deficit = self._irr_deficit
        guess = info[3]
        q, r = divmod(n + guess - 1, self.week_us)
        d = q * 7 + bisect_left(self.prefix, r + 1, 1, 8)
        if d >= self._last_ord or deficit[bisect_right(self._irr_ords, d)] != guess:
            # irregular days between the start and the estimate: d is still a lower bound
            # (deficits only grow), so the search goes on from it
            return self.instant_at(n, d)
        start_d, _, opening, _, _ = days.get(d) or self._day(d)
        if opening is None:  # pragma: no cover - a regular guess always lands on a working day
            return self.instant_at(n)
        need = n - start_d
        return opening + _step(need)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants (negative when ``end`` is before ``start``)."""
        while True:
            generation, uniform = self._generation, self._uniform
            if uniform:
                elapsed = self._index_position(end) - self._index_position(start)
            else:
                elapsed = self.position(end) - self.position(start)
            # both positions must come from the same tables: no year was loaded before the
            # first one, and no clock-change window was loaded in between
            if generation == self._generation and uniform == self._uniform:
                return timedelta(microseconds=elapsed)

    def is_open(self, instant: datetime) -> bool:
        local, o, _ = self._local(instant)
        irr = self._irr.get(o)
        if irr is not None:
            t = (instant - EPOCH) // ONE_US
            return any(a <= t < b for a, b in irr.intervals)
        if not self.works[(o - 1) % 7]:
            return False
        s = _time_of_day_us(local)
        return self.open_us <= s < self.close_us

    def next_opening(self, instant: datetime) -> datetime:
        """``instant`` itself when open, else the next instant at which the calendar opens."""
        if self.is_open(instant):
            return instant.astimezone(self.tz)
        return self.instant_at(self.position(instant) + 1) - ONE_US

    def holiday_name(self, day: date) -> str | None:
        o = day.toordinal()
        self._ensure(o, o)
        irr = self._irr.get(o)
        return irr.holiday if irr is not None else None

    # -- explanations ---------------------------------------------------------------------

    def segments(self, start: datetime, end: datetime) -> list[Segment]:
        """Counted and skipped time from ``start`` to ``end``, day by day (for explanations,
        not for computing: this one does walk the days)."""
        tz = self.tz
        start = start.astimezone(tz)
        end = end.astimezone(tz)
        out: list[Segment] = []
        o = start.toordinal()
        self._ensure(o - 7, end.toordinal() + 7)
        cursor = start
        while cursor < end:
            day = date.fromordinal(o)
            day_end = self._wall(o + 1, 0)
            irr = self._irr.get(o)
            if not self.works[(o - 1) % 7]:
                kind = "weekend" if (o - 1) % 7 >= 5 else "closed_day"
                self._skip(out, Segment(kind, cursor, min(day_end, end)))
            elif irr is not None and irr.holiday:
                self._skip(out, Segment("holiday", cursor, min(day_end, end), irr.holiday))
            else:
                if irr is not None:
                    spans = [
                        (
                            (EPOCH + timedelta(microseconds=a)).astimezone(tz),
                            (EPOCH + timedelta(microseconds=b)).astimezone(tz),
                        )
                        for a, b in irr.intervals
                    ]
                else:
                    spans = [(self._wall(o, self.open_us), self._wall(o, self.close_us))]
                for a, b in spans:
                    a, b = max(a, cursor), min(b, end)
                    if a >= b:
                        continue
                    if cursor < a:
                        self._skip(out, Segment("outside_hours", cursor, a))
                    out.append(Segment("counted", a, b))
                    cursor = b
                if cursor < min(day_end, end):
                    self._skip(out, Segment("outside_hours", cursor, min(day_end, end)))
            cursor = min(day_end, end)
            o = day.toordinal() + 1
        return out

    @staticmethod
    def _skip(out: list[Segment], seg: Segment) -> None:
        """Append a skipped segment, merging it into a previous one of the same kind."""
        if seg.start >= seg.end:
            return
        if out and out[-1].kind == seg.kind == "outside_hours" and out[-1].end == seg.start:
            out[-1] = Segment("outside_hours", out[-1].start, seg.end)
        else:
            out.append(seg)


@lru_cache(maxsize=1024)
def business_calendar(
    hours: Hours, tz_name: str, country: str | None, subdivision: str | None
) -> BusinessCalendar:
    """A cached calendar for business ``hours`` in ``tz_name`` with the public holidays of
    ``country``/``subdivision`` (none when ``country`` is None)."""
    source = public_holidays(country, subdivision) if country else no_holidays
    return BusinessCalendar(hours, zone(tz_name), source)
