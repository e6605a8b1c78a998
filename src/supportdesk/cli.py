"""The `supportdesk` command.

    supportdesk serve    run the web server (gunicorn) in the foreground
    supportdesk worker   run the background-task worker in the foreground
    supportdesk demo     load demo data and serve it
    supportdesk manage   Django's management commands
    supportdesk sla      the policy core on the command line (no Django)

Django is imported only by the subcommands that need it, so `supportdesk sla` and argument
errors stay fast. Bad input prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

PROG = "supportdesk"
SETTINGS_MODULE = "supportdesk.config.settings"


class CliError(Exception):
    """A problem to report in one line, with an exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0 to 65535, not {port}")
    return port


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 < number < 3600:
        raise argparse.ArgumentTypeError(f"must be more than 0 and less than 3600, not {value}")
    return number


def _add_address(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument(
        "--port", type=_port, default=8000, help="port to listen on, 0 for any free (%(default)s)"
    )


def build_parser() -> argparse.ArgumentParser:
    from importlib.metadata import version

    parser = _Parser(prog=PROG, description="supportdesk: a customer-support case system.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version(PROG)}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web server in the foreground")
    _add_address(serve)
    serve.add_argument("--workers", type=_positive, help="worker processes (default: cores)")
    serve.add_argument("--threads", type=_positive, help="threads per worker (default: 2)")

    worker = commands.add_parser("worker", help="run the background-task worker")
    worker.add_argument(
        "--queues", default="default", help="queues to work, comma-separated, '*' for all"
    )
    worker.add_argument(
        "--interval", type=_seconds, default=1.0, help="seconds between polls when idle (1)"
    )

    demo = commands.add_parser("demo", help="load demo data and serve it")
    _add_address(demo)

    # Both hand the rest of the line to another parser: dispatched in main() before this one.
    commands.add_parser("manage", help="Django's management commands: supportdesk manage help")
    commands.add_parser("sla", help="SLA answers from the policy core: supportdesk sla --help")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] == ["sla"]:
            return _sla(args[1:])
        if args[:1] == ["manage"]:
            return _manage(args[1:])
        options = build_parser().parse_args(args)
        if options.command == "serve":
            return _serve(options)
        if options.command == "worker":
            return _worker(options)
        return _demo(options)
    except CliError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130


def _sla(argv: list[str]) -> int:
    # The policy core has no Django in it, so neither has this path.
    from supportdesk.policy.cli import main as sla_main

    return sla_main(argv)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise CliError(str(exc).splitlines()[0], status=2) from None
    _check_policy()


def _check_policy() -> None:
    """Refuse to start on a broken policy file, naming the file, the key and the problem."""
    from supportdesk.policy import PolicyError, get_policy

    try:
        get_policy()
    except PolicyError as exc:
        raise CliError(f"policy file {exc}", status=2) from None


def _manage(argv: list[str]) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"{PROG} manage", *argv])
    return 0


def _prepare_database(*, migrate: bool) -> None:
    """Apply migrations when asked or when the database is the embedded SQLite file;
    on a database server, refuse to run on an unmigrated schema instead."""
    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except OperationalError as exc:
        raise CliError(f"cannot use the database: {exc}".splitlines()[0]) from None
    if pending:
        if not (migrate or connection.vendor == "sqlite"):
            raise CliError(
                f"the database lacks {len(pending)} migrations: run '{PROG} manage migrate'"
            )
        call_command("migrate", interactive=False, verbosity=1)
    # Nothing may hold a connection across gunicorn's fork.
    connections.close_all()


def _collect_static() -> None:
    """Collect static files into the data folder, unless they are there already.

    Collecting (with compression) takes seconds; listing the sources takes milliseconds.
    """
    import hashlib
    from pathlib import Path

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    sources = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = Path(storage.path(path)).stat()
            sources.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    stamp = Path(settings.STATIC_ROOT) / ".collected"
    if stamp.exists() and stamp.read_text() == sources.hexdigest():
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(sources.hexdigest())


def _start_server(
    host: str, port: int, workers: int | None, threads: int | None, banner: str
) -> int:
    from supportdesk.config import server

    options = server.ServerOptions(
        host=host,
        port=port,
        workers=workers or server.default_workers(),
        threads=threads or server.DEFAULT_THREADS,
    )

    def on_ready(url: str) -> None:
        print(banner.format(url=url), flush=True)

    try:
        server.run(options, on_ready)
    except RuntimeError as exc:  # gunicorn's word for "cannot start"
        raise CliError(str(exc)) from None
    return 0


def _serve(options: argparse.Namespace) -> int:
    _setup_django()
    _prepare_database(migrate=False)
    _collect_static()
    return _start_server(
        options.host,
        options.port,
        options.workers,
        options.threads,
        banner="supportdesk is listening on {url}/ (stop with Ctrl-C or SIGTERM)",
    )


def _worker(options: argparse.Namespace) -> int:
    _setup_django()
    _prepare_database(migrate=False)
    from django.core.management import call_command

    from supportdesk.notifications.tasks import sweep_schedule
    from supportdesk.reports.tasks import rollup_schedule

    # the periodic catch-up of mail and first-response alerts: one chain of sweeps
    sweep_schedule()
    rollup_schedule()  # and the reports' roll-ups, one chain of hourly refreshes
    print(f"supportdesk worker: running tasks from queues {options.queues}", flush=True)
    # db_worker stops cleanly on SIGTERM/SIGINT: it finishes the task in hand, then exits 0.
    call_command("db_worker", queue_name=options.queues, interval=options.interval, reload=False)
    return 0


def _demo(options: argparse.Namespace) -> int:
    # The demo never sends real mail: messages are printed instead.
    os.environ["SUPPORTDESK_SMTP_URL"] = "console:"
    _setup_django()
    _prepare_database(migrate=True)
    from django.urls import reverse

    from supportdesk.demo import DEMO_LOGINS, load_demo_data
    from supportdesk.demo_customers import DEMO_PASSWORD, PEOPLE

    load_demo_data(sys.stdout)
    _collect_static()
    logins = ", ".join(f"{login.username} / {login.password}" for login in DEMO_LOGINS)
    admins = ", ".join(person.username for person in PEOPLE if person.role == "license_admin")
    staff = ", ".join(
        [f"{x.username} / {x.password}" for x in DEMO_LOGINS if not x.is_superuser]
        + [f"{p.username} / {DEMO_PASSWORD}" for p in PEOPLE if p.organization is None]
    )
    banner = "\n".join(
        [
            "supportdesk demo is listening on {url}/",
            f"  When will we answer?  {{url}}{reverse('portal:when')}",
            f"  Admin                 {{url}}{reverse('admin:index')}   logins: {logins}",
            f"  Customer portal       {{url}}{reverse('portal:home')}   logins: "
            f"{', '.join(person.username for person in PEOPLE)} / {DEMO_PASSWORD}",
            f"    cases, open a case  {{url}}{reverse('portal:cases')}, "
            f"{{url}}{reverse('portal:case_new')}",
            f"    licenses            {{url}}{reverse('portal:licenses')}",
            f"    people              {{url}}{reverse('portal:people')}   "
            f"(license administrators: {admins})",
            f"  Engineer console      {{url}}{reverse('console:mine')}   logins: {staff}",
            f"  API docs              {{url}}{reverse('api-v1:openapi-view')}",
            "Stop with Ctrl-C.",
        ]
    )
    return _start_server(options.host, options.port, None, None, banner)
