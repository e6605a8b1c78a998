"""What the management reports count, as plain values (R-16 to R-19, R-29, R-34).

The reports aggregate in the database; the definitions they aggregate by live here, so that a
test can classify a known dataset case by case and compare with what the database answers.

- A case's first-response **outcome** (R-16 to R-19) is one of:
  ``met`` (answered by its due time), ``missed`` (answered late, or still unanswered past its
  due time), ``pending`` (unanswered, due later) or ``no_target`` (no due time: R-18, R-19).
  Cases without a target are counted apart, never as met or missed.
- **Attainment** is met / (met + missed): pending cases are not decided yet.
- The **age** of an open case and the **lateness** of a breach fall into the buckets below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Outcome = Literal["met", "missed", "pending", "no_target"]
OUTCOMES: tuple[Outcome, ...] = ("met", "missed", "pending", "no_target")
OUTCOME_LABELS: dict[str, str] = {
    "met": "Met",
    "missed": "Missed",
    "pending": "Not answered yet, not due",
    "no_target": "No target (R-18, R-19)",
}


def first_response_outcome(
    *,
    due_at: datetime | None,
    responded_at: datetime | None,
    late_by: timedelta | None,
    at: datetime,
) -> Outcome:
    """The outcome of one case's first-response clock as it stands at ``at``."""
    if due_at is None:
        return "no_target"
    if responded_at is not None:
        return "missed" if late_by is not None else "met"
    return "missed" if due_at < at else "pending"


def attainment_percent(met: int, missed: int) -> float | None:
    """Met as a share of decided cases, in percent rounded to one decimal; None when no case
    is decided yet."""
    decided = met + missed
    if decided == 0:
        return None
    return round(100 * met / decided, 1)


@dataclass(frozen=True)
class Bucket:
    """A half-open range ``[low, high)`` of a duration; ``high`` None is unbounded."""

    key: str
    label: str
    low: timedelta
    high: timedelta | None

    def holds(self, value: timedelta) -> bool:
        return value >= self.low and (self.high is None or value < self.high)


def _b(key: str, label: str, low: timedelta, high: timedelta | None) -> Bucket:
    return Bucket(key, label, low, high)


H = timedelta(hours=1)
D = timedelta(days=1)

#: How long an open case has been open (backlog by age).
AGE_BUCKETS: tuple[Bucket, ...] = (
    _b("lt_1d", "under 1 day", timedelta(0), D),
    _b("1_3d", "1 to 3 days", D, 3 * D),
    _b("3_7d", "3 to 7 days", 3 * D, 7 * D),
    _b("7_30d", "7 to 30 days", 7 * D, 30 * D),
    _b("ge_30d", "30 days or more", 30 * D, None),
)

#: How late a missed first response was (answered late, or unanswered past due so far).
LATENESS_BUCKETS: tuple[Bucket, ...] = (
    _b("lt_15m", "under 15 min", timedelta(0), timedelta(minutes=15)),
    _b("15m_1h", "15 min to 1 h", timedelta(minutes=15), H),
    _b("1_4h", "1 to 4 h", H, 4 * H),
    _b("4_24h", "4 to 24 h", 4 * H, D),
    _b("ge_1d", "1 day or more", D, None),
)

#: How much time to spare a first response given by its due time had (met cases). With
#: LATENESS_BUCKETS over answered-late cases, the distribution of first-response times against
#: target (R-16): an answer exactly at the due time has no time to spare and is met (R-17).
SPARE_BUCKETS: tuple[Bucket, ...] = (
    _b("spare_lt_15m", "under 15 min to spare", timedelta(0), timedelta(minutes=15)),
    _b("spare_15m_1h", "15 min to 1 h to spare", timedelta(minutes=15), H),
    _b("spare_1_4h", "1 to 4 h to spare", H, 4 * H),
    _b("spare_ge_4h", "4 h or more to spare", 4 * H, None),
)


def bucket_of(buckets: tuple[Bucket, ...], value: timedelta) -> Bucket:
    for bucket in buckets:
        if bucket.holds(value):
            return bucket
    raise ValueError(f"{value} falls in no bucket")
