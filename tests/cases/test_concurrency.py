"""Two people at once, for real: separate connections in threads (PostgreSQL; SQLite's
writers queue behind one lock, which the service tests already cover)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections

from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.errors import Conflict
from tests.accounts.factories import StaffFactory
from tests.cases.test_services import AT, DETAILS, make_customer, open_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def together(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs in threads released at the same moment; their results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # the result under test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_numbers_never_repeat_under_concurrent_opening() -> None:
    customer = make_customer()
    open_case(customer)  # the year's counter row exists

    results = together(*[lambda: open_case(customer) for _ in range(6)])

    numbers = sorted(case.number for case in results)
    assert numbers == [f"C-2026-{n:06d}" for n in range(2, 8)]


def test_a_first_submission_and_its_retry_at_once_make_one_case() -> None:
    customer = make_customer()

    results = together(*[lambda: open_case(customer, idempotency_key="k") for _ in range(2)])

    assert [type(r) for r in results] == [Case, Case]
    assert results[0].pk == results[1].pk
    assert Case.objects.count() == 1


def test_of_two_engineers_writing_from_the_same_version_one_wins() -> None:
    customer = make_customer()
    case = open_case(customer, details=replace(DETAILS, proposed_severity=3))
    first, second = StaffFactory.create(), StaffFactory.create()

    results = together(
        lambda: services.case_transition(
            actor=first, case=case, status="in_progress", expected_version=1, at=AT
        ),
        lambda: services.case_transition(
            actor=second, case=case, status="resolved", expected_version=1,
            at=AT + timedelta(seconds=1),
        ),
    )  # fmt: skip

    assert sorted(type(r).__name__ for r in results) == ["Case", "Conflict"]
    assert any(isinstance(r, Conflict) for r in results)
    case.refresh_from_db()
    assert case.version == 2


def test_the_number_counter_is_not_locked_while_an_opening_writes(monkeypatch: Any) -> None:
    # Taken inside the opening's transaction, the counter row's lock was held to its COMMIT:
    # every opening waited for the one before (157 openings/s at most in bench/open_cases.py)
    from supportdesk.cases.models import CaseNumberCounter

    customer = make_customer()
    open_case(customer)  # the year's counter row exists
    table = CaseNumberCounter._meta.db_table
    seen: list[str] = []
    record = services.audit_event_record

    def another_writer() -> None:
        try:
            with connections["default"].cursor() as cursor:  # this thread's own connection
                cursor.execute(f'SELECT "last" FROM "{table}" FOR UPDATE NOWAIT')
                seen.append("free")
        except Exception as exc:  # the result under test: "could not obtain lock"
            seen.append(type(exc).__name__)
        finally:
            connections.close_all()

    def audit_while_another_asks(**kwargs: Any) -> Any:
        if kwargs.get("action") == "case.open":
            thread = threading.Thread(target=another_writer)
            thread.start()
            thread.join()
        return record(**kwargs)

    monkeypatch.setattr(services, "audit_event_record", audit_while_another_asks)
    case = open_case(customer)

    assert seen == ["free"]
    assert case.number == "C-2026-000002"


def test_the_number_is_taken_without_waiting_for_a_flush_and_the_session_keeps_its_setting() -> (
    None
):
    # The counter's own transaction commits without waiting for the WAL's flush (0.46 -> 0.29
    # ms an opening in bench/profile_open.py); the case's COMMIT, which does wait, flushes
    # the WAL past the bump, so no saved case has a number a crash could hand out again.
    customer = make_customer()
    open_case(customer)  # the year's counter row exists
    statements: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        case = open_case(customer)
    bumps = [sql for sql in statements if 'RETURNING "last"' in sql]
    assert len(bumps) == 1
    assert "set_config('synchronous_commit', 'off', true)" in bumps[0]
    assert case.number == "C-2026-000002"
    with connection.cursor() as cursor:  # local to the bump's transaction: the rest flushes
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
    assert Case.objects.filter(number=case.number).count() == 1


def test_the_number_goes_with_the_routing_reads_in_their_round_trip(monkeypatch: Any) -> None:
    # rows.along: the bump is sent after the routing's reads, in their pipeline, and is
    # answered with them (one round trip an opening fewer); the counter row is free again
    # once they are answered, before the opening writes
    from supportdesk import rows

    customer = make_customer()
    open_case(customer)  # the year's counter row exists
    asked: list[bool] = []
    real = rows.Along.rows

    def rows_of(self: rows.Along) -> list[tuple[Any, ...]]:
        asked.append(self.answered)  # answered already: it came with the reads
        return real(self)

    monkeypatch.setattr(rows.Along, "rows", rows_of)
    case = open_case(customer)
    assert asked == [True]
    assert case.number == "C-2026-000002"
