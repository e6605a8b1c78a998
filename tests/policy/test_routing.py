"""Routing in the policy core (R-10, R-20, R-21) and shifts: pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportdesk.policy import InputError, get_policy
from supportdesk.policy.routing import (
    EngineerFacts,
    QueueFacts,
    choose_queue,
    escalation,
    next_tier,
    route_on_opening,
    suggest_engineers,
)
from supportdesk.policy.shifts import on_shift, parse_shifts, shift_end

# Tuesday 2 June 2026, 10:00 in Berlin (08:00 UTC)
BERLIN_MORNING = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
# the same Tuesday, 20:00 in Berlin
BERLIN_EVENING = datetime(2026, 6, 2, 18, 0, tzinfo=UTC)

QUEUES = (
    QueueFacts(1, "L1", "en", None, None),
    QueueFacts(2, "L1", "de", "BR", None),
    QueueFacts(3, "L1", "en", "BR", "emea"),
    QueueFacts(4, "L2", "en", "BR", None),
    QueueFacts(5, "L3", "en", None, None),
)


def engineer(id: int, **kw: object) -> EngineerFacts:
    values: dict[str, object] = {
        "name": f"e{id}",
        "tier": "L1",
        "seniority": "regular",
        "languages": ("en",),
        "products": frozenset({"BR"}),
        "on_shift": True,
    }
    values.update(kw)
    return EngineerFacts(id=id, **values)  # type: ignore[arg-type]


def route(**kw: object):
    values: dict[str, object] = {
        "program": "production",
        "product": "BR",
        "flagship": True,
        "customer_language": "de",
        "at": BERLIN_MORNING,
        "timezone": "Europe/Berlin",
        "country": "DE",
        "subdivision": None,
        "region": "emea",
        "queues": QUEUES,
        "engineers": (engineer(10, languages=("en", "de")),),
    }
    values.update(kw)
    return route_on_opening(get_policy(), **values)  # type: ignore[arg-type]


def test_flagship_in_local_hours_goes_to_the_language_queue_when_a_speaker_is_on_shift() -> None:
    decision = route()

    assert (decision.tier, decision.language, decision.queue, decision.assignee) == (
        "L1",
        "de",
        2,
        None,
    )
    assert decision.reasons[-1] == "An L1 engineer speaking de is on shift: routed in de."


def test_no_speaker_on_shift_falls_back_to_english_with_the_reason() -> None:
    decision = route(engineers=(engineer(10, languages=("en", "de"), on_shift=False),))

    assert (decision.language, decision.queue) == ("en", 3)
    assert decision.reasons[-1] == "No L1 engineer speaking de is on shift: routed in English."


def test_out_of_hours_and_other_products_go_to_english_l1() -> None:
    evening = route(at=BERLIN_EVENING)
    other = route(product="ONE", flagship=False)

    assert (evening.language, evening.queue) == ("en", 3)
    assert "Outside the customer's local language hours" in evening.reasons[0]
    assert (other.language, other.queue) == ("en", 1)
    assert other.reasons[0] == (
        "L1 support for products other than the flagship is in English only (R-21)."
    )


def test_a_language_the_region_does_not_offer_goes_to_english() -> None:
    decision = route(customer_language="ja")

    assert (decision.language, decision.queue) == ("en", 3)
    assert decision.reasons[-1] == "L1 support is not offered in ja now: routed in English."


def test_premium_goes_to_the_named_pdm_in_hours_and_to_the_pdm_on_duty_outside() -> None:
    pdm = engineer(20, name="Petra")
    duty = (engineer(30, name="Dan", pdm_on_duty=True, on_shift=False, on_call=True),)

    in_hours = route(program="premium", pdm=pdm, pdms_on_duty=duty)
    out_of_hours = route(program="premium", pdm=pdm, pdms_on_duty=duty, at=BERLIN_EVENING)
    nobody = route(program="premium", pdm=None, pdms_on_duty=(), at=BERLIN_EVENING)

    assert (in_hours.assignee, in_hours.queue) == (20, 2)
    assert in_hours.reasons[-1] == (
        "Premium: to the customer's PDM Petra, who hands it to a senior engineer (R-10)."
    )
    assert out_of_hours.assignee == 30
    assert out_of_hours.reasons[-1] == (
        "Premium: the customer is outside its local hours: to the PDM on duty Dan (R-10, R-11)."
    )
    assert (nobody.assignee, nobody.reasons[-1]) == (
        None,
        "Premium: no PDM available now: the queue takes it (R-10).",
    )


def test_the_most_specific_queue_wins() -> None:
    assert choose_queue(QUEUES, tier="L1", language="en", product="BR", region="emea") == QUEUES[2]
    assert choose_queue(QUEUES, tier="L1", language="en", product="BR", region="us") == QUEUES[0]
    assert choose_queue(QUEUES, tier="L1", language="fr", product="BR", region="emea") is None


def test_suggestions_rank_by_shift_language_skill_tier_and_load() -> None:
    engineers = [
        engineer(1, languages=("en",), load=0),
        engineer(2, languages=("de", "en"), load=5),
        engineer(3, languages=("de",), load=1),
        engineer(4, languages=("de",), products=frozenset(), load=0),
        engineer(5, languages=("de",), on_shift=False, on_call=True),
        engineer(6, languages=("de",), on_shift=False),
        engineer(7, languages=("de",), tier="L2", load=0),
    ]

    ranked = suggest_engineers(engineers, language="de-AT", product="BR", tier="L1")

    assert [s.engineer.id for s in ranked] == [3, 2, 7, 4, 1, 5]
    assert ranked[0].reasons == (
        "on shift",
        "speaks de",
        "supports BR",
        "L1, regular",
        "1 open case",
    )


def test_senior_first_for_a_pdm_hand_over() -> None:
    engineers = [engineer(1, seniority="regular"), engineer(2, seniority="senior", load=9)]

    ranked = suggest_engineers(engineers, language="en", product="BR", tier="L1", senior_first=True)

    assert [s.engineer.id for s in ranked] == [2, 1]


def test_escalation_goes_up_one_tier_in_english_and_stops_at_l3() -> None:
    policy = get_policy()
    to_l2 = escalation(tier="L1", product="BR", region="emea", queues=QUEUES, policy=policy)
    to_l3 = escalation(tier="L2", product="BR", region="emea", queues=QUEUES, policy=policy)

    assert (to_l2.tier, to_l2.language, to_l2.queue) == ("L2", "en", 4)
    assert (to_l3.tier, to_l3.queue) == ("L3", 5)
    with pytest.raises(InputError) as exc:
        next_tier("L3")
    assert exc.value.field == "tier"
    with pytest.raises(InputError, match="No L2 queue serves ONE"):
        escalation(tier="L1", product="ONE", region="emea", queues=QUEUES[4:], policy=policy)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 6, 2, 5, 59, tzinfo=UTC), False),  # Tue 07:59 Berlin
        (datetime(2026, 6, 2, 6, 0, tzinfo=UTC), True),  # Tue 08:00
        (datetime(2026, 6, 2, 13, 59, tzinfo=UTC), True),  # Tue 15:59
        (datetime(2026, 6, 2, 14, 0, tzinfo=UTC), False),  # Tue 16:00
        (datetime(2026, 6, 6, 8, 0, tzinfo=UTC), False),  # Saturday
    ],
)
def test_day_shift(at: datetime, expected: bool) -> None:
    shifts = parse_shifts([{"days": "mon-fri", "start": "08:00", "end": "16:00"}])

    assert on_shift(shifts, timezone="Europe/Berlin", at=at) is expected


def test_a_night_shift_runs_past_midnight_and_ends_at_its_local_end() -> None:
    shifts = parse_shifts([{"days": ["fri"], "start": "22:00", "end": "06:00"}])
    saturday_early = datetime(2026, 6, 6, 3, 0, tzinfo=UTC)  # Sat 05:00 Berlin

    assert on_shift(shifts, timezone="Europe/Berlin", at=saturday_early) is True
    assert (
        on_shift(shifts, timezone="Europe/Berlin", at=datetime(2026, 6, 7, 3, tzinfo=UTC)) is False
    )
    assert shift_end(shifts, timezone="Europe/Berlin", at=saturday_early) == datetime(
        2026, 6, 6, 4, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("shifts", "field"),
    [
        ("mon", "shifts"),
        ([{"days": "mon"}], "shifts[0]"),
        ([{"days": "xyz", "start": "08:00", "end": "16:00"}], "shifts[0].days"),
        ([{"days": "mon", "start": "8", "end": "16:00"}], "shifts[0].start"),
        ([{"days": "mon", "start": "08:00", "end": "25:00"}], "shifts[0].end"),
        ([{"days": [], "start": "08:00", "end": "16:00"}], "shifts[0].days"),
    ],
)
def test_bad_shifts_name_the_place(shifts: object, field: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_shifts(shifts)
    assert exc.value.field == field
