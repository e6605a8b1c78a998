from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from supportdesk.cases.choices import CaseKind, CaseStatus
from supportdesk.cases.selectors import first_response_view
from supportdesk.policy import get_policy
from supportdesk.policy.case_states import STATE_LABELS
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_kinds_and_states_are_the_policy_cores() -> None:
    policy = get_policy()

    assert dict(CaseKind.choices) == {k: v.label for k, v in policy.case_kinds.items()}
    assert dict(CaseStatus.choices) == dict(STATE_LABELS)


def test_the_due_time_reads_in_the_viewers_own_zone() -> None:
    case = CaseFactory.create(
        first_response_due_at=datetime(2026, 6, 1, 15, 0, tzinfo=UTC),
        first_response_reasons=["Production, Severity 3: ..."],
    )

    tokyo = first_response_view(case, time_zone="Asia/Tokyo", at=NOW)
    berlin = first_response_view(case, time_zone="Europe/Berlin", at=NOW)

    assert tokyo.due_text == "First response due by Tue 02 Jun 2026 00:00 JST (your time)"
    assert berlin.due_text == "First response due by Mon 01 Jun 2026 17:00 CEST (your time)"
    assert (tokyo.reasons, tokyo.target_minutes, tokyo.clock, tokyo.breached) == (
        ("Production, Severity 3: ...",),
        360,
        "24x7",
        False,
    )
    overdue = first_response_view(case, time_zone="UTC", at=NOW + timedelta(hours=3, seconds=1))
    assert overdue.breached is True


def test_a_late_answer_and_no_target_read_so() -> None:
    late = CaseFactory.create(
        first_response_due_at=datetime(2026, 6, 1, 15, 0, tzinfo=UTC),
        first_responded_at=datetime(2026, 6, 1, 16, 30, tzinfo=UTC),
        first_response_late_by=timedelta(minutes=90),
    )
    none = CaseFactory.create(first_response_due_at=None, clock="none", target_minutes=None)

    assert first_response_view(late, time_zone="UTC", at=NOW).due_text == (
        "First response given Mon 01 Jun 2026 16:30 UTC (your time), 1 h 30 min late"
    )
    assert first_response_view(late, time_zone="UTC", at=NOW).breached is True
    assert first_response_view(none, time_zone="UTC", at=NOW).due_text == (
        "No first-response target: handled best effort (R-18)"
    )
