"""What one opening of a case costs, without HTTP and without the machine's other work.

    .venv/bin/python bench/profile_open.py [--openings N] [--sql] [--profile] [--dump FILE]
        [--database-url URL]

Migrates a scratch SQLite database in a temporary SUPPORTDESK_HOME, loads the demo data, and
sends ``POST /api/v1/cases`` (the benchmark's case, bench/open_cases.py) straight to the WSGI
application in this process, as gunicorn's worker would. Prints the SQL statements of one
opening (``--sql`` lists them), the CPU time per opening (``time.process_time``: it grows when
the cores are shared, though much less than wall-clock rates do), and the Python function
calls per opening, which do not depend on the machine's load at all. ``--profile`` adds
cProfile's top functions by cumulative time; ``--dump`` writes its stats for pstats.
Last line: ``RESULT queries=N cpu_ms=X calls=N``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from open_cases import CASE_BODY, OPENER, ORGANIZATION, say


def prepare(database_url: str | None = None) -> Callable[[], bytes]:
    """A scratch database with the demo's data (SQLite, or the PostgreSQL database
    ``database_url`` names, dropped and made again); a function that opens one case."""
    os.environ["SUPPORTDESK_HOME"] = tempfile.mkdtemp(prefix="profile-open-")
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        import psycopg

        base, name = database_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from supportdesk.accounts.models import Organization, User
    from supportdesk.accounts.services import api_token_create
    from supportdesk.config.wsgi import application
    from supportdesk.demo import load_demo_data

    call_command("migrate", verbosity=0)
    load_demo_data(io.StringIO())
    opener = User.objects.get(username=OPENER)
    _, secret = api_token_create(actor=opener, name="profile", at=timezone.now())
    organization = Organization.objects.get(name=ORGANIZATION).pk
    body = json.dumps({**CASE_BODY, "organization": organization}).encode()

    def open_one() -> bytes:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/cases",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
            "HTTP_AUTHORIZATION": f"Bearer {secret}",
            "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex,
        }
        statuses: list[str] = []
        answer = application(environ, lambda status, headers, *_: statuses.append(status))
        content = b"".join(answer)
        answer.close()  # type: ignore[attr-defined]
        if not statuses[0].startswith("201"):
            raise SystemExit(f"expected 201, got {statuses[0]}: {content[:300]!r}")
        return content

    return open_one


def _backend_cpu(connection: Any) -> Callable[[], float]:
    """The CPU seconds so far of the PostgreSQL server process serving ``connection`` (on this
    machine: read from /proc)."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    return cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--openings", type=int, default=200)
    parser.add_argument("--sql", action="store_true", help="list one opening's statements")
    parser.add_argument("--profile", action="store_true", help="cProfile's top functions")
    parser.add_argument("--dump", metavar="FILE", help="write cProfile's stats to FILE (pstats)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to run on instead of SQLite (postgres://user@host/name): "
        "it is dropped and made again",
    )
    args = parser.parse_args()

    open_one = prepare(args.database_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(20):  # warm: connections, URL resolvers, schemas, the policy
        open_one()
    with CaptureQueriesContext(connection) as captured:
        open_one()
    statements = [q["sql"] for q in captured.captured_queries]
    say(f"SQL statements per opening: {len(statements)}")
    if args.sql:
        for sql in statements:
            say(f"  {sql[:150]}")

    backend = _backend_cpu(connection) if args.database_url else None
    started = time.process_time()
    backend_started = backend() if backend else 0.0
    for _ in range(args.openings):
        open_one()
    cpu_ms = (time.process_time() - started) / args.openings * 1000
    say(f"CPU per opening: {cpu_ms:.2f} ms (load average {os.getloadavg()[0]:.1f})")
    if backend:
        backend_ms = (backend() - backend_started) / args.openings * 1000
        say(f"PostgreSQL server process's CPU per opening: {backend_ms:.2f} ms")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(50):
        open_one()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    calls = stats.total_calls // 50  # type: ignore[attr-defined]
    say(f"Python function calls per opening: {calls}")
    if args.profile:
        stats.sort_stats("cumulative").print_stats(40)
    if args.dump:
        stats.dump_stats(args.dump)
    say(f"RESULT queries={len(statements)} cpu_ms={cpu_ms:.2f} calls={calls}")
    if args.database_url:
        from django.db import connections

        connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
