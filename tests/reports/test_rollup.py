"""The roll-ups of settled cases (supportdesk.reports.rollup): a report that reads them answers
exactly what the live query over every case answers, on the seeded dataset, whatever the
roll-up's horizon (none settled, some, all), the viewer's zone and the period; and it does
read them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from supportdesk.cases.models import Case
from supportdesk.reports import rollup, selectors
from supportdesk.reports.models import RollupState, SettledDay, SettledHour
from supportdesk.reports.selectors import Filters, Period
from tests.reports.known import AT, PERIOD, Known, known_dataset

pytestmark = pytest.mark.django_db

ROLLED = ("program", "severity", "product", "region", "language", "kind")
PERIODS = (
    PERIOD,  # New York days, across the change to summer time
    Period.of_days(date(2026, 3, 1), date(2026, 3, 31), ZoneInfo("UTC")),
    Period.of_days(date(2026, 3, 3), date(2026, 3, 20), ZoneInfo("Asia/Tokyo")),
    Period.of_days(date(2026, 2, 27), date(2026, 4, 2), ZoneInfo("Asia/Kolkata")),  # :30
    Period.of_days(date(2026, 3, 10), date(2026, 3, 10), ZoneInfo("Europe/Prague")),
    Period.of_days(date(2026, 1, 1), date(2026, 4, 30), ZoneInfo("Asia/Tokyo")),  # 120 days
)


@pytest.fixture(autouse=True)
def every_period_reads_the_roll_ups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Periods of any length read the roll-ups here (the reports read them from 45 days)."""
    monkeypatch.setattr(rollup, "MIN_DAYS", 1)


@pytest.fixture(scope="module")
def shared_known(django_db_setup: None, django_db_blocker: Any) -> Iterator[Known]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield known_dataset()
        transaction.set_rollback(True)


@pytest.fixture
def known(shared_known: Known, db: None) -> Known:
    return shared_known


def _live(report: Any) -> Any:
    saved = list(RollupState.objects.all())
    RollupState.objects.all().delete()
    try:
        return report()
    finally:
        RollupState.objects.bulk_create(saved)


def _all_reports(period: Period) -> dict[str, Any]:
    out: dict[str, Any] = {
        f"sla_{by}": lambda by=by: selectors.sla_attainment(
            period=period, by=by, at=AT, filters=Filters()
        )
        for by in ROLLED
    }
    out["breaches"] = lambda: selectors.breaches(period=period, at=AT, filters=Filters())
    out["flow"] = lambda: selectors.flow(period=period, filters=Filters())
    return out


@pytest.mark.parametrize(
    "horizon_after_start",
    [timedelta(days=-1), timedelta(days=12), timedelta(days=21), timedelta(days=60)],
    ids=["none-settled", "some", "more", "all-closed"],
)
def test_reports_read_from_the_roll_ups_answer_what_the_live_queries_answer(
    known: Known, horizon_after_start: timedelta
) -> None:
    state = rollup.refresh(now=PERIOD.start + horizon_after_start + rollup.MARGIN)
    settled = Case.objects.filter(rollup.settled_q(rollup.current())).count()  # type: ignore[arg-type]
    assert state.cases == settled
    if horizon_after_start > timedelta(days=30):
        assert settled > 200  # every case closed and answered (or without a target)
    for period in PERIODS:
        for name, report in _all_reports(period).items():
            assert report() == _live(report), (name, period)


def test_settled_and_unsettled_are_every_case_once(known: Known) -> None:
    rollup.refresh(now=PERIOD.start + timedelta(days=15))
    state = rollup.current()
    assert state is not None
    settled = set(Case.objects.filter(rollup.settled_q(state)).values_list("pk", flat=True))
    unsettled = set(Case.objects.filter(rollup.unsettled_q(state)).values_list("pk", flat=True))
    assert settled
    assert unsettled
    assert not settled & unsettled
    assert settled | unsettled == set(Case.objects.values_list("pk", flat=True))
    parts = [
        set(Case.objects.filter(part).values_list("pk", flat=True))
        for part in rollup.unsettled_parts(state)
    ]
    assert sum(len(p) for p in parts) == len(unsettled)  # the parts share no case
    assert set().union(*parts) == unsettled


def test_short_periods_read_the_cases_alone(known: Known, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rollup, "MIN_DAYS", 45)
    rollup.refresh(now=AT)
    SettledDay.objects.update(met=10_000)
    SettledHour.objects.update(arrivals=10_000)
    assert (
        selectors.sla_attainment(period=PERIOD, by="program", at=AT, filters=Filters()).all.met
        == 224
    )
    assert selectors.flow(period=PERIOD, filters=Filters()).arrivals == 600
    long = Period.of_days(date(2026, 1, 1), date(2026, 4, 30), ZoneInfo("Asia/Tokyo"))
    assert (
        selectors.sla_attainment(period=long, by="program", at=AT, filters=Filters()).all.met
        > 10_000
    )


def test_a_case_opened_after_the_refresh_is_counted_from_the_cases(known: Known) -> None:
    rollup.refresh(now=AT)
    before = selectors.sla_attainment(period=PERIOD, by="program", at=AT, filters=Filters())
    case = Case.objects.filter(status="closed", first_response_due_at__isnull=True).first()
    assert case is not None
    case.pk = None
    case.number = "R-COPY-1"
    case.save()
    after = selectors.sla_attainment(period=PERIOD, by="program", at=AT, filters=Filters())
    assert after.all.no_target == before.all.no_target + 1


def test_the_reports_do_read_the_roll_ups(known: Known) -> None:
    rollup.refresh(now=AT)
    live = selectors.sla_attainment(period=PERIOD, by="program", at=AT, filters=Filters())
    day = SettledDay.objects.filter(
        dimension="program", key="free", no_target__gt=0, day__gte=date(2026, 3, 3)
    ).first()  # a whole UTC day of the period
    assert day is not None
    SettledDay.objects.filter(pk=day.pk).update(no_target=day.no_target + 1000)
    rolled = selectors.sla_attainment(period=PERIOD, by="program", at=AT, filters=Filters())
    assert rolled.all.no_target == live.all.no_target + 1000
    hour = SettledHour.objects.filter(arrivals__gt=0, hour__gte=PERIOD.start).first()
    assert hour is not None
    SettledHour.objects.filter(pk=hour.pk).update(arrivals=hour.arrivals + 7)
    assert selectors.flow(period=PERIOD, filters=Filters()).arrivals == (
        _live(lambda: selectors.flow(period=PERIOD, filters=Filters())).arrivals + 7
    )


def test_a_filtered_report_reads_only_the_cases(known: Known) -> None:
    rollup.refresh(now=AT)
    SettledDay.objects.update(met=10_000)
    report = selectors.sla_attainment(
        period=PERIOD, by="severity", at=AT, filters=Filters(program="premium")
    )
    assert report == _live(
        lambda: selectors.sla_attainment(
            period=PERIOD, by="severity", at=AT, filters=Filters(program="premium")
        )
    )
    assert report.all.met < 10_000


def test_the_worker_task_refreshes_and_queues_the_next_run(known: Known) -> None:
    from supportdesk.reports.tasks import reports_rollup_refresh

    counted = reports_rollup_refresh.call()
    assert counted == RollupState.objects.get().cases > 0
