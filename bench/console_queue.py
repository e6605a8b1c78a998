"""Benchmark: the console's queue page and the "at risk in the next hour" query at scale,
against django-helpdesk's staff ticket list.

    .venv/bin/python bench/console_queue.py [--quick] [--cases N] [--requests N] [--no-peer]

(after ``make sync``, or ``make bench-queue``).  Makes a PostgreSQL database, migrates it,
loads ``--cases`` cases (default 1,000,000, a tenth of them open, spread over 20 queues and
200 customers) with COPY, and then renders, in-process through Django's test client as a
signed-in engineer, the team queue page of one queue (its first 50 open cases by
first-response due instant), the engineer's whole queue page, and a manager's page of every
open case; and runs the "at risk in the next hour" selector.  For each: p50 and p99 in
milliseconds and SQL queries per page, and the query plan's scans (an index scan, never a
sequential scan of the cases table).

The peer, django-helpdesk 2.6 (set up once in a throw-away virtualenv, as for
bench/open_cases.py), gets ``--peer-tickets`` tickets (default 100,000, a tenth open) in its
own PostgreSQL database, and answers "the 50 newest open tickets of a queue" through its
staff list's data endpoint (``/datatables_ticket_list/<query>``), timed the same way in the
same run.  Ends with one ``RESULT`` line.  See bench/README.md.
"""

# ruff: noqa: E402  (the imports follow the import path fix below)
from __future__ import annotations

import sys
from pathlib import Path

# Keep the bench folder off the import path: a script there named like a standard module
# (tests/test_conventions.py forbids it) would stand in for that module.
BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != BENCH]

import argparse
import importlib.util
import json
import os
import random
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

# the peer's set-up and the PostgreSQL settings are those of the sibling script open_cases.py
_spec = importlib.util.spec_from_file_location("bench_open_cases", BENCH / "open_cases.py")
assert _spec is not None
assert _spec.loader is not None
open_cases = importlib.util.module_from_spec(_spec)
sys.modules["bench_open_cases"] = open_cases
_spec.loader.exec_module(open_cases)
PEER_SETTINGS, PEER_URLS = open_cases.PEER_SETTINGS, open_cases.PEER_URLS
PG_HOST, PG_PORT, PG_USER = open_cases.PG_HOST, open_cases.PG_PORT, open_cases.PG_USER
PG_MAINTENANCE_DB = open_cases.PG_MAINTENANCE_DB
peer_python, peer_versions = open_cases.peer_python, open_cases.peer_versions

QUEUES = 20
CUSTOMERS = 200
ENGINEERS = 40
OPEN_SHARE = 0.1
PAGE = 50


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@contextmanager
def pg_database(name: str) -> Iterator[str]:
    def admin(sql: str) -> None:
        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_MAINTENANCE_DB, autocommit=True
        ) as conn:
            conn.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def timed(fn: Callable[[], Any], n: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


# --- ours -------------------------------------------------------------------------------------


def load_ours(cases: int) -> dict[str, Any]:
    """The fixtures through the ORM, then the cases with COPY; returns who and what to ask."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from supportdesk.accounts.models import Organization, User
    from supportdesk.cases.models import Case
    from supportdesk.licensing.models import Product
    from supportdesk.routing.models import EngineerProfile, Queue

    now = datetime.now(UTC).replace(microsecond=0)
    product = Product.objects.create(code="VBR", name="Backup & Replication", is_flagship=True)
    queues = [
        Queue.objects.create(code=f"l1-{i:02d}", name=f"L1 team {i:02d}", product=product)
        for i in range(QUEUES)
    ]
    password = make_password(None)
    engineers = []
    for i in range(ENGINEERS):
        user = User.objects.create(
            username=f"eng{i:03d}", is_staff=True, staff_role="engineer", password=password,
            time_zone="Europe/Prague",
        )  # fmt: skip
        profile = EngineerProfile.objects.create(user=user, languages=["en"])
        profile.queues.set([queues[i % QUEUES], queues[(i + 1) % QUEUES]])
        engineers.append(user)
    manager = User.objects.create(
        username="boss", is_staff=True, staff_role="support_manager", password=password
    )
    opener = User.objects.create(username="opener", password=password)
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"Customer {i:04d}", country="DE", time_zone="Europe/Berlin", region="emea",
            created_at=now,
        )
        for i in range(CUSTOMERS)
    )  # fmt: skip

    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    columns = [str(f.column) for f in fields]
    template = Case(
        organization=orgs[0], opened_by=opener, product=product, kind="technical",
        subject="Backups fail", description="Every job fails.", contact_email="it@example.com",
        proposed_severity=3, severity=3, program="production", hours_label="24x7",
        target_minutes=360, clock="24x7", policy_version="bench", policy_sha256="0" * 64,
        time_zone="Europe/Berlin", country="DE", opened_at=now, updated_at=now, tier="L1",
        language="en",
    )  # fmt: skip
    base = {f.attname: getattr(template, f.attname) for f in fields}
    rng = random.Random(6)  # noqa: S311  (made-up data, not secrets)
    open_states = ("new", "in_progress", "waiting_for_customer")
    say(f"  COPY {cases:,} cases ({OPEN_SHARE:.0%} open) ...")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        sql = f"COPY cases_case ({', '.join(columns)}) FROM STDIN"
        with raw.copy(sql) as copy:
            for n in range(cases):
                is_open = rng.random() < OPEN_SHARE
                opened = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 2))
                row = dict(base)
                row["number"] = f"C-B-{n:08d}"
                row["organization_id"] = orgs[n % CUSTOMERS].pk
                row["queue_id"] = queues[n % QUEUES].pk
                row["severity"] = row["proposed_severity"] = 1 + n % 4
                row["opened_at"] = row["updated_at"] = opened
                if is_open:
                    row["status"] = open_states[n % 3]
                    # due from 2 days ago to 2 days ahead: some breached, some at risk
                    row["first_response_due_at"] = now + timedelta(
                        minutes=rng.randrange(-2 * 24 * 60, 2 * 24 * 60)
                    )
                    row["first_responded_at"] = None
                    row["assignee_id"] = engineers[n % ENGINEERS].pk if rng.random() < 0.5 else None
                else:
                    row["status"] = "closed"
                    row["first_response_due_at"] = opened + timedelta(hours=6)
                    row["first_responded_at"] = opened + timedelta(hours=1)
                    row["assignee_id"] = engineers[n % ENGINEERS].pk
                    if "closed_at" in row:
                        row["closed_at"] = opened + timedelta(days=2)
                copy.write_row([_copy_value(row[f.attname], f) for f in fields])
        cursor.execute("ANALYZE")
    say(f"  loaded in {time.perf_counter() - started:.1f} s")
    return {"engineer": engineers[0], "manager": manager, "queue": queues[0], "now": now}


def _copy_value(value: Any, field: Any) -> Any:
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    return value


def _counting(into: list[str]) -> Callable[..., Any]:
    """An execute wrapper that notes every SQL statement run (a request resets Django's own
    query log when it starts)."""

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        into.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def measure_ours(world: dict[str, Any], requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from supportdesk.routing import selectors

    out: dict[str, Any] = {}
    pages = {
        "queue": (world["engineer"], f"/console/queue/?queue={world['queue'].pk}"),
        "my_queues": (world["engineer"], "/console/queue/"),
        "all_open": (world["manager"], "/console/queue/"),
    }
    for name, (user, url) in pages.items():
        client = Client()
        client.force_login(user)
        counted: list[str] = []
        with connection.execute_wrapper(_counting(counted)):
            response = client.get(url)
        rows = response.content.decode().count('class="countdown"')
        if response.status_code != 200 or rows != PAGE:
            raise SystemExit(f"{url}: status {response.status_code}, {rows} rows (want {PAGE})")
        ms = timed(lambda: client.get(url), requests)  # noqa: B023
        out[name] = {"p50": percentile(ms, 50), "p99": percentile(ms, 99),
                     "queries": len(counted)}  # fmt: skip
        say(f"  {name:10} {url:32} p50 {out[name]['p50']:7.1f} ms  p99 "
            f"{out[name]['p99']:7.1f} ms  {out[name]['queries']} queries, {rows} rows")  # fmt: skip

    manager = world["manager"]
    engineer, queue = world["engineer"], world["queue"]

    def queue_rows() -> list[Any]:
        return selectors.console_queue(
            viewer=engineer, at=timezone.now(), filters=selectors.QueueFilters(queue=queue.pk)
        )

    ms = timed(queue_rows, requests)
    out["queue_sql"] = {"p50": percentile(ms, 50), "p99": percentile(ms, 99)}
    say(f"  queue_sql  the page's cases query alone        p50 {out['queue_sql']['p50']:7.1f} ms  "
        f"p99 {out['queue_sql']['p99']:7.1f} ms")  # fmt: skip

    def at_risk() -> list[Any]:
        return selectors.at_risk(viewer=manager, at=timezone.now(), within=timedelta(hours=1))

    found = len(at_risk())
    ms = timed(at_risk, requests)
    out["at_risk"] = {"p50": percentile(ms, 50), "p99": percentile(ms, 99), "rows": found}
    say(f"  at_risk    next hour, every queue            p50 {out['at_risk']['p50']:7.1f} ms  "
        f"p99 {out['at_risk']['p99']:7.1f} ms  {found} cases")  # fmt: skip

    # the plans of the very queries the pages ran: served by indexes, no sequential scan
    from supportdesk.routing.selectors import QueueFilters

    sqls = {}
    for name, user, filters in (
        ("queue", world["engineer"], QueueFilters(queue=world["queue"].pk)),
        ("my_queues", world["engineer"], QueueFilters()),
        ("all_open", manager, QueueFilters()),
    ):
        with CaptureQueriesContext(connection) as ctx:
            selectors.console_queue(viewer=user, at=timezone.now(), filters=filters)
        sqls[name] = ctx.captured_queries[-1]["sql"]
    with CaptureQueriesContext(connection) as ctx:
        at_risk()
    sqls["at_risk"] = ctx.captured_queries[-1]["sql"]
    plans = {}
    with connection.cursor() as cursor:
        for name, sql in sqls.items():
            cursor.execute("EXPLAIN " + sql)
            plans[name] = "\n".join(r[0] for r in cursor.fetchall())
    out["seq_scans"] = 0
    for name, plan in plans.items():
        scans = [line.strip() for line in plan.splitlines() if "Scan" in line]
        seq = [s for s in scans if "Seq Scan on cases_case" in s]
        out["seq_scans"] += len(seq)
        say(f"  plan {name}: " + "; ".join(s.split("  (")[0] for s in scans[:3]))
    return out


def ours(args: argparse.Namespace) -> dict[str, Any]:
    name = f"bench_queue_ours_{os.getpid()}"
    with pg_database(name), tempfile.TemporaryDirectory(prefix="bench-queue-") as home:
        os.environ["DATABASE_URL"] = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
        os.environ["SUPPORTDESK_HOME"] = home
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        settings.ALLOWED_HOSTS = ["*"]
        settings.STORAGES = {  # pages rendered in-process: plain static URLs, nothing collected
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        say("  migrate ...")
        call_command("migrate", verbosity=0)
        world = load_ours(args.cases)
        try:
            return measure_ours(world, args.requests)
        finally:
            connections.close_all()


# --- the peer -----------------------------------------------------------------------------------

PEER_SCRIPT = """
import json, random, sys, time
from datetime import timedelta
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.contrib.auth import get_user_model
from helpdesk.models import Queue, Ticket
from helpdesk.query import query_to_base64

settings.ALLOWED_HOSTS = ["*"]
tickets, requests, page = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
call_command("migrate", verbosity=0)
queues = [Queue.objects.create(title=f"Team {i}", slug=f"team-{i}") for i in range(20)]
user = get_user_model().objects.create_user("agent", "a@example.com", "x", is_staff=True,
                                            is_superuser=True)
rng = random.Random(6)
now = timezone.now()
batch = []
for n in range(tickets):
    created = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 2))
    batch.append(Ticket(title=f"Ticket {n}", queue=queues[n % 20], created=created,
                        modified=created, submitter_email="it@example.com",
                        status=1 if rng.random() < 0.1 else 4, priority=3,
                        description="Every job fails."))
    if len(batch) == 5000:
        Ticket.objects.bulk_create(batch); batch = []
Ticket.objects.bulk_create(batch)
with connection.cursor() as c:
    c.execute("ANALYZE")
query = query_to_base64({"filtering": {"queue__id__in": [queues[0].pk], "status__in": [1, 2]},
                         "filtering_null": {}, "sorting": "created", "sortreverse": True,
                         "search_string": ""})
url = f"/datatables_ticket_list/{query}?draw=1&start=0&length={page}"
from rest_framework.authtoken.models import Token
# the staff page's session, and the token its REST settings authenticate the data call with
client = Client(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=user).key)
client.force_login(user)
counted = []
def counting(execute, sql, params, many, context):
    counted.append(sql)
    return execute(sql, params, many, context)
with connection.execute_wrapper(counting):
    r = client.get(url)
body = r.json()
rows = len(body["data"])
open_in_queue = Ticket.objects.filter(queue=queues[0], status__in=[1, 2]).count()
assert r.status_code == 200, r.status_code
assert rows == min(page, open_in_queue), (rows, open_in_queue)
for _ in range(3):
    client.get(url)
ms = []
for _ in range(requests):
    t = time.perf_counter(); client.get(url); ms.append((time.perf_counter() - t) * 1000)
ms.sort()
print(json.dumps({"p50": ms[len(ms) // 2], "p99": ms[min(len(ms) - 1, int(0.99 * len(ms)))],
                  "queries": len(counted), "rows": rows}))
"""


def peer(args: argparse.Namespace) -> dict[str, Any] | str:
    try:
        python = peer_python()
    except Exception as exc:  # no network for the first install: report, do not fail
        return f"peer unavailable: {exc}"
    say(f"  peer: {peer_versions(python)}")
    name = f"bench_queue_peer_{os.getpid()}"
    with pg_database(name), tempfile.TemporaryDirectory(prefix="bench-queue-peer-") as project:
        package = Path(project) / "benchpeer"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "settings.py").write_text(textwrap.dedent(PEER_SETTINGS))
        (package / "urls.py").write_text(textwrap.dedent(PEER_URLS))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "benchpeer.settings",
            "PYTHONPATH": project,
            "PEER_PG": name,
            "PEER_PG_HOST": PG_HOST,
            "PEER_PG_PORT": str(PG_PORT),
            "PEER_PG_USER": PG_USER,
        }
        env.pop("DATABASE_URL", None)
        say(f"  peer: {args.peer_tickets:,} tickets, then its staff list's 50 newest open ...")
        done = subprocess.run(  # noqa: S603  (our own peer's python and script)
            [str(python), "-c", PEER_SCRIPT, str(args.peer_tickets), str(args.requests), str(PAGE)],
            env=env, capture_output=True, text=True, timeout=3600,
        )  # fmt: skip
        if done.returncode != 0:
            return "peer failed: " + done.stderr.strip().splitlines()[-1]
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        say(f"  peer list   p50 {result['p50']:7.1f} ms  p99 {result['p99']:7.1f} ms  "
            f"{result['queries']} queries, {result['rows']} rows")  # fmt: skip
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="30,000 cases, 10,000 tickets")
    parser.add_argument("--cases", type=int, default=None)
    parser.add_argument("--peer-tickets", type=int, default=None)
    parser.add_argument("--requests", type=int, default=None, help="timed requests per page")
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    args.cases = args.cases or (30_000 if args.quick else 1_000_000)
    args.peer_tickets = args.peer_tickets or (10_000 if args.quick else 100_000)
    args.requests = args.requests or (20 if args.quick else 200)
    say(f"queue page: {args.cases:,} cases in PostgreSQL {PG_HOST}:{PG_PORT}; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")  # fmt: skip
    mine = ours(args)
    theirs: dict[str, Any] | str = "skipped" if args.no_peer else peer(args)
    fields = {
        "cases": args.cases,
        "p50_ms": f"{mine['queue']['p50']:.1f}",
        "p99_ms": f"{mine['queue']['p99']:.1f}",
        "queries": mine["queue"]["queries"],
        "queue_sql_p99_ms": f"{mine['queue_sql']['p99']:.1f}",
        "all_open_p99_ms": f"{mine['all_open']['p99']:.1f}",
        "my_queues_p99_ms": f"{mine['my_queues']['p99']:.1f}",
        "at_risk_p50_ms": f"{mine['at_risk']['p50']:.1f}",
        "at_risk_p99_ms": f"{mine['at_risk']['p99']:.1f}",
        "seq_scans": mine["seq_scans"],
    }
    if isinstance(theirs, dict):
        fields |= {
            "peer_tickets": args.peer_tickets,
            "peer_p50_ms": f"{theirs['p50']:.1f}",
            "peer_p99_ms": f"{theirs['p99']:.1f}",
            "peer_queries": theirs["queries"],
        }
    else:
        fields["peer"] = theirs.replace(" ", "_")[:60]
    # the machine's load: the figures are wall-clock times on a shared machine
    fields["load1"] = f"{os.getloadavg()[0]:.1f}"
    fields["cpus"] = os.cpu_count()
    say("RESULT " + " ".join(f"{k}={v}" for k, v in fields.items()))


if __name__ == "__main__":
    main()
