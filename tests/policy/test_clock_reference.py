"""The business clock against the minute-stepping reference (R-11, R-12, R-16, R-17).

Hypothesis draws programs, severities and opening instants over 2026-2028 (biased towards
openings, closings, midnights and daylight-saving nights) for customers in many countries, and
every result must equal the reference to the minute.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from supportdesk.policy import first_response, load_policy
from supportdesk.policy.calendar import BusinessCalendar, public_holidays
from supportdesk.policy.model import Hours

from . import reference

POLICY = load_policy()

# (country, subdivision, IANA zone): 16 countries, northern and southern DST, half-hour offsets
CUSTOMERS = [
    ("CZ", None, "Europe/Prague"),
    ("DE", "BY", "Europe/Berlin"),
    ("GB", "ENG", "Europe/London"),
    ("FR", None, "Europe/Paris"),
    ("US", "CA", "America/Los_Angeles"),
    ("US", "NY", "America/New_York"),
    ("CA", "QC", "America/Toronto"),
    ("BR", None, "America/Sao_Paulo"),
    ("MX", None, "America/Mexico_City"),
    ("CL", None, "America/Santiago"),
    ("JP", None, "Asia/Tokyo"),
    ("IN", None, "Asia/Kolkata"),
    ("AU", "NSW", "Australia/Sydney"),
    ("AU", "NSW", "Australia/Lord_Howe"),
    ("NZ", None, "Pacific/Auckland"),
    ("ZA", None, "Africa/Johannesburg"),
    ("IL", None, "Asia/Jerusalem"),
]

# instants near the interesting moments of a day, local time
_INTERESTING_MINUTES = [0, 1, 119, 120, 121, 179, 180, 181, 479, 480, 481, 1019, 1020, 1021,
                        1079, 1080, 1081, 1199, 1200, 1201, 1439]  # fmt: skip


@st.composite
def opening_instants(draw: st.DrawFn, tz: ZoneInfo) -> datetime:
    day = draw(st.dates(date(2026, 1, 1), date(2028, 12, 31)))
    if draw(st.booleans()):
        minute = draw(st.sampled_from(_INTERESTING_MINUTES))
    else:
        minute = draw(st.integers(0, 1439))
    fold = draw(st.integers(0, 1))
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz, fold=fold)
    # normalise through UTC so that a wall time in a gap becomes a real instant
    return local.astimezone(UTC).astimezone(tz)


def assert_same(got: datetime | None, expected: datetime | None) -> None:
    """The same instant, shown with the same UTC offset (aware datetimes that share a tzinfo
    compare by wall time in Python, so compare in UTC as well)."""
    if expected is None:
        assert got is None
        return
    assert got is not None
    assert got.tzinfo is not None
    assert (got.astimezone(UTC), got.utcoffset()) == (
        expected.astimezone(UTC),
        expected.utcoffset(),
    )


def _dst_nights() -> list[tuple[str, datetime]]:
    """Instants just before each clock change of 2026-2028 in every customer's zone."""
    out = []
    for _, _, name in CUSTOMERS:
        tz = ZoneInfo(name)
        t = datetime(2026, 1, 1, tzinfo=UTC)
        prev = t.astimezone(tz).utcoffset()
        while t.year < 2029:
            nxt = t + timedelta(hours=1)
            off = nxt.astimezone(tz).utcoffset()
            if off != prev:
                out.append((name, (nxt - timedelta(hours=2)).astimezone(tz)))
                prev = off
            t = nxt
    return out


DST_NIGHTS = _dst_nights()


def _reference_due(program: str, severity: int, opened: datetime, country, subdivision, tz):
    prog = POLICY.programs[program]
    minutes = prog.targets[severity]
    if minutes is None:
        return None
    if prog.hours.clock == "24x7":
        return (opened.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(tz)
    h = prog.hours
    return reference.due(
        opened, minutes, tz, h.days, h.open_minute, h.close_minute, country, subdivision
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@example(data=None)  # replaced below by explicit cases; keeps the signature honest
def test_due_matches_reference(data: st.DataObject | None) -> None:
    if data is None:
        return
    country, subdivision, tz_name = data.draw(st.sampled_from(CUSTOMERS), label="customer")
    tz = ZoneInfo(tz_name)
    program = data.draw(st.sampled_from(list(POLICY.programs)), label="program")
    severity = data.draw(st.integers(1, 4), label="severity")
    if data.draw(st.integers(0, 4), label="near a clock change") == 0:
        _, night = data.draw(
            st.sampled_from([n for n in DST_NIGHTS if n[0] == tz_name] or DST_NIGHTS)
        )
        opened = (night + timedelta(minutes=data.draw(st.integers(0, 240)))).astimezone(tz)
    else:
        opened = data.draw(opening_instants(tz), label="opened")
    result = first_response(
        POLICY, program=program, severity=severity, opened_at=opened, timezone=tz_name,
        country=country, subdivision=subdivision,
    )  # fmt: skip
    expected = _reference_due(program, severity, opened, country, subdivision, tz)
    assert_same(result.due_at, expected)


@st.composite
def custom_hours(draw: st.DrawFn) -> Hours:
    """Operator hours, including windows that a clock change falls inside (00:00-24:00,
    01:00-04:00) and weekend working days."""
    open_minute = draw(st.sampled_from([0, 60, 90, 120, 150, 180, 420, 480, 540]))
    close_minute = draw(
        st.sampled_from(
            [m for m in (120, 180, 210, 240, 1020, 1080, 1200, 1440) if m > open_minute]
        )
    )
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    return Hours(
        "custom", "custom", "business", days, open_minute, close_minute, draw(st.booleans())
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_custom_hours_add_and_between_match_reference(data: st.DataObject) -> None:
    country, subdivision, tz_name = data.draw(st.sampled_from(CUSTOMERS), label="customer")
    tz = ZoneInfo(tz_name)
    hours = data.draw(custom_hours(), label="hours")
    cal = BusinessCalendar(hours, tz, public_holidays(country, subdivision))
    hol_country = country if hours.public_holidays else None
    if data.draw(st.booleans(), label="near a clock change"):
        _, night = data.draw(
            st.sampled_from([n for n in DST_NIGHTS if n[0] == tz_name] or DST_NIGHTS)
        )
        start = (night + timedelta(minutes=data.draw(st.integers(0, 300)))).astimezone(tz)
    else:
        start = data.draw(opening_instants(tz), label="start")
    minutes = data.draw(st.integers(1, 3000), label="minutes")
    due = cal.add(start, timedelta(minutes=minutes))
    args = (tz, hours.days, hours.open_minute, hours.close_minute, hol_country, subdivision)
    assert_same(due, reference.due(start, minutes, *args))
    span = timedelta(minutes=data.draw(st.integers(0, 6 * 24 * 60), label="span"))
    # in absolute time: aware arithmetic in Python is wall-clock arithmetic, which can land
    # in the hour a clock change skips (a time that names no instant)
    end = (start.astimezone(UTC) + span).astimezone(tz)
    expected = reference.elapsed_minutes(start, end, *args)
    assert cal.between(start, end) == timedelta(minutes=expected)
    assert cal.between(end, start) == -timedelta(minutes=expected)


@settings(max_examples=150, deadline=None)
@given(
    customer=st.sampled_from(CUSTOMERS),
    program=st.sampled_from(["basic", "trial"]),
    data=st.data(),
)
def test_elapsed_matches_reference(customer, program: str, data: st.DataObject) -> None:
    country, subdivision, tz_name = customer
    tz = ZoneInfo(tz_name)
    hours = POLICY.programs[program].hours
    cal = BusinessCalendar(hours, tz, public_holidays(country, subdivision))
    a = data.draw(opening_instants(tz))
    b = data.draw(opening_instants(tz))
    start, end = min(a, b), max(a, b)
    end = min(end, start + timedelta(days=40))
    expected = reference.elapsed_minutes(
        start, end, tz, hours.days, hours.open_minute, hours.close_minute, country, subdivision
    )
    assert cal.between(start, end) == timedelta(minutes=expected)


def test_every_clock_change_night_for_every_customer_and_program() -> None:
    """Not sampled: every daylight-saving night of 2026-2028, every customer, every target."""
    checked = 0
    for tz_name, night in DST_NIGHTS:
        country, subdivision, _ = next(c for c in CUSTOMERS if c[2] == tz_name)
        tz = ZoneInfo(tz_name)
        for program in ("premium", "production", "basic", "trial"):
            for severity in (1, 2):
                for shift in (0, 90, 150):
                    opened = (night + timedelta(minutes=shift)).astimezone(tz)
                    result = first_response(
                        POLICY, program=program, severity=severity, opened_at=opened,
                        timezone=tz_name, country=country, subdivision=subdivision,
                    )  # fmt: skip
                    assert_same(
                        result.due_at,
                        _reference_due(program, severity, opened, country, subdivision, tz),
                    )
                    checked += 1
    assert checked > 17 * 4 * 8  # most zones change twice a year, three years
