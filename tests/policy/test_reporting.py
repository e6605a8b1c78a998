from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from supportdesk.policy.reporting import (
    AGE_BUCKETS,
    LATENESS_BUCKETS,
    SPARE_BUCKETS,
    attainment_percent,
    bucket_of,
    first_response_outcome,
)

AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "responded", "late", "outcome"),
    [
        (None, None, None, "no_target"),
        (None, AT, None, "no_target"),  # answered, but never met nor missed
        (DUE, DUE, None, "met"),  # exactly at the due time
        (DUE, DUE + timedelta(seconds=1), timedelta(seconds=1), "missed"),
        (DUE, None, None, "missed"),  # unanswered past due
        (AT, None, None, "pending"),  # due exactly now: not missed yet
        (AT + timedelta(hours=1), None, None, "pending"),
    ],
)
def test_outcome(
    due: datetime | None, responded: datetime | None, late: timedelta | None, outcome: str
) -> None:
    assert (
        first_response_outcome(due_at=due, responded_at=responded, late_by=late, at=AT) == outcome
    )


def test_attainment_percent() -> None:
    assert attainment_percent(0, 0) is None
    assert attainment_percent(2, 1) == 66.7
    assert attainment_percent(5, 0) == 100.0


def test_buckets_are_half_open_and_cover_everything() -> None:
    assert bucket_of(AGE_BUCKETS, timedelta(0)).key == "lt_1d"
    assert bucket_of(AGE_BUCKETS, timedelta(days=1)).key == "1_3d"
    assert bucket_of(AGE_BUCKETS, timedelta(days=400)).key == "ge_30d"
    assert bucket_of(LATENESS_BUCKETS, timedelta(minutes=15)).key == "15m_1h"
    assert bucket_of(SPARE_BUCKETS, timedelta(0)).key == "spare_lt_15m"
    for buckets in (AGE_BUCKETS, LATENESS_BUCKETS, SPARE_BUCKETS):
        assert buckets[0].low == timedelta(0)
        assert all(a.high == b.low for a, b in itertools.pairwise(buckets))
        assert buckets[-1].high is None
    with pytest.raises(ValueError, match="falls in no bucket"):
        bucket_of(AGE_BUCKETS, timedelta(seconds=-1))
