"""Benchmark: opening cases over HTTP, against django-helpdesk's ticket creation.

    .venv/bin/python bench/open_cases.py [--quick] [--duration S] [--clients N]

(after ``make sync``, or ``make bench-cases``).  Starts the real server (``supportdesk serve``,
gunicorn, two workers) on SQLite and on PostgreSQL, opens cases through ``POST /api/v1/cases``
with a bearer token and an Idempotency-Key from 16 keep-alive clients on loopback for a fixed
time, and checks afterwards that every 201 left one case (with its entitlement and frozen
first-response clock) and one ``case.open`` audit event.  The peer, django-helpdesk 2.6, is set
up in a throw-away virtualenv in the user's cache folder, served by gunicorn the same way and
driven the same way through its REST API (``POST /api/tickets/``).  Ends with one ``RESULT``
line.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SUPPORTDESK = BIN / "supportdesk"

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
PG_MAINTENANCE_DB = os.environ.get("BENCH_PG_DB", "test")

UNEVEN = 2.0  # a worker holding more than this times another's connections: split unevenly
WORKERS = 2  # both servers: two gunicorn worker processes, two threads each (ours' default)
THREADS = 2
PEER_REQUIREMENTS = ["django-helpdesk==2.6.*", "Django>=6.0,<6.1", "gunicorn", "psycopg[binary]"]
PEER_CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "supportdesk-bench"
    / "helpdesk-2.6"
)

# the demo's Premium customer (supportdesk.demo_customers): Nordlicht's license
# administrator and its Support ID on VBR 13 (GA), as in the demo's first case
OPENER = "nora"
ORGANIZATION = "Nordlicht Versicherung AG"
SUPPORT_ID = "SID-DEM0-0000-0001"
SUBJECT = "Benchmark: replication stalls"
CASE_BODY = {
    "support_id": SUPPORT_ID,
    "kind": "technical",
    "subject": SUBJECT,
    "description": "Since Monday the nightly replication job stops at 40 %.",
    "proposed_severity": 2,
    "contact_email": "nora@example.com",
    "product_version": "13",
    "business_impact": "The DR copy is a day behind.",
    "contact_phone": "+49 89 1234567",
    "preferred_contact": "phone",
}


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the load ----------------------------------------------------------------------------------


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)  # seconds, timed requests only
    statuses: Counter[int] = field(default_factory=Counter)  # every request, warm-up included
    errors: Counter[str] = field(default_factory=Counter)
    timed: int = 0
    timed_ok: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0  # CPU seconds of the server (and its database backends), timed part
    database_cpu: float = 0.0  # of which its PostgreSQL backends' (0 on SQLite: in the server)
    client_cpu: float = 0.0  # CPU seconds of this process's clients, timed part
    completed: int = 0  # answers completed within the timed part (also those that began before)
    client_means: list[float] = field(default_factory=list)  # each client's mean latency, s
    split: list[int] = field(default_factory=list)  # connections held by each server worker

    @property
    def server_cpu_ms(self) -> float:
        """Server CPU per answer: what the rate would be bounded by on an idle machine."""
        return self.server_cpu / self.completed * 1000 if self.completed else float("nan")

    @property
    def database_cpu_ms(self) -> float:
        return self.database_cpu / self.completed * 1000 if self.completed else float("nan")

    @property
    def client_cpu_ms(self) -> float:
        return self.client_cpu / self.completed * 1000 if self.completed else float("nan")

    @property
    def per_s(self) -> float:
        return self.timed_ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def drive(
    port: int,
    path: str,
    headers: Callable[[], dict[str, str]],
    body: bytes,
    *,
    clients: int,
    warmup: float,
    duration: float,
    cpu: Callable[[], tuple[float, float]],
    split: Callable[[], list[int]],
) -> Load:
    """``clients`` threads, each on its own keep-alive connection, POST ``body`` to ``path``
    as fast as the answers come: ``warmup`` seconds untimed, then ``duration`` timed.
    ``cpu()`` (the server's CPU seconds so far, and of them its database backends') is read
    when the timed part starts and ends, ``split()`` (the connections each server worker
    holds) half-way through it."""
    load = Load()
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    timed_from, stop = start + warmup, start + warmup + duration
    done_at: list[float] = []  # when each answer completed

    def meter() -> None:
        time.sleep(max(0.0, timed_from - time.perf_counter()))
        (server0, database0), client0 = cpu(), time.process_time()
        time.sleep(max(0.0, timed_from + duration / 2 - time.perf_counter()))
        load.split = split()
        time.sleep(max(0.0, stop - time.perf_counter()))
        (server1, database1), client1 = cpu(), time.process_time()
        load.server_cpu, load.database_cpu = server1 - server0, database1 - database0
        load.client_cpu = client1 - client0

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        statuses: Counter[int] = Counter()
        errors: Counter[str] = Counter()
        ok = timed = 0
        while time.perf_counter() < start:
            time.sleep(0.001)
        while (t0 := time.perf_counter()) < stop:
            try:
                conn.request("POST", path, body=body, headers=headers())
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                errors[type(exc).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            t1 = time.perf_counter()
            done_at.append(t1)
            statuses[status] += 1
            if t0 >= timed_from and t1 <= stop:
                timed += 1
                mine.append(t1 - t0)
                ok += status == 201
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()
        with lock:
            if mine:
                load.client_means.append(sum(mine) / len(mine))
            load.latencies.extend(mine)
            load.statuses.update(statuses)
            load.errors.update(errors)
            load.timed += timed
            load.timed_ok += ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    threads.append(threading.Thread(target=meter))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load.seconds = duration
    load.completed = sum(timed_from <= t <= stop for t in done_at)
    return load


# --- CPU accounting: rates move with whatever else runs on the machine; CPU per answer much less


TICK = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a live process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _proc_stats() -> dict[int, tuple[int, float]]:
    """(parent pid, CPU seconds) of every live process, by pid."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _proc_stat(int(entry.name))) is not None:
            stats[int(entry.name)] = stat
    return stats


def tree_cpu(root: int, extra: Callable[[], list[int]] = list) -> tuple[float, float]:
    """CPU seconds used so far by ``root``, its descendants, and the ``extra()`` processes
    together, and by the ``extra()`` processes alone."""
    stats = _proc_stats()
    mine, todo = set(), [root]
    while todo:
        pid = todo.pop()
        mine.add(pid)
        todo += [child for child, (parent, _) in stats.items() if parent == pid]
    others = set(extra()) - mine
    database = sum(stats[pid][1] for pid in others if pid in stats)
    return sum(stats[pid][1] for pid in mine if pid in stats) + database, database


def worker_split(root: int, port: int) -> list[int]:
    """How many established connections to ``port`` each child process of ``root`` (a
    gunicorn master: its workers) holds, fewest first."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(OSError):
            for row in Path(table).read_text().splitlines()[1:]:
                fields = row.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:  # ESTABLISHED
                    inodes.add(f"socket:[{inode}]")
    held = []
    for pid, (parent, _) in _proc_stats().items():
        if parent == root:
            with suppress(OSError):
                fds = Path(f"/proc/{pid}/fd").iterdir()
                held.append(sum(os.readlink(fd) in inodes for fd in fds))
    return sorted(held)


def pg_backends(database: str) -> Callable[[], list[int]]:
    """The PostgreSQL server processes serving ``database`` (same machine)."""

    def pids() -> list[int]:
        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_MAINTENANCE_DB, autocommit=True
        ) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)
            ).fetchall()
        return [int(row[0]) for row in rows]

    return pids


# --- servers -----------------------------------------------------------------------------------


@contextmanager
def server(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own fixed commands
            command, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: {tail(log)}")
            with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not listen within 60 s: {tail(log)}")
            time.sleep(0.1)
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def tail(log: Path, lines: int = 5) -> str:
    text = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
    return " | ".join(text[-lines:]) or "(no output)"


def run(command: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own fixed commands
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed: {(done.stderr or done.stdout).strip()[-600:]}")
    return done.stdout


def last_json(output: str) -> dict[str, int | str]:
    return json.loads(output.strip().splitlines()[-1])


def pg_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


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
        yield pg_url(name)
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Outcome:
    load: Load | None = None
    created: int = 0  # rows the run left, counted in the database
    audited: int = 0
    complete: int = 0  # cases with entitlement and frozen first-response clock
    error: str = ""


# --- ours --------------------------------------------------------------------------------------

OURS_SETUP = """
import io, json
from django.core.management import call_command
from django.utils import timezone
from supportdesk.demo import load_demo_data
from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.services import api_token_create
call_command("migrate", verbosity=0)
load_demo_data(io.StringIO())
_, secret = api_token_create(actor=User.objects.get(username=%(opener)r), name="bench",
                             at=timezone.now())
print(json.dumps({"org": Organization.objects.get(name=%(org)r).pk, "token": secret}))
"""

# counted straight in the database, in SQL that SQLite and PostgreSQL both read
OURS_COUNT = {
    "created": "SELECT count(*) FROM cases_case WHERE subject = %s",
    "complete": (
        "SELECT count(*) FROM cases_case c"
        " JOIN licensing_supportid s ON s.id = c.support_id_id"
        " JOIN licensing_product p ON p.id = c.product_id"
        " JOIN licensing_productversion v ON v.id = c.product_version_id"
        " WHERE c.subject = %s AND s.code = 'SID-DEM0-0000-0001' AND p.code = 'VBR'"
        " AND v.version = '13' AND c.program = 'premium' AND c.clock = '24x7'"
        " AND c.target_minutes IS NOT NULL AND c.first_response_due_at IS NOT NULL"
        " AND c.policy_sha256 <> ''"
    ),
    "audited": (
        "SELECT count(*) FROM audit_auditevent WHERE action = 'case.open' AND target_id IN"
        " (SELECT CAST(id AS TEXT) FROM cases_case WHERE subject = %s)"
    ),
}
PEER_COUNT = {
    "created": "SELECT count(*) FROM helpdesk_ticket WHERE title = %s",
    "audited": (
        "SELECT count(*) FROM helpdesk_followup WHERE ticket_id IN"
        " (SELECT id FROM helpdesk_ticket WHERE title = %s)"
    ),
}


def count(queries: dict[str, str], sqlite_file: Path | None, pg_name: str | None) -> dict[str, int]:
    """Each query's count, with the benchmark's subject as its one parameter."""
    if sqlite_file is not None:
        with closing(sqlite3.connect(sqlite_file)) as conn:
            return {
                key: conn.execute(sql.replace("%s", "?"), (SUBJECT,)).fetchone()[0]
                for key, sql in queries.items()
            }
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=pg_name) as conn:
        return {
            key: conn.execute(sql, (SUBJECT,)).fetchone()[0]  # type: ignore[index]
            for key, sql in queries.items()
        }


@dataclass
class Prepared:
    """A server's database made ready (migrated, its data loaded), and what its requests send."""

    env: dict[str, str]
    body: bytes
    auth: str
    data: Path  # ours: the SUPPORTDESK_HOME; the peer: its project folder
    pg_name: str | None  # its PostgreSQL database, None on SQLite


def ours_prepare(pg_name: str | None, work: Path) -> Prepared:
    home = Path(tempfile.mkdtemp(prefix="home-", dir=work))
    # One bench token opens thousands of cases a minute: lift its API rate limit out of the
    # way (the limiter still runs on every request, as in production).
    env = {**os.environ, "SUPPORTDESK_HOME": str(home), "SUPPORTDESK_API_RATE": "100000000"}
    env.pop("DATABASE_URL", None)
    if pg_name:
        env["DATABASE_URL"] = pg_url(pg_name)
    # migrated and loaded in one process: one start of Django fewer (1.6 s)
    shell = [str(SUPPORTDESK), "manage", "shell", "-v0", "-c"]
    setup = last_json(
        run([*shell, OURS_SETUP % {"opener": OPENER, "org": ORGANIZATION}], env, "setup")
    )
    body = json.dumps({**CASE_BODY, "organization": setup["org"]}).encode()
    auth = f"Bearer {setup['token']}"
    return Prepared(env=env, body=body, auth=auth, data=home, pg_name=pg_name)


def ours(prepared: Prepared, args: argparse.Namespace, work: Path) -> Outcome:
    env, body, home, pg_name = prepared.env, prepared.body, prepared.data, prepared.pg_name

    def headers() -> dict[str, str]:
        return {
            "Authorization": prepared.auth,
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        }

    port = free_port()
    command = [str(SUPPORTDESK), "serve", "--port", str(port), "--workers", str(WORKERS)]
    command += ["--threads", str(THREADS)]
    outcome = Outcome()
    backends = pg_backends(pg_name) if pg_name else list
    log = work / f"ours-{port}.log"
    with server(command, env, port, log) as pid:
        say(f"  serving on port {port}; {args.clients} clients for {args.duration:g} s ...")
        outcome.load = drive(
            port, "/api/v1/cases", headers, body,
            clients=args.clients, warmup=args.warmup, duration=args.duration,
            cpu=lambda: tree_cpu(pid, backends), split=lambda: worker_split(pid, port),
        )  # fmt: skip
    if not outcome.load.completed:
        say(f"  no answer in the timed window; the server's log ends: {tail(log, 20)}")
    counts = count(
        OURS_COUNT,
        None if pg_name else home / "supportdesk.sqlite3",
        pg_name,
    )
    outcome.created = counts["created"]
    outcome.complete = counts["complete"]
    outcome.audited = counts["audited"]
    return outcome


# --- the peer: django-helpdesk 2.6 -------------------------------------------------------------

PEER_SETTINGS = """
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "benchmark-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
SITE_ID = 1
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize",
    "rest_framework", "rest_framework.authtoken", "model_utils", "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "benchpeer.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
HELPDESK_API_ENABLED = True
HELPDESK_TEAMS_MODE_ENABLED = False  # else it needs pinax-teams
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
# the same database options as supportdesk's (supportdesk.config.env)
if os.environ.get("PEER_PG"):
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.postgresql", "NAME": os.environ["PEER_PG"],
        "HOST": os.environ["PEER_PG_HOST"], "PORT": os.environ["PEER_PG_PORT"],
        "USER": os.environ["PEER_PG_USER"], "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True,
    }}
else:
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "peer.sqlite3",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                            "PRAGMA busy_timeout=5000;",
        },
    }}
"""

PEER_URLS = """
from django.urls import include, path

urlpatterns = [path("", include("helpdesk.urls"))]
"""

PEER_SETUP = """
import json
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from helpdesk.models import Queue
queue = Queue.objects.create(title="Support", slug="support", allow_public_submission=True)
user = get_user_model().objects.create_user(
    "agent", "agent@example.com", "agent-password", is_staff=True, is_superuser=True)
print(json.dumps({"queue": queue.pk, "token": Token.objects.create(user=user).key}))
"""


# gunicorn's configuration for the peer: ours' worker class (supportdesk.config.workers), with
# its table of connections made in the master before the workers are forked, as ours makes it
PEER_GUNICORN = """\
from supportdesk.config.workers import share_connections

worker_class = "supportdesk.config.workers.BalancedThreadWorker"


def on_starting(server):
    share_connections(16)
"""


def peer_python() -> Path:
    """The peer's virtualenv, made once and kept in the cache folder."""
    venv = PEER_CACHE / "venv"
    python = venv / "bin" / "python"
    stamp = PEER_CACHE / "installed"
    wanted = "\n".join(PEER_REQUIREMENTS)
    if stamp.exists() and stamp.read_text() == wanted and python.exists():
        return python
    say(f"  installing the peer into {PEER_CACHE} (once) ...")
    shutil.rmtree(venv, ignore_errors=True)
    PEER_CACHE.mkdir(parents=True, exist_ok=True)
    base = getattr(sys, "_base_executable", sys.executable)
    uv = ROOT / ".tools" / "uv" / "bin" / "uv"  # the one `make sync` installs
    what = " ".join(PEER_REQUIREMENTS)
    if uv.exists():
        # uv installs in about a second what pip takes nine for (warm caches both)
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_SYSTEM_CERTS": "1"}
        run([str(uv), "venv", "--quiet", "--python", base, str(venv)], env, "uv venv")
        install = [str(uv), "pip", "install", "--quiet", "--python", str(python)]
        run([*install, *PEER_REQUIREMENTS], env, f"uv pip install {what}")
    else:
        run([base, "-m", "venv", str(venv)], dict(os.environ), "python -m venv")
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        run([*pip, *PEER_REQUIREMENTS], dict(os.environ), f"pip install {what}")
    stamp.write_text(wanted)
    return python


def peer_versions(python: Path) -> str:
    code = (
        "import importlib.metadata as m;"
        "print(', '.join(f'{p} {m.version(p)}' for p in "
        "('django-helpdesk', 'Django', 'djangorestframework', 'gunicorn')))"
    )
    return run([str(python), "-c", code], dict(os.environ), "peer versions").strip()


def peer_prepare(python: Path, pg_name: str | None, work: Path) -> Prepared:
    project = Path(tempfile.mkdtemp(prefix="peer-", dir=work))
    (project / "benchpeer").mkdir()
    (project / "benchpeer" / "__init__.py").write_text("")
    (project / "benchpeer" / "settings.py").write_text(textwrap.dedent(PEER_SETTINGS))
    (project / "benchpeer" / "urls.py").write_text(textwrap.dedent(PEER_URLS))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchpeer.settings",
        "PYTHONPATH": str(project),
    }
    if pg_name:
        env |= {
            "PEER_PG": pg_name,
            "PEER_PG_HOST": PG_HOST,
            "PEER_PG_PORT": str(PG_PORT),
            "PEER_PG_USER": PG_USER,
        }
    admin = [str(python), "-m", "django"]
    # migrated, then a queue and a staff user with a token
    run([*admin, "migrate", "-v0"], env, "peer migrate")
    setup = last_json(run([*admin, "shell", "-v0", "-c", PEER_SETUP], env, "peer setup"))
    body = json.dumps(
        {
            "queue": setup["queue"],
            "title": SUBJECT,
            "description": CASE_BODY["description"],
            "submitter_email": CASE_BODY["contact_email"],
            "priority": 2,
        }
    ).encode()
    auth = f"Token {setup['token']}"
    return Prepared(env=env, body=body, auth=auth, data=project, pg_name=pg_name)


def peer(prepared: Prepared, python: Path, args: argparse.Namespace, work: Path) -> Outcome:
    env, body, project, pg_name = prepared.env, prepared.body, prepared.data, prepared.pg_name

    def headers() -> dict[str, str]:
        return {"Authorization": prepared.auth, "Content-Type": "application/json"}

    port = free_port()
    gunicorn = [str(python), "-m", "gunicorn", "benchpeer.wsgi_app:application"]
    (project / "benchpeer" / "wsgi_app.py").write_text(
        "from django.core.wsgi import get_wsgi_application\n\n"
        "application = get_wsgi_application()\n"
    )
    # the worker class ours runs with, from this checkout: connections spread evenly over the
    # two workers (on plain gthread the worker that woke first took all 16 in most runs, and
    # the peer served with one worker of its two; 1/15 in others)
    (project / "benchpeer" / "gunicorn_conf.py").write_text(PEER_GUNICORN)
    paths = [str(ROOT / "src"), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**env, "PYTHONPATH": os.pathsep.join(paths)}
    gunicorn += ["--config", "python:benchpeer.gunicorn_conf", "--chdir", str(project)]
    gunicorn += ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    gunicorn += ["--threads", str(THREADS)]
    outcome = Outcome()
    backends = pg_backends(pg_name) if pg_name else list
    with server(gunicorn, env, port, work / f"peer-{port}.log") as pid:
        say(f"  serving on port {port}; {args.clients} clients for {args.duration:g} s ...")
        outcome.load = drive(
            port, "/api/tickets/", headers, body,
            clients=args.clients, warmup=args.warmup, duration=args.duration,
            cpu=lambda: tree_cpu(pid, backends), split=lambda: worker_split(pid, port),
        )  # fmt: skip
    counts = count(PEER_COUNT, None if pg_name else project / "benchpeer" / "peer.sqlite3", pg_name)
    outcome.created = counts["created"]
    outcome.audited = counts["audited"]
    return outcome


# --- report ------------------------------------------------------------------------------------


def describe(name: str, outcome: Outcome) -> str:
    load = outcome.load
    if load is None:
        return f"  {name}: unavailable ({outcome.error})"
    others = {k: v for k, v in sorted(load.statuses.items()) if k != 201}
    line = (
        f"  {name}: {load.per_s:,.1f}/s ({load.timed_ok} in {load.seconds:g} s), "
        f"p50 {load.percentile(50):.1f} ms, p99 {load.percentile(99):.1f} ms; "
        f"201s in all {load.statuses[201]}; CPU per answer: server {load.server_cpu_ms:.1f} ms"
    )
    if load.database_cpu:
        line += f" (of it PostgreSQL's {load.database_cpu_ms:.1f} ms)"
    line += f", client {load.client_cpu_ms:.1f} ms"
    if load.client_means:  # an uneven share of the server between connections shows here
        line += (
            f"; clients' mean latency {min(load.client_means) * 1000:.1f} to "
            f"{max(load.client_means) * 1000:.1f} ms"
        )
    if others:
        line += f", other answers {others}"
    if load.errors:
        line += f", connection errors {dict(load.errors)}"
    if load.split:
        line += f"; connections per worker {'/'.join(map(str, load.split))}"
        if load.split[-1] > UNEVEN * load.split[0]:
            line += (
                "\n    (uneven: its workers held very different numbers of connections, so it"
                " was not measured with its two workers at work; its rate is not its usual one)"
            )
    return line


def speed_ms() -> float:
    """CPU milliseconds of a fixed Python loop, the best of three: how fast the machine's
    cores run now. Shared virtual machines slow down and speed up with their neighbours,
    and every rate and latency here moves with it (on one such machine the same loop's time
    varied by up to 1.9x within an hour, with nothing else of its own running)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for i in range(3_000_000):
            total += i * i
        best = min(best, time.process_time() - started)
    return best * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (under a minute)")
    parser.add_argument("--duration", type=float, help="timed seconds per run")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--no-peer", action="store_true", help="measure ours only")
    parser.add_argument(
        "--database", choices=("sqlite", "pg", "both"), default="both", help="which to run on"
    )
    args = parser.parse_args()
    if args.duration is None:
        args.duration = 4.0 if args.quick else 30.0
    args.warmup = 2.0 if args.quick else 3.0

    say(
        f"open_cases: {args.clients} clients, {args.warmup:g} s warm-up + {args.duration:g} s "
        f"timed per run; both servers {WORKERS} gunicorn workers x {THREADS} threads; "
        f"{os.cpu_count()} cores"
    )
    python: Path | None = None
    peer_error = "not run (--no-peer)" if args.no_peer else ""
    if not args.no_peer:
        say("peer: django-helpdesk 2.6 ...")
        try:
            python = peer_python()
            say(f"  {peer_versions(python)}")
        except (RuntimeError, OSError) as exc:
            peer_error = f"cannot set up the peer: {exc}"
            say(f"  {peer_error}; measuring ours only")

    speeds = [speed_ms()]
    databases = ("sqlite", "pg") if args.database == "both" else (args.database,)
    results: dict[tuple[str, str], Outcome] = {}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmp, ExitStack() as databases_made:
        work = Path(tmp)
        # every server's database first, two at a time (one per core), before any timed run:
        # nothing else runs while one is timed
        jobs: dict[tuple[str, str], Callable[[], Prepared]] = {}
        whos = ("ours", "peer") if python is not None else ("ours",)
        for db in databases:
            pg_names: dict[str, str] = {}  # who -> its PostgreSQL database (none on SQLite)
            if python is None:
                results["peer", db] = Outcome(error=peer_error)
            if db == "pg":
                try:
                    for who in whos:
                        pg_names[who] = name = f"bench_cases_{os.getpid()}_{who}"
                        databases_made.enter_context(pg_database(name))
                except psycopg.Error as exc:
                    for who in whos:
                        results[who, db] = Outcome(error=f"cannot make its database: {exc}")
                    continue
            jobs["ours", db] = functools.partial(ours_prepare, pg_names.get("ours"), work)
            if python is not None:
                peer_name = pg_names.get("peer")
                jobs["peer", db] = functools.partial(peer_prepare, python, peer_name, work)
        servers = f"{len(jobs)} server{'' if len(jobs) == 1 else 's'}"
        say(f"migrate and load the data of {servers}, two at a time ...")
        prepared: dict[tuple[str, str], Prepared] = {}
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {key: pool.submit(job) for key, job in jobs.items()}
            for key, future in futures.items():
                try:
                    prepared[key] = future.result()
                except (RuntimeError, OSError, psycopg.Error) as exc:
                    results[key] = Outcome(error=str(exc))
        for db in databases:
            label = "SQLite" if db == "sqlite" else "PostgreSQL"
            for who in whos:
                say(f"{who} on {label} ...")
                if (who, db) not in prepared:  # its preparation failed: results says why
                    say(describe(who, results[who, db]))
                    continue
                try:
                    if who == "ours":
                        results[who, db] = ours(prepared[who, db], args, work)
                    else:
                        assert python is not None
                        results[who, db] = peer(prepared[who, db], python, args, work)
                except (RuntimeError, OSError, psycopg.Error) as exc:
                    results[who, db] = Outcome(error=str(exc))
                say(describe(who, results[who, db]))

    say("")
    say("check (rows in the database against 201 answers, warm-up included):")
    for (who, db), outcome in results.items():
        if outcome.load is None:
            if who == "ours":
                failures.append(f"ours on {db}: {outcome.error}")
            continue
        ok = outcome.load.statuses[201]
        if who == "ours":
            good = outcome.created == outcome.audited == outcome.complete == ok
            say(
                f"  ours {db}: 201s {ok}, cases {outcome.created}, with entitlement and "
                f"first-response clock {outcome.complete}, case.open audit events "
                f"{outcome.audited} -> {'ok' if good else 'MISMATCH'}"
            )
            if not good:
                failures.append(f"ours on {db}: rows differ from 201s")
            if set(outcome.load.statuses) - {201}:
                failures.append(f"ours on {db}: non-201 answers {dict(outcome.load.statuses)}")
        else:
            good = outcome.created == outcome.audited == ok
            say(
                f"  peer {db}: 201s {ok}, tickets {outcome.created}, follow-ups "
                f"{outcome.audited} -> {'ok' if good else 'MISMATCH'}"
            )

    speeds.append(speed_ms())
    say("")
    say("summary:")
    ratios: dict[str, float] = {}
    cpu_ratios: dict[str, float] = {}  # peer's server CPU per answer / ours
    say(
        f"  load average while running: {os.getloadavg()[0]:.1f} (the machine has "
        f"{os.cpu_count()} cores; rates fall and latencies grow when others share them)"
    )
    say(
        f"  machine speed: a fixed Python loop took {speeds[0]:.0f} ms before the runs and "
        f"{speeds[1]:.0f} ms after (lower is faster; compare runs only at like speeds)"
    )
    for db in databases:
        mine, theirs = results["ours", db], results["peer", db]
        if mine.load and theirs.load and theirs.load.per_s:
            ratios[db] = mine.load.per_s / theirs.load.per_s
        ours_text = f"{mine.load.per_s:,.1f}/s" if mine.load else "unavailable"
        peer_text = f"{theirs.load.per_s:,.1f}/s" if theirs.load else "unavailable"
        ratio_text = f"{ratios[db]:.2f}" if db in ratios else "n/a"
        say(f"  {db:>6}: ours {ours_text}, peer {peer_text}, ratio {ratio_text}")
        if mine.load and theirs.load:
            cpu_ratios[db] = theirs.load.server_cpu_ms / mine.load.server_cpu_ms
            say(
                f"          server CPU per answer: ours {mine.load.server_cpu_ms:.1f} ms, peer "
                f"{theirs.load.server_cpu_ms:.1f} ms, ratio {cpu_ratios[db]:.2f}"
            )
    if not ratios and peer_error:
        say(f"  peer unavailable: {peer_error}")
    worse = min(ratios, key=ratios.__getitem__) if ratios else None
    p99s = [o.load.percentile(99) for (w, _), o in results.items() if w == "ours" and o.load]
    p99 = max(p99s) if p99s else float("nan")
    goal = worse is not None and ratios[worse] >= 3 and p99 < 100
    say(f"  goal (ratio >= 3 on both databases, p99 < 100 ms): {'met' if goal else 'not met'}")
    for failure in failures:
        say(f"FAILED: {failure}")

    def rate(who: str, db: str) -> str:
        load = results[who, db].load if (who, db) in results else None
        return f"{load.per_s:.1f}" if load else "nan"

    def cpu_ms(db: str) -> str:
        load = results["ours", db].load if ("ours", db) in results else None
        return f"{load.server_cpu_ms:.1f}" if load else "nan"

    peer_rate = rate("peer", worse) if worse else "nan"
    ratio = f"{ratios[worse]:.2f}" if worse else "nan"
    cpu_ratio = f"{min(cpu_ratios.values()):.2f}" if cpu_ratios else "nan"
    say(
        f"RESULT ours_sqlite_per_s={rate('ours', 'sqlite')} ours_pg_per_s={rate('ours', 'pg')} "
        f"peer_per_s={peer_rate} ratio={ratio} p99_ms={p99:.1f} "
        f"ours_cpu_ms_sqlite={cpu_ms('sqlite')} ours_cpu_ms_pg={cpu_ms('pg')} "
        f"cpu_ratio={cpu_ratio} loop_ms={max(speeds):.0f}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
