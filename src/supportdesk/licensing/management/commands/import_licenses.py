"""supportdesk manage import_licenses FILE: bulk import of licenses from CSV.

The columns are described in supportdesk.licensing.imports and docs/ops/import-licenses.md.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any, TextIO

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.licensing.imports import COLUMNS, ImportFailed, licenses_import


class ProgressBar:
    """``importing [#########.........] 120/400`` on one line of standard error, redrawn when
    it changes by a step (cheap on long files)."""

    def __init__(self, write: Callable[[str], object], width: int = 30) -> None:
        self.write = write
        self.width = width
        self._drawn: tuple[int, int] | None = None

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // total if total else self.width
        step = (filled, done if total <= 200 else 100 * done // total)
        if step == self._drawn and done != total:
            return
        self._drawn = step
        bar = "#" * filled + "." * (self.width - filled)
        self.write(f"\rimporting [{bar}] {done}/{total}" + ("\n" if done == total else ""))


class Command(BaseCommand):
    help = (
        "Import licenses from a CSV file with the columns "
        f"{', '.join(COLUMNS)} (see docs/ops/import-licenses.md). Every bad row is listed; "
        "when any row is bad nothing is imported."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="the CSV file, or - for standard input")
        parser.add_argument(
            "--as",
            dest="username",
            help="the staff user recorded in the audit trail (default: the system)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row, import nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {options['username']!r}")
        try:
            if options["file"] == "-":
                imported = self._import(sys.stdin, actor, options)
            else:
                with open(options["file"], encoding="utf-8-sig", newline="") as stream:
                    imported = self._import(stream, actor, options)
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{options['file']} is not UTF-8 text") from None
        except PermissionDenied as exc:
            raise CommandError(f"{options['username']}: {exc}") from None
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc)) from None
        for done in imported:
            self.stdout.write(
                f"row {done.row}: {done.license.organization}, {done.license.product}: "
                f"{done.support_id}"
            )
        verb = "would import" if options["dry_run"] else "imported"
        self.stdout.write(f"{verb} {len(imported)} licenses")

    def _progress(self, text: str) -> None:
        self.stderr.write(text, ending="")
        self.stderr.flush()

    def _import(self, stream: TextIO, actor: User | None, options: dict[str, Any]) -> Any:
        return licenses_import(
            actor=actor,
            lines=stream,
            at=timezone.now(),
            progress=ProgressBar(self._progress),
            dry_run=options["dry_run"],
        )
