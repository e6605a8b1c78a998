"""First-response due instants, worked examples of R-11, R-12 and R-16 to R-19."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from supportdesk.policy import InputError, clock_for, first_response, load_policy, parse_instant
from supportdesk.policy.calendar import business_calendar

POLICY = load_policy()
PRAGUE = ZoneInfo("Europe/Prague")


def due(program: str, severity: int, opened: str, tz: str = "Europe/Prague", country: str = "CZ",
        subdivision: str | None = None, **kw) -> str | None:  # fmt: skip
    result = first_response(
        POLICY, program=program, severity=severity, opened_at=parse_instant(opened, tz),
        timezone=tz, country=country, subdivision=subdivision, **kw,
    )  # fmt: skip
    return result.due_at.isoformat() if result.due_at else None


def test_r17_target_used_up_at_closing_is_due_at_closing() -> None:
    # Basic Severity 3: 12 business hours = one whole Monday 08:00-20:00
    assert due("basic", 3, "2026-06-08T08:00") == "2026-06-08T20:00:00+02:00"
    # Trial Severity 2, 8 business hours from 09:00: exactly the 17:00 closing
    assert due("trial", 2, "2026-06-08T09:00") == "2026-06-08T17:00:00+02:00"


def test_r17_opened_outside_hours_starts_at_next_opening() -> None:
    assert due("basic", 1, "2026-06-08T20:00") == "2026-06-09T10:00:00+02:00"  # at closing
    assert due("basic", 1, "2026-06-08T06:10") == "2026-06-08T10:00:00+02:00"  # before opening
    assert due("basic", 1, "2026-06-06T11:00") == "2026-06-08T10:00:00+02:00"  # Saturday
    assert due("basic", 1, "2026-06-08T19:59") == "2026-06-09T09:59:00+02:00"  # one minute left


def test_r11_public_holidays_of_the_customer_country_and_region() -> None:
    # 24 Dec, 25 Dec and 26 Dec are Czech holidays; Thursday 24 Dec 2026 → Monday 28 Dec
    assert due("basic", 1, "2026-12-24T16:30") == "2026-12-28T10:00:00+01:00"
    # 6 January is a holiday in Bavaria, not in Berlin
    assert (
        due("basic", 1, "2026-01-06T09:00", "Europe/Berlin", "DE", "BY")
        == "2026-01-07T10:00:00+01:00"
    )
    assert (
        due("basic", 1, "2026-01-06T09:00", "Europe/Berlin", "DE", "BE")
        == "2026-01-06T11:00:00+01:00"
    )
    # Independence Day observed on Friday 3 July 2026 in the US
    assert (
        due("basic", 2, "2026-07-02T16:00", "America/New_York", "US", "NY")
        == "2026-07-06T12:00:00-04:00"
    )


def test_r12_business_hours_are_wall_clock_on_a_dst_day() -> None:
    # Basic 24 business hours from Friday 27 March 2026 08:00 Prague: Friday 12 h, Monday
    # (after the Sunday spring change) 12 h: due Monday 20:00 local, now UTC+2
    assert due("basic", 4, "2026-03-27T08:00") == "2026-03-30T20:00:00+02:00"


def test_r12_24x7_counts_real_time_across_dst() -> None:
    # Production Severity 4 = 8 real hours; spring forward loses an hour of wall time
    assert due("production", 4, "2026-03-28T22:00") == "2026-03-29T07:00:00+02:00"
    # and fall back repeats one
    assert due("production", 4, "2026-10-24T22:00") == "2026-10-25T05:00:00+01:00"
    assert due("premium", 1, "2026-10-25T02:45:00+02:00") == "2026-10-25T02:15:00+01:00"


def test_r18_no_target_and_r19_general_inquiry() -> None:
    assert due("trial", 1, "2026-06-08T09:00") is None
    assert due("free", 2, "2026-06-08T09:00") is None
    assert due("premium", 1, "2026-06-08T09:00", case_kind="general_inquiry") is None
    assert (
        due("premium", 1, "2026-06-08T09:00", case_kind="technical") == "2026-06-08T09:30:00+02:00"
    )
    result = first_response(
        POLICY, program="premium", severity=1, opened_at=parse_instant("2026-06-08T09:00", "UTC"),
        timezone="UTC", country="GB", case_kind="general_inquiry",
    )  # fmt: skip
    assert result.clock == "none"
    assert result.target_minutes is None
    assert any("R-19" in r for r in result.reasons)


def test_explanation_names_holidays_and_outside_hours() -> None:
    result = first_response(
        POLICY, program="basic", severity=2, timezone="Europe/Prague", country="CZ", explain=True,
        opened_at=parse_instant("2026-12-23T19:00", "Europe/Prague"),
    )  # fmt: skip
    assert result.segments is not None
    described = [(s.kind, s.name) for s in result.segments]
    assert described == [
        ("counted", None), ("outside_hours", None), ("holiday", "Christmas Eve"),
        ("holiday", "Christmas Day"), ("weekend", None), ("weekend", None),
        ("outside_hours", None), ("counted", None),
    ]  # fmt: skip
    counted = sum(s.minutes for s in result.segments if s.kind == "counted")
    assert counted == 480
    assert result.due_at == datetime(2026, 12, 28, 15, 0, tzinfo=PRAGUE)
    assert any("Christmas Day" in r for r in result.reasons)


def test_bad_inputs_name_their_field() -> None:
    good: dict[str, Any] = {
        "program": "basic",
        "severity": 2,
        "opened_at": datetime(2026, 6, 8, 9, tzinfo=PRAGUE),
        "timezone": "Europe/Prague",
        "country": "CZ",
    }
    changes: list[tuple[dict[str, Any], str]] = [
        ({"program": "gold"}, "program"),
        ({"severity": 7}, "severity"),
        ({"severity": True}, "severity"),
        ({"timezone": "Nowhere/City"}, "timezone"),
        ({"country": "ZZ"}, "country"),
        ({"subdivision": "QQ"}, "subdivision"),
        ({"opened_at": datetime(2026, 6, 8, 9)}, "opened_at"),  # noqa: DTZ001 - naive on purpose
        ({"case_kind": "complaint"}, "case_kind"),
    ]
    for change, field in changes:
        with pytest.raises(InputError) as caught:
            first_response(POLICY, **{**good, **change})
        assert caught.value.field == field


def test_cost_does_not_grow_with_the_target() -> None:
    """The due day is found from the weekly table: a 1000-hour target touches a handful of
    days, not the ~80 business days it spans (counted, not timed)."""
    cal = business_calendar(POLICY.programs["basic"].hours, "Europe/Prague", "CZ", None)
    start = datetime(2026, 2, 2, 9, tzinfo=PRAGUE)
    cal.add(start, timedelta(hours=1))  # load the calendar
    for hours in (1, 8, 40, 200, 1000):
        cal._days.clear()
        cal.add(start, timedelta(hours=hours))
        assert len(cal._days) <= 3, hours


def test_r12_24x7_elapsed_is_real_time_across_clock_changes() -> None:
    clock = clock_for(POLICY.programs["premium"].hours, "Europe/Prague", "CZ")
    assert clock is not None
    spring = (
        datetime(2026, 3, 29, 1, 30, tzinfo=PRAGUE),
        datetime(2026, 3, 29, 3, 30, tzinfo=PRAGUE),
    )
    assert clock.between(*spring) == timedelta(hours=1)
    autumn = (
        datetime(2026, 10, 25, 1, 30, tzinfo=PRAGUE),
        datetime(2026, 10, 25, 3, 30, tzinfo=PRAGUE),
    )
    assert clock.between(*autumn) == timedelta(hours=3)
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # a half-hour change
    lh = clock_for(POLICY.programs["production"].hours, "Australia/Lord_Howe", "AU", "NSW")
    assert lh is not None
    start, end = (
        datetime(2026, 10, 4, 1, 0, tzinfo=lord_howe),
        datetime(2026, 10, 4, 3, 0, tzinfo=lord_howe),
    )
    assert lh.between(start, end) == timedelta(hours=1, minutes=30)
