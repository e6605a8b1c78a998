"""Benchmark: every management report over 1,000,000 cases on PostgreSQL.

    .venv/bin/python bench/reports.py [--quick] [--cases N] [--runs N] [--seed N] [--keep] [--reuse]

(after ``make sync``, or ``make bench-reports``).  Makes a throw-away PostgreSQL database,
migrates it, and loads the seeded dataset of the report tests
(``supportdesk.reports.dataset``) with COPY: two years of cases, 200 customers in every
region, the older cases closed.  Then it runs every report as the API does (the selectors of
``supportdesk.reports``, through the ORM, aggregated in the database) over the default period
(the last 30 days) and over a year, ``--runs`` times each in turn, and reports each one's p50
and p99 in milliseconds against the goal of the issue (500 ms each).

The issue names no peer program.  The comparison in the same run is with the way our field
usually does it (django-helpdesk's reports loop over the tickets in Python): the SLA attainment
by program computed by reading the period's cases into Python and classifying each with the
policy core.  Both answers are checked equal.

Ends with one line: ``RESULT p99_ms=<slowest report's p99> slowest=<its name> ...``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
PG_MAINTENANCE_DB = os.environ.get("BENCH_PG_DB", "postgres")
DB_NAME = os.environ.get("BENCH_REPORTS_DB", "bench_reports")
GOAL_MS = 500.0
ORGS = 200
PRODUCTS = 6
YEARS = 2
AT = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
VIEWER = ZoneInfo("Europe/Prague")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@contextmanager
def pg_database(name: str, *, keep: bool = False, reuse: bool = False) -> Iterator[str]:
    def admin(sql: str) -> None:
        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_MAINTENANCE_DB, autocommit=True
        ) as conn:
            conn.execute(sql)

    if not reuse:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        if not keep:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(database_url: str, home: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["SUPPORTDESK_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
    import django

    django.setup()


def load(count: int, seed: int) -> None:
    """Customers, products and ``count`` cases (COPY); returns what the reports need."""
    from django.core.management import call_command
    from django.db import connection

    from supportdesk.accounts.models import Organization, User
    from supportdesk.cases.models import Case
    from supportdesk.licensing.models import Product
    from supportdesk.reports.dataset import Org, generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(f"  migrated in {time.perf_counter() - started:.1f} s")
    places = [
        ("emea", "de", "DE", "Europe/Berlin"),
        ("emea", "fr", "FR", "Europe/Paris"),
        ("us", "en", "US", "America/Chicago"),
        ("canada", "fr", "CA", "America/Toronto"),
        ("apac", "ja", "JP", "Asia/Tokyo"),
        ("latam", "pt", "BR", "America/Sao_Paulo"),
    ]
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"Customer {i:03d}",
            country=places[i % len(places)][2],
            time_zone=places[i % len(places)][3],
            region=places[i % len(places)][0],
            language=places[i % len(places)][1],
            created_at=AT - timedelta(days=800),
        )
        for i in range(ORGS)
    )
    products = Product.objects.bulk_create(
        Product(code=f"P{i}", name=f"Product {i}", is_flagship=i == 0) for i in range(PRODUCTS)
    )
    opener = User.objects.create(username="bench-opener")
    end = AT - timedelta(days=6)
    start = end - timedelta(days=365 * YEARS)
    fields = [f for f in Case._meta.concrete_fields if f.column != "id"]
    columns = [f.column for f in fields]
    attnames = [f.attname for f in fields]
    rows = generate(
        seed=seed,
        count=count,
        start=start,
        end=end,
        at=AT,
        orgs=[Org(o.pk, o.region, o.language, o.country, o.time_zone) for o in orgs],
        products=[p.pk for p in products],
        opened_by=opener.pk,
        viewer_tz=VIEWER,
        number_prefix="B",
        settle_after=timedelta(days=60),
    )
    defaults = {f.attname: f.get_default() for f in fields}
    defaults["first_response_reasons"] = "[]"
    started = time.perf_counter()
    step = max(count // 10, 1)
    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = True
    with raw.cursor() as cur:
        # load as a restore does: without the indexes (made again afterwards, at once) and
        # without the foreign-key triggers (the generator draws only existing keys)
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_case' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET synchronous_commit = off")
        with cur.copy(f"COPY cases_case ({', '.join(columns)}) FROM STDIN") as copy:
            for n, row in enumerate(rows, 1):
                row["first_response_reasons"] = "[]"
                copy.write_row([row[a] if a in row else defaults[a] for a in attnames])
                if n % step == 0:
                    say(
                        f"  {n:,} of {count:,} cases loaded ({time.perf_counter() - started:.0f} s)"
                    )
        cur.execute("SET session_replication_role = origin")
        say(f"  copied in {time.perf_counter() - started:.1f} s; indexing")
        cur.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cur.execute(definition)
        cur.execute("VACUUM ANALYZE cases_case")
        cur.execute("VACUUM ANALYZE accounts_organization")
    raw.autocommit = False
    say(f"  {count:,} cases in {time.perf_counter() - started:.1f} s (COPY, then VACUUM ANALYZE)")


def refresh_rollups() -> float:
    """What the worker does every hour: count the settled cases again (seconds taken)."""
    from django.utils import timezone

    from supportdesk.reports.rollup import refresh

    started = time.perf_counter()
    state = refresh(now=timezone.now())
    took = time.perf_counter() - started
    say(f"  roll-ups of {state.cases:,} settled cases made again in {took:.1f} s")
    return took


def reports(end: datetime) -> tuple[dict[str, Callable[[], object]], Any]:
    from supportdesk.reports import selectors
    from supportdesk.reports.selectors import Filters, Period

    last = end.astimezone(VIEWER).date() - timedelta(days=1)
    month = Period.of_days(last - timedelta(days=29), last, VIEWER)
    year = Period.of_days(last - timedelta(days=364), last, VIEWER)
    f = Filters()
    return {
        "sla_by_program": lambda: selectors.sla_attainment(
            period=month, by="program", at=AT, filters=f
        ),
        "sla_by_region": lambda: selectors.sla_attainment(
            period=month, by="region", at=AT, filters=f
        ),
        "sla_by_product_premium": lambda: selectors.sla_attainment(
            period=month, by="product", at=AT, filters=Filters(program="premium")
        ),
        "distribution": lambda: selectors.first_response_distribution(
            period=month, at=AT, filters=f
        ),
        "breaches": lambda: selectors.breaches(period=month, at=AT, filters=f),
        "backlog": lambda: selectors.backlog(at=AT, filters=f),
        "flow": lambda: selectors.flow(period=month, filters=f),
        "sla_by_program_year": lambda: selectors.sla_attainment(
            period=year, by="program", at=AT, filters=f
        ),
        "sla_by_language_year": lambda: selectors.sla_attainment(
            period=year, by="language", at=AT, filters=f
        ),
        "breaches_year": lambda: selectors.breaches(period=year, at=AT, filters=f),
        "flow_year": lambda: selectors.flow(period=year, filters=f),
    }, month


def python_loop(period: Any) -> Counter[tuple[str, str]]:
    """The peer's way: read the period's cases and classify each in Python."""
    from supportdesk.cases.models import Case
    from supportdesk.policy.reporting import first_response_outcome

    counts: Counter[tuple[str, str]] = Counter()
    rows = Case.objects.filter(opened_at__gte=period.start, opened_at__lt=period.end).values_list(
        "program", "first_response_due_at", "first_responded_at", "first_response_late_by"
    )
    for program, due, responded, late in rows.iterator(chunk_size=5000):
        counts[
            (
                program,
                first_response_outcome(due_at=due, responded_at=responded, late_by=late, at=AT),
            )
        ] += 1
    return counts


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="20,000 cases, 5 runs (under a minute)"
    )
    parser.add_argument("--cases", type=int, help="cases to load (default 1,000,000)")
    parser.add_argument("--runs", type=int, help="runs of each report (default 30)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DB_NAME}")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database as it is")
    args = parser.parse_args()
    count = args.cases or (20_000 if args.quick else 1_000_000)
    runs = args.runs or (5 if args.quick else 30)
    say(f"reports benchmark: {count:,} cases on PostgreSQL, {runs} runs of each report")
    keep, reuse = args.keep or args.reuse, args.reuse
    with tempfile.TemporaryDirectory() as home, pg_database(DB_NAME, keep=keep, reuse=reuse) as url:
        setup_django(url, Path(home))
        if reuse:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        else:
            load(count, args.seed)
        refreshed = refresh_rollups()
        todo, month = reports(AT - timedelta(days=6))
        times: dict[str, list[float]] = {name: [] for name in todo}
        times["python_loop_sla_by_program"] = []
        for run in todo.values():  # warm up: plans and caches, as on a live server
            run()
        ours = {
            (r.key, o): getattr(r, o)
            for r in todo["sla_by_program"]().rows  # type: ignore[attr-defined]
            for o in ("met", "missed", "pending", "no_target")
        }
        theirs = python_loop(month)
        if +Counter(ours) != theirs:
            say(f"MISMATCH: database {ours} != python {dict(theirs)}")
            return 1
        for i in range(runs):
            for name, run in todo.items():
                t = time.perf_counter()
                run()
                times[name].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            python_loop(month)
            times["python_loop_sla_by_program"].append((time.perf_counter() - t) * 1000)
            say(f"  run {i + 1} of {runs}")
        say("")
        say(f"{'report':<28}{'p50 ms':>10}{'p99 ms':>10}")
        for name, values in times.items():
            say(f"{name:<28}{p(values, 0.5):>10.1f}{p(values, 0.99):>10.1f}")
        ours_names = [n for n in times if not n.startswith("python_loop")]
        slowest = max(ours_names, key=lambda n: p(times[n], 0.99))
        p99 = p(times[slowest], 0.99)
        peer = p(times["python_loop_sla_by_program"], 0.99)
        mine = p(times["sla_by_program"], 0.99)
        say(
            f"RESULT p99_ms={p99:.1f} slowest={slowest} goal_ms={GOAL_MS:.0f} "
            f"within_goal={'yes' if p99 < GOAL_MS else 'no'} cases={count} runs={runs} "
            f"sla_by_program_p99_ms={mine:.1f} python_loop_p99_ms={peer:.1f} "
            f"speedup={peer / mine:.1f} rollup_refresh_s={refreshed:.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
