"""Contact attempts (R-29): three unanswered attempts on three different business days of the
customer, counted on the customer's own calendar (R-11: their zone, weekends, public holidays
of their country and region)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from supportdesk.policy import InputError
from supportdesk.policy.contact_attempts import (
    CHANNEL_OUTCOMES,
    CHANNELS,
    OUTCOMES,
    REQUIRED_ATTEMPTS,
    Attempt,
    BusinessDays,
    check_attempt,
    count_attempts,
)

BERLIN = ZoneInfo("Europe/Berlin")
DE = BusinessDays("Europe/Berlin", "DE")


def at(text: str, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def miss(text: str, tz: ZoneInfo = BERLIN, outcome: str = "no_answer") -> Attempt:
    return Attempt(at(text, tz), outcome, "email" if outcome == "no_reply" else "phone")


def test_the_rule_asks_for_three_attempts() -> None:
    assert REQUIRED_ATTEMPTS == 3


def test_three_weekdays_in_a_row_make_the_case_closable_the_next_business_day() -> None:
    count = count_attempts(
        [miss("2026-10-05 10:00"), miss("2026-10-06 10:00"), miss("2026-10-07 16:00")], days=DE
    )
    assert count.days == (date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7))
    assert [j.number for j in count.judged] == [1, 2, 3]
    # the customer has the rest of Wednesday: closable from Thursday 00:00 Berlin (CEST)
    assert count.closable_from == datetime(2026, 10, 7, 22, 0, tzinfo=UTC)
    assert not count.may_close(datetime(2026, 10, 7, 21, 59, 59, tzinfo=UTC))
    assert count.may_close(datetime(2026, 10, 7, 22, 0, tzinfo=UTC))
    assert count.remaining == 0
    assert "may be closed from 2026-10-07T22:00:00+00:00" in count.summary()


def test_two_attempts_are_not_enough() -> None:
    count = count_attempts([miss("2026-10-05 10:00"), miss("2026-10-06 10:00")], days=DE)
    assert count.count == 2
    assert count.remaining == 1
    assert count.closable_from is None
    assert not count.may_close(datetime(2030, 1, 1, tzinfo=UTC))
    assert count.summary() == (
        "2 of 3 unanswered attempts on different business days of the customer (R-29)."
    )


def test_attempts_on_the_same_business_day_count_once() -> None:
    count = count_attempts(
        [miss("2026-10-05 09:00"), miss("2026-10-05 15:00"), miss("2026-10-05 19:00")], days=DE
    )
    assert count.days == (date(2026, 10, 5),)
    assert [j.why for j in count.judged] == [
        "attempt 1 of 3",
        "2026-10-05 already has an attempt",
        "2026-10-05 already has an attempt",
    ]


def test_weekends_do_not_count() -> None:
    count = count_attempts(
        [miss("2026-10-02 10:00"), miss("2026-10-03 10:00"), miss("2026-10-04 10:00")], days=DE
    )
    assert count.days == (date(2026, 10, 2),)
    assert [j.why for j in count.judged[1:]] == [
        "Saturday 2026-10-03 is not a business day of the customer",
        "Sunday 2026-10-04 is not a business day of the customer",
    ]


def test_public_holidays_of_the_country_do_not_count_and_closure_skips_them() -> None:
    # Christmas 2026 in Germany: Thu 24 is a working day, Fri 25 a holiday, Sat 26 a weekend
    count = count_attempts(
        [
            miss("2026-12-22 10:00"),
            miss("2026-12-23 10:00"),
            miss("2026-12-25 10:00"),
            miss("2026-12-24 10:00"),
        ],
        days=DE,
    )
    assert count.days == (date(2026, 12, 22), date(2026, 12, 23), date(2026, 12, 24))
    christmas = next(j for j in count.judged if j.local_date == date(2026, 12, 25))
    assert christmas.why == "2026-12-25 is a public holiday (Christmas Day) of the customer"
    # closable from Monday 28 December, 00:00 Berlin (CET)
    assert count.closable_from == datetime(2026, 12, 27, 23, 0, tzinfo=UTC)


def test_regional_holidays_count_only_where_they_are_held() -> None:
    attempts = [miss("2026-01-05 10:00"), miss("2026-01-06 10:00"), miss("2026-01-07 10:00")]
    bavaria = count_attempts(attempts, days=BusinessDays("Europe/Berlin", "DE", "BY"))
    berlin = count_attempts(attempts, days=BusinessDays("Europe/Berlin", "DE", "BE"))
    assert bavaria.days == (date(2026, 1, 5), date(2026, 1, 7))
    assert bavaria.judged[1].why == "2026-01-06 is a public holiday (Epiphany) of the customer"
    assert berlin.days == (date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7))
    assert berlin.closable_from == datetime(2026, 1, 7, 23, 0, tzinfo=UTC)


def test_a_holiday_after_the_third_day_moves_the_closure() -> None:
    # US Thanksgiving is Thursday 26 November 2026: attempts Mon to Wed, closable Friday
    us = BusinessDays("America/New_York", "US")
    ny = ZoneInfo("America/New_York")
    count = count_attempts(
        [miss("2026-11-23 10:00", ny), miss("2026-11-24 10:00", ny), miss("2026-11-25 10:00", ny)],
        days=us,
    )
    assert count.closable_from == datetime(2026, 11, 27, 5, 0, tzinfo=UTC)


def test_the_customers_zone_decides_the_day_not_utc() -> None:
    tokyo = BusinessDays("Asia/Tokyo", "JP")
    # Friday 23:30 UTC is Saturday 08:30 in Tokyo: not a business day there
    friday_night_utc = Attempt(datetime(2026, 10, 2, 23, 30, tzinfo=UTC), "no_answer")
    assert count_attempts([friday_night_utc], days=tokyo).count == 0
    new_york = BusinessDays("America/New_York", "US")
    assert count_attempts([friday_night_utc], days=new_york).days == (date(2026, 10, 2),)
    # 01:30 Berlin on Saturday is Friday 16:30 in Los Angeles: a business day there
    la = BusinessDays("America/Los_Angeles", "US")
    saturday_berlin = miss("2026-10-03 01:30")
    assert count_attempts([saturday_berlin], days=DE).count == 0
    assert count_attempts([saturday_berlin], days=la).days == (date(2026, 10, 2),)


def test_two_utc_days_can_be_one_customer_day() -> None:
    auckland = BusinessDays("Pacific/Auckland", "NZ")
    # 2026-10-05 21:00 UTC and 2026-10-06 09:00 UTC are both Tuesday 6 October in Auckland
    count = count_attempts(
        [
            Attempt(datetime(2026, 10, 5, 21, 0, tzinfo=UTC), "no_answer"),
            Attempt(datetime(2026, 10, 6, 9, 0, tzinfo=UTC), "voicemail"),
        ],
        days=auckland,
    )
    assert count.days == (date(2026, 10, 6),)


def test_the_japanese_holiday_is_named_in_english() -> None:
    tokyo = BusinessDays("Asia/Tokyo", "JP")
    assert (
        tokyo.why_not(date(2026, 11, 23))
        == "2026-11-23 is a public holiday (Labor Thanksgiving Day)"
    )


def test_reaching_the_customer_starts_the_count_again() -> None:
    count = count_attempts(
        [
            miss("2026-10-05 10:00"),
            miss("2026-10-06 10:00"),
            miss("2026-10-07 09:00", outcome="reached"),
            miss("2026-10-07 15:00", outcome="voicemail"),
            miss("2026-10-08 10:00", outcome="busy"),
        ],
        days=DE,
    )
    assert count.days == (date(2026, 10, 7), date(2026, 10, 8))
    assert count.counting_since == at("2026-10-07 09:00")
    assert count.judged[0].why.startswith("before the customer's answer of 2026-10-07T09:00")
    assert count.judged[2].why == "reached: the count starts again"


def test_an_answer_of_the_customer_on_the_case_starts_the_count_again() -> None:
    attempts = [miss("2026-10-05 10:00"), miss("2026-10-06 10:00"), miss("2026-10-07 10:00")]
    count = count_attempts(attempts, days=DE, customer_answered_at=at("2026-10-06 12:00"))
    assert count.days == (date(2026, 10, 7),)
    assert count.closable_from is None
    # an answer older than a reached attempt does not win over it
    later = count_attempts(
        [*attempts, miss("2026-10-07 11:00", outcome="reached")],
        days=DE,
        customer_answered_at=at("2026-10-06 12:00"),
    )
    assert later.counting_since == at("2026-10-07 11:00")
    assert later.days == ()


def test_attempts_after_the_third_change_nothing() -> None:
    count = count_attempts(
        [
            miss("2026-10-05 10:00"),
            miss("2026-10-06 10:00"),
            miss("2026-10-07 10:00"),
            miss("2026-10-08 10:00"),
        ],
        days=DE,
    )
    assert count.count == 3
    assert count.judged[3].why == "the required attempts were already made"
    assert count.closable_from == datetime(2026, 10, 7, 22, 0, tzinfo=UTC)


def test_the_order_of_the_input_does_not_matter() -> None:
    attempts = [
        miss("2026-10-02 10:00"),
        miss("2026-10-05 10:00"),
        miss("2026-10-05 18:00"),
        miss("2026-10-06 10:00", outcome="reached"),
        miss("2026-10-07 10:00", outcome="no_reply"),
    ]
    first = count_attempts(attempts, days=DE)
    for order in itertools.permutations(attempts):
        assert count_attempts(order, days=DE) == first


def test_unanswered_email_counts_like_a_call() -> None:
    count = count_attempts(
        [
            miss("2026-10-05 10:00", outcome="no_reply"),
            miss("2026-10-06 10:00", outcome="voicemail"),
            miss("2026-10-07 10:00", outcome="busy"),
        ],
        days=DE,
    )
    assert count.count == 3


def test_the_closure_crosses_a_daylight_saving_change() -> None:
    # Europe goes back to CET on Sunday 25 October 2026: closable Monday 00:00 CET
    count = count_attempts(
        [miss("2026-10-21 10:00"), miss("2026-10-22 10:00"), miss("2026-10-23 10:00")], days=DE
    )
    assert count.closable_from == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)


def test_where_clocks_skip_midnight_the_day_starts_when_they_jump() -> None:
    # Chile moves from -04 to -03 at midnight on Sunday 6 September 2026
    chile = BusinessDays("America/Santiago", None, weekdays=range(7))
    assert chile.start_of(date(2026, 9, 6)) == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert chile.start_of(date(2026, 9, 7)) == datetime(2026, 9, 7, 3, 0, tzinfo=UTC)


def test_other_working_weeks_and_no_holidays() -> None:
    sunday_to_thursday = BusinessDays("Asia/Jerusalem", None, weekdays=(6, 0, 1, 2, 3))
    assert sunday_to_thursday.is_business_day(date(2026, 10, 4))  # Sunday
    assert not sunday_to_thursday.is_business_day(date(2026, 10, 2))  # Friday
    plain = BusinessDays("UTC", None)
    assert plain.is_business_day(date(2026, 12, 25))
    assert plain.next_business_day(date(2026, 10, 2)) == date(2026, 10, 5)


@pytest.mark.parametrize(
    ("channel", "outcome"), list(itertools.product([*CHANNELS, "fax"], [*OUTCOMES, "maybe"]))
)
def test_every_channel_and_outcome(channel: str, outcome: str) -> None:
    if channel in CHANNEL_OUTCOMES and outcome in CHANNEL_OUTCOMES[channel]:
        check_attempt(channel, outcome)
        return
    with pytest.raises(InputError) as caught:
        check_attempt(channel, outcome)
    assert caught.value.field == ("channel" if channel == "fax" else "outcome")


def test_the_outcomes_of_each_channel() -> None:
    assert dict(CHANNEL_OUTCOMES) == {
        "phone": {"no_answer", "voicemail", "busy", "reached"},
        "email": {"no_reply", "reached"},
    }
    with pytest.raises(InputError, match="'no_reply' is not an outcome of phone"):
        check_attempt("phone", "no_reply")


def test_bad_input_names_its_field() -> None:
    with pytest.raises(InputError) as caught:
        BusinessDays("Mars/Olympus", "DE")
    assert caught.value.field == "timezone"
    with pytest.raises(InputError) as caught:
        BusinessDays("UTC", "XX")
    assert caught.value.field == "country"
    with pytest.raises(InputError) as caught:
        BusinessDays("UTC", None, weekdays=(7,))
    assert caught.value.field == "weekdays"
    with pytest.raises(InputError) as caught:
        count_attempts([Attempt(datetime.fromisoformat("2026-10-05T10:00"), "no_answer")], days=DE)
    assert caught.value.field == "at"
    with pytest.raises(InputError) as caught:
        count_attempts([Attempt(at("2026-10-05 10:00"), "no_answer", "pigeon")], days=DE)
    assert caught.value.field == "channel"


def test_a_year_of_weekdays_has_the_countrys_holidays_off() -> None:
    start = date(2026, 1, 1)
    off = [
        d
        for d in (start + timedelta(days=n) for n in range(365))
        if d.weekday() < 5 and not DE.is_business_day(d)
    ]
    # Germany's nationwide holidays of 2026 that fall on a weekday
    assert off == [
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 1),
        date(2026, 5, 14),
        date(2026, 5, 25),
        date(2026, 12, 25),
    ]
