"""Bulk import of licenses from CSV: ``supportdesk manage import_licenses FILE``.

The file is UTF-8 (a spreadsheet's byte-order mark is fine), comma-separated, with a header
row naming the columns, in any order:

==================  ========  ==========================================================
column              required  value
==================  ========  ==========================================================
organization        yes       the organization's name, as in supportdesk (any case)
product             yes       the product's code, such as VBR
license_type        yes       perpetual, subscription, trial, free, community or nfr
valid_from          no        YYYY-MM-DD; empty: no start
valid_until         no        YYYY-MM-DD, inclusive; empty: no end
maintenance_from    no        YYYY-MM-DD; empty: no maintenance contract
maintenance_until   no        YYYY-MM-DD, inclusive; empty: no end
lines               no        socket/instance lines, ``6 prod production; 4 prod basic``
                              (COUNT prod|nonprod basic|production|premium; R-7)
support_id          no        SID-XXXX-XXXX-XXXX to keep an existing code; empty: a new one
==================  ========  ==========================================================

Every row is checked and every problem reported with its row number (the file's line
number: the header is row 1). The import is one transaction: when any row is bad, nothing
is imported.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from supportdesk.accounts.models import Organization
from supportdesk.accounts.permissions import Action, Actor, require
from supportdesk.licensing import support_ids
from supportdesk.licensing.choices import LicenseType
from supportdesk.licensing.lines import parse_lines
from supportdesk.licensing.models import License, Product
from supportdesk.licensing.services import license_create
from supportdesk.policy.entitlement import SocketLine

REQUIRED = ("organization", "product", "license_type")
OPTIONAL = (
    "valid_from",
    "valid_until",
    "maintenance_from",
    "maintenance_until",
    "lines",
    "support_id",
)
COLUMNS = REQUIRED + OPTIONAL
DATES = ("valid_from", "valid_until", "maintenance_from", "maintenance_until")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """Some rows are bad; nothing was imported."""

    def __init__(self, errors: list[RowError], rows: int) -> None:
        self.errors = sorted(errors, key=lambda error: error.row)  # a row's in column order
        self.rows = rows
        bad = len({error.row for error in self.errors})
        super().__init__(f"{bad} of {rows} rows have errors; nothing was imported")


@dataclass
class LicenseRow:
    row: int
    organization: Organization | None = None
    product: Product | None = None
    license_type: str = ""
    dates: dict[str, date | None] = field(default_factory=dict)
    lines: tuple[SocketLine, ...] = ()
    support_id: str | None = None


@dataclass(frozen=True)
class Imported:
    row: int
    license: License
    support_id: str


class _Reader:
    """Parses rows, looking organizations and products up once each."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self._orgs: dict[str, Organization | None] = {}
        self._products: dict[str, Product | None] = {}
        self._sids: dict[str, int] = {}

    def fail(self, row: int, column: str | None, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def header(self, names: Sequence[str] | None) -> bool:
        if not names:
            self.fail(1, None, f"the file is empty: the first row names the columns "
                               f"({', '.join(COLUMNS)})")  # fmt: skip
            return False
        cleaned = [name.strip() for name in names]
        missing = [name for name in REQUIRED if name not in cleaned]
        unknown = [name for name in cleaned if name not in COLUMNS]
        twice = sorted({name for name in cleaned if cleaned.count(name) > 1})
        if missing:
            self.fail(1, None, f"missing column(s): {', '.join(missing)}")
        if unknown:
            self.fail(
                1, None, f"unknown column(s): {', '.join(unknown)} (known: {', '.join(COLUMNS)})"
            )
        if twice:
            self.fail(1, None, f"column(s) named twice: {', '.join(twice)}")
        return not (missing or unknown or twice)

    def row(self, number: int, values: dict[str, str]) -> LicenseRow:
        parsed = LicenseRow(row=number)
        value = {key.strip(): (text or "").strip() for key, text in values.items() if key}
        if None in values:
            self.fail(number, None, f"more values than columns: {values[None]!r}")  # type: ignore[index]
        for name in REQUIRED:
            if not value.get(name):
                self.fail(number, name, "required")
        for name, text in value.items():
            if "\x00" in text:  # no database keeps it, and no real value holds one
                self.fail(number, name, "contains a NUL character")
                return parsed
        if value.get("organization"):
            parsed.organization = self._organization(number, value["organization"])
        if value.get("product"):
            parsed.product = self._product(number, value["product"])
        kind = value.get("license_type", "").lower()
        if kind and kind not in LicenseType.values:
            self.fail(
                number, "license_type", f"{kind!r} is not one of {', '.join(LicenseType.values)}"
            )
        parsed.license_type = kind
        for name in DATES:
            parsed.dates[name] = self._date(number, name, value.get(name, ""))
        try:
            parsed.lines = parse_lines(value.get("lines", ""))
        except ValueError as exc:
            self.fail(number, "lines", str(exc))
        if value.get("support_id"):
            parsed.support_id = self._support_id(number, value["support_id"])
        return parsed

    def _organization(self, row: int, name: str) -> Organization | None:
        key = name.casefold()
        if key not in self._orgs:
            self._orgs[key] = Organization.objects.filter(name__iexact=name).first()
        if self._orgs[key] is None:
            self.fail(row, "organization", f"no organization named {name!r}")
        return self._orgs[key]

    def _product(self, row: int, code: str) -> Product | None:
        key = code.upper()
        if key not in self._products:
            self._products[key] = Product.objects.filter(code=key).first()
        if self._products[key] is None:
            self.fail(row, "product", f"no product with the code {code!r}")
        return self._products[key]

    def _date(self, row: int, column: str, text: str) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(row, column, f"{text!r} is not a date (write YYYY-MM-DD)")
            return None

    def _support_id(self, row: int, text: str) -> str | None:
        code = support_ids.normalise(text)
        if code is None:
            self.fail(row, "support_id", f"{text!r} is not a Support ID (SID-XXXX-XXXX-XXXX)")
            return None
        if code in self._sids:
            self.fail(row, "support_id", f"{code} is also on row {self._sids[code]}")
            return None
        self._sids[code] = row
        return code


def licenses_import(
    *,
    actor: Actor,
    lines: Iterable[str],
    at: datetime,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> list[Imported]:
    """Import every license of a CSV file (one service call, so one audit event, per license).

    Raises :class:`ImportFailed` listing every bad row; then nothing is imported. With
    ``dry_run`` every row is checked and created, and everything is rolled back. Only staff
    (or the system, ``actor=None``) import: anyone else gets ``PermissionDenied``."""
    require(actor, Action.LICENSE_CREATE, None, at=at)
    reader = _Reader()
    table = csv.DictReader(lines, skipinitialspace=True)
    try:
        if not reader.header(table.fieldnames):
            raise ImportFailed(reader.errors, rows=0)
        rows = [reader.row(table.line_num, values) for values in table]
    except csv.Error as error:  # not CSV at all (a stray carriage return, say): say where
        line = table.line_num + 1  # the reader counts the lines it finished
        raise ImportFailed(
            [RowError(line, None, f"not CSV: {error}")], rows=max(line - 1, 1)
        ) from None
    imported: list[Imported] = []
    with transaction.atomic():
        for done, row in enumerate(rows, start=1):
            if not any(error.row == row.row for error in reader.errors):
                _create(reader, row, actor=actor, at=at, into=imported)
            if progress is not None:
                progress(done, len(rows))
        if reader.errors:
            transaction.set_rollback(True)
            raise ImportFailed(reader.errors, rows=len(rows))
        if dry_run:
            transaction.set_rollback(True)
    return imported


def _create(
    reader: _Reader, row: LicenseRow, *, actor: Actor, at: datetime, into: list[Imported]
) -> None:
    assert row.organization is not None  # rows with errors are not created
    assert row.product is not None
    try:
        license = license_create(
            actor=actor,
            organization=row.organization,
            product=row.product,
            license_type=row.license_type,
            lines=row.lines,
            support_id=row.support_id,
            at=at,
            **row.dates,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = name.split(".")[0] if name != "__all__" else None
            for message in messages:
                reader.fail(row.row, column if column in COLUMNS else None, message)
        return
    sid = license.support_ids.get()
    into.append(Imported(row=row.row, license=license, support_id=sid.code))
