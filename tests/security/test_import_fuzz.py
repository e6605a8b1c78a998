"""The license CSV import under generated input: any file either imports every row or fails
with row errors and writes nothing; never an unexpected exception. (The policy-file loader
has its own generated-input tests in tests/policy/test_loader.py.)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from supportdesk.audit.models import AuditEvent
from supportdesk.licensing.imports import ImportFailed, licenses_import
from supportdesk.licensing.models import License, SupportId
from tests.accounts.factories import OrganizationFactory
from tests.licensing.factories import ProductFactory

AT = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
COLUMNS = [
    "organization",
    "product",
    "license_type",
    "valid_from",
    "valid_until",
    "maintenance_from",
    "maintenance_until",
    "lines",
    "support_id",
]
# plausible values, wrong values and hostile ones for each column
CELL = st.one_of(
    st.sampled_from(
        [
            "Acme",
            "acme",
            "Nobody Ltd",
            "VBR",
            "perpetual",
            "trial",
            "nfr",
            "subscription",
            "2025-01-01",
            "2026-13-45",
            "9999-12-31",
            "0001-01-01",
            "6 prod production; 4 prod basic",
            "-1 prod production",
            "99999999999999999999 prod basic",
            "sid-7k3m-q9px-2wz4",
            '=HYPERLINK("http://x")',
            '"quoted, with comma"',
            "\u202eevil",
            "",
        ]
    ),
    st.text(max_size=30),
)


@st.composite
def csv_files(draw: st.DrawFn) -> list[str]:
    header = draw(st.one_of(st.just(COLUMNS), st.permutations(COLUMNS), st.lists(st.text())))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=11), max_size=6))
    quote = lambda cell: '"' + cell.replace('"', '""') + '"'  # noqa: E731
    return [",".join(header) + "\n"] + [",".join(map(quote, row)) + "\n" for row in rows]


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(lines=[",".join(COLUMNS) + "\n", "Acme,VBR,perpetual,2025-01-01,,,,,\n"])
@example(lines=[",".join(COLUMNS) + "\n", "Acme\x00,VBR,perpetual,,,,,,\n"])  # NUL: PostgreSQL
@given(lines=csv_files())
def test_any_file_imports_fully_or_fails_with_row_errors_and_writes_nothing(
    lines: list[str],
) -> None:
    if not OrganizationFactory._meta.model.objects.filter(name="Acme").exists():
        OrganizationFactory.create(name="Acme")
        ProductFactory.create(code="VBR", name="Backup & Replication")
    before = (License.objects.count(), SupportId.objects.count(), AuditEvent.objects.count())

    failure: ImportFailed | None = None
    try:
        imported = licenses_import(actor=None, lines=lines, at=AT)
    except ImportFailed as error:
        failure = error

    if failure is not None:
        assert failure.errors  # says what was wrong, by row
        after = (License.objects.count(), SupportId.objects.count(), AuditEvent.objects.count())
        assert after == before
    else:
        assert License.objects.count() == before[0] + len(imported)
