"""supportdesk manage import_licenses FILE: good files, every bad row listed, all or nothing."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from supportdesk.audit.models import AuditEvent
from supportdesk.licensing.imports import ImportFailed, RowError, licenses_import
from supportdesk.licensing.models import License, SupportId
from supportdesk.licensing.selectors import entitlement_for
from tests.accounts.factories import OrganizationFactory, StaffFactory, member
from tests.licensing.factories import ProductFactory, SupportIdFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "organization,product,license_type,valid_from,valid_until,maintenance_from,"
    "maintenance_until,lines,support_id\n"
)


@pytest.fixture(autouse=True)
def catalog() -> None:
    OrganizationFactory.create(name="Acme")
    OrganizationFactory.create(name="Brauerei Huber")
    ProductFactory.create(code="VBR", name="Backup & Replication")
    ProductFactory.create(code="VONE", name="ONE")


def _run(tmp_path: Path, text: str, *args: str) -> tuple[str, str]:
    path = tmp_path / "licenses.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_licenses", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fail(tmp_path: Path, text: str, *args: str) -> tuple[str, list[str]]:
    path = tmp_path / "licenses.csv"
    path.write_text(text, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_licenses", str(path), *args, stdout=io.StringIO(), stderr=err)
    lines = [line for line in err.getvalue().split("\n") if line and "importing [" not in line]
    return str(error.value), lines


GOOD = HEADER + (
    "Acme,VBR,perpetual,2025-01-01,,2025-01-01,2026-12-31,6 prod production; 4 prod basic,\n"
    "acme,vone,trial,2026-06-01,2026-06-30,,,,\n"
    '"Brauerei Huber",VBR,nfr,,,,,,sid-7k3m-q9px-2wz4\n'
)


def test_a_good_file_imports_every_row(tmp_path: Path) -> None:
    staff = StaffFactory.create(username="sam")

    out, err = _run(tmp_path, GOOD, "--as", "sam")

    licenses = list(License.objects.order_by("pk"))
    assert [(lic.organization.name, lic.product.code, lic.license_type) for lic in licenses] == [
        ("Acme", "VBR", "perpetual"),
        ("Acme", "VONE", "trial"),
        ("Brauerei Huber", "VBR", "nfr"),
    ]
    mixed = licenses[0]
    assert (mixed.valid_from, mixed.maintenance_until) == (date(2025, 1, 1), date(2026, 12, 31))
    assert [(line.count, line.production, line.level) for line in mixed.lines.all()] == [
        (6, True, "production"),
        (4, True, "basic"),
    ]
    codes = [lic.support_ids.get().code for lic in licenses]
    assert codes[2] == "SID-7K3M-Q9PX-2WZ4"
    assert out.splitlines() == [
        f"row 2: Acme, Backup & Replication: {codes[0]}",
        f"row 3: Acme, ONE: {codes[1]}",
        "row 4: Brauerei Huber, Backup & Replication: SID-7K3M-Q9PX-2WZ4",
        "imported 3 licenses",
    ]
    assert err.endswith(f"\rimporting [{'#' * 30}] 3/3\n")
    assert err.startswith(f"\rimporting [{'#' * 10}{'.' * 20}] 1/3")
    assert [(e.actor, e.action) for e in AuditEvent.objects.all()] == [
        (staff, "license.create")
    ] * 3


def test_imported_licenses_are_entitled(tmp_path: Path) -> None:
    _run(tmp_path, GOOD)

    code = License.objects.get(license_type="perpetual").support_ids.get().code
    answer = entitlement_for(support_id=code, at=datetime(2026, 6, 15, 12, tzinfo=UTC))

    assert answer.entitlement.program == "basic"  # 4 of the 10 production sockets at Basic


BAD = HEADER + (
    "Acme,VBR,perpetual,2025-01-01,,2025-01-01,2026-12-31,10 prod production,\n"  # 2: good
    "Nobody Inc,XYZ,gold,2025-13-01,,,,,\n"  # 3: four problems
    "Acme,VONE,subscription,2026-01-01,2025-01-01,,,,\n"  # 4: ends before it starts
    ",,,,,,,,\n"  # 5: nothing
    "Acme,VBR,perpetual,,,,,6 prod gold; x,SID-1\n"  # 6: lines and support id
    "Acme,VBR,perpetual,,,,,,SID-TAKE-NTAK-EN00\n"  # 7: support id in use
    "Acme,VBR,perpetual,,,,,,SID-AAAA-AAAA-AAAA\n"  # 8: good
    "Acme,VBR,perpetual,,,,,,sid-aaaa-aaaa-aaaa\n"  # 9: same as row 8
)


def test_every_bad_row_is_listed_and_nothing_is_imported(tmp_path: Path) -> None:
    SupportIdFactory.create(code="SID-TAKE-NTAK-EN00")
    before = (License.objects.count(), SupportId.objects.count(), AuditEvent.objects.count())

    message, errors = _fail(tmp_path, BAD)

    assert message == "6 of 8 rows have errors; nothing was imported"
    assert errors == [
        "row 3, organization: no organization named 'Nobody Inc'",
        "row 3, product: no product with the code 'XYZ'",
        "row 3, license_type: 'gold' is not one of perpetual, subscription, trial, free, "
        "community, nfr",
        "row 3, valid_from: '2025-13-01' is not a date (write YYYY-MM-DD)",
        "row 4, valid_until: The license ends on or after the day it starts.",
        "row 5, organization: required",
        "row 5, product: required",
        "row 5, license_type: required",
        "row 6, lines: line 1 '6 prod gold': the level must be basic, production, premium",
        "row 6, support_id: 'SID-1' is not a Support ID (SID-XXXX-XXXX-XXXX)",
        "row 7, support_id: SID-TAKE-NTAK-EN00 is already in use.",
        "row 9, support_id: SID-AAAA-AAAA-AAAA is also on row 8",
    ]
    assert (
        License.objects.count(),
        SupportId.objects.count(),
        AuditEvent.objects.count(),
    ) == before


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("", ["row 1: the file is empty: the first row names the columns (organization, "
              "product, license_type, valid_from, valid_until, maintenance_from, "
              "maintenance_until, lines, support_id)"]),
        (
            "organization,product,seats\nAcme,VBR,3\n",
            [
                "row 1: missing column(s): license_type",
                "row 1: unknown column(s): seats (known: organization, product, license_type, "
                "valid_from, valid_until, maintenance_from, maintenance_until, lines, support_id)",
            ],
        ),
        (
            "organization,product,license_type,product\n",
            ["row 1: column(s) named twice: product"],
        ),
        (
            "organization,product,license_type\nAcme,VBR,perpetual,extra\n",
            ["row 2: more values than columns: ['extra']"],
        ),
    ],
)  # fmt: skip
def test_the_header_and_the_shape_of_rows(tmp_path: Path, text: str, errors: list[str]) -> None:
    assert _fail(tmp_path, text)[1] == errors
    assert License.objects.count() == 0


def test_only_staff_import(tmp_path: Path) -> None:
    member(OrganizationFactory.create(), "license_admin", username="ana")

    message, errors = _fail(tmp_path, HEADER + "Acme,VBR,trial,,,,,,\n", "--as", "ana")

    assert message == "ana: Only support staff issue and change licenses and Support IDs."
    assert (errors, License.objects.count()) == ([], 0)


def test_an_unknown_user_or_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no active user 'ghost'"):
        call_command("import_licenses", "x.csv", "--as", "ghost", stderr=io.StringIO())
    with pytest.raises(
        CommandError, match=r"cannot read .*missing\.csv: No such file or directory"
    ):
        call_command("import_licenses", str(tmp_path / "missing.csv"), stderr=io.StringIO())


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "Café,VBR,trial,,,,,,\n").encode("latin-1"))

    with pytest.raises(CommandError, match="is not UTF-8 text"):
        call_command("import_licenses", str(path), stderr=io.StringIO())


def test_a_spreadsheets_byte_order_mark_is_fine(tmp_path: Path) -> None:
    out, _ = _run(tmp_path, "\ufeff" + HEADER + "Acme,VBR,trial,,,,,,\n")

    assert out.splitlines()[-1] == "imported 1 licenses"


def test_a_dry_run_checks_and_imports_nothing(tmp_path: Path) -> None:
    out, _ = _run(tmp_path, GOOD, "--dry-run")

    assert out.splitlines()[-1] == "would import 3 licenses"
    assert (License.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_row_errors_read_well() -> None:
    assert str(RowError(3, "lines", "bad")) == "row 3, lines: bad"
    assert str(RowError(1, None, "empty")) == "row 1: empty"


def test_a_file_that_is_not_csv_names_the_line() -> None:
    with pytest.raises(ImportFailed) as failure:
        licenses_import(
            actor=None,
            lines=[HEADER, "Acme,VBR\r,perpetual\n"],
            at=datetime(2026, 6, 15, tzinfo=UTC),
        )

    assert [str(error) for error in failure.value.errors] == [
        "row 2: not CSV: new-line character seen in unquoted field - do you need to open the "
        "file in universal-newline mode?"
    ]
    assert not License.objects.exists()


def test_a_nul_character_is_a_row_error_not_a_database_error() -> None:
    with pytest.raises(ImportFailed) as failure:
        licenses_import(
            actor=None,
            lines=[HEADER, "Acme\x00,VBR,perpetual,,,,,,\n"],
            at=datetime(2026, 6, 15, tzinfo=UTC),
        )

    assert [str(error) for error in failure.value.errors] == [
        "row 2, organization: contains a NUL character"
    ]
    assert not License.objects.exists()
