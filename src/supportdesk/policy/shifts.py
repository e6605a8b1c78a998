"""Working shifts of support staff: whether someone is on shift at an instant.

A shift is written as ``{"days": "mon-fri", "start": "08:00", "end": "16:00"}`` in the
person's own time zone; ``days`` is a range (``mon-fri``), a list (``["sat", "sun"]``) or one
day. A shift whose end is not after its start runs past midnight into the next day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .calendar import zone
from .errors import InputError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Shift:
    days: frozenset[int]  # 0 = Monday
    start_minute: int
    end_minute: int

    @property
    def overnight(self) -> bool:
        return self.end_minute <= self.start_minute

    def covers(self, weekday: int, minute: int) -> bool:
        if not self.overnight:
            return weekday in self.days and self.start_minute <= minute < self.end_minute
        if weekday in self.days and minute >= self.start_minute:
            return True
        return (weekday - 1) % 7 in self.days and minute < self.end_minute


def _minute(text: Any, field: str) -> int:
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        raise InputError(field, f"a time as HH:MM, not {text!r}")
    try:
        hours, minutes = int(text[:2]), int(text[3:])
    except ValueError:
        raise InputError(field, f"a time as HH:MM, not {text!r}") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise InputError(field, f"a time of day from 00:00 to 24:00, not {text!r}")
    return hours * 60 + minutes


def _day(text: Any, field: str) -> int:
    if not isinstance(text, str) or text.strip().lower()[:3] not in DAYS:
        raise InputError(field, f"a day such as mon, not {text!r}")
    return DAYS.index(text.strip().lower()[:3])


def _days(value: Any, field: str) -> frozenset[int]:
    if isinstance(value, list):
        if not value:
            raise InputError(field, "at least one day")
        return frozenset(_day(v, field) for v in value)
    if isinstance(value, str) and "-" in value:
        first, last = (_day(part, field) for part in value.split("-", 1))
        return frozenset((first + i) % 7 for i in range((last - first) % 7 + 1))
    return frozenset({_day(value, field)})


def parse_shifts(value: Any) -> tuple[Shift, ...]:
    """The shifts of a profile, checked; :class:`InputError` names the shift and the key."""
    if not isinstance(value, list):
        raise InputError("shifts", "a list of shifts")
    shifts = []
    for i, item in enumerate(value):
        where = f"shifts[{i}]"
        if not isinstance(item, dict) or set(item) != {"days", "start", "end"}:
            raise InputError(where, 'an object with "days", "start" and "end"')
        start = _minute(item["start"], f"{where}.start")
        end = _minute(item["end"], f"{where}.end")
        if start == 24 * 60:
            raise InputError(f"{where}.start", "a shift cannot start at 24:00")
        shifts.append(Shift(_days(item["days"], f"{where}.days"), start, end % (24 * 60)))
    return tuple(shifts)


def on_shift(shifts: Iterable[Shift], *, timezone: str, at: datetime) -> bool:
    """Whether any of ``shifts`` (in ``timezone``'s wall-clock time) covers instant ``at``."""
    if at.tzinfo is None:
        raise InputError("at", "must carry a UTC offset")
    local = at.astimezone(zone(timezone))
    minute = local.hour * 60 + local.minute
    return any(shift.covers(local.weekday(), minute) for shift in shifts)


def shift_end(shifts: Iterable[Shift], *, timezone: str, at: datetime) -> datetime | None:
    """When the shift covering ``at`` ends (local wall clock), or None off shift. Used to hand
    round-the-clock cases over between shifts (R-15)."""
    tz = zone(timezone)
    local = at.astimezone(tz)
    minute = local.hour * 60 + local.minute
    ends = []
    for shift in shifts:
        if not shift.covers(local.weekday(), minute):
            continue
        day = local.date()
        if shift.overnight and minute >= shift.start_minute:
            day += timedelta(days=1)
        end = datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(
            minutes=shift.end_minute
        )
        ends.append(end)
    return min(ends) if ends else None
