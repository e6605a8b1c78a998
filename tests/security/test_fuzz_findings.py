"""What the schema fuzzer (test_fuzz.py) found, kept as plain regression tests: each was a
500 or an answer the OpenAPI document did not describe."""

from __future__ import annotations

import pytest
from django.test import Client

from supportdesk.audit.models import AuditEvent
from supportdesk.licensing.models import ProductVersion
from tests.accounts.factories import ApiTokenFactory, StaffFactory
from tests.api.calls import call, error
from tests.cases.factories import CaseFactory
from tests.licensing.factories import ProductVersionFactory, SupportIdFactory

pytestmark = pytest.mark.django_db

STAFF = "sdt_staff"


@pytest.fixture
def staff() -> None:
    ApiTokenFactory.create(user=StaffFactory.create(is_superuser=True), secret=STAFF)


def test_an_unknown_api_path_answers_the_apis_json_404(client: Client, staff: None) -> None:
    for method in ("GET", "POST", "DELETE"):
        assert call(client, method, "/versions/not-a-number", token=STAFF) == (
            404,
            error("Not found."),
        )
    assert call(client, "GET", "/no/such/thing")[0] == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [("page=666142378584641&page_size=50", "page"), ("page=1&page_size=2550188", "page_size")],
)
def test_page_numbers_and_sizes_are_bounded(
    client: Client, staff: None, query: str, field: str
) -> None:
    status, body = call(client, "GET", f"/organizations?{query}", token=STAFF)

    assert status == 422
    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize("at", ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z"])
def test_times_outside_the_calendar_are_422_naming_the_field(
    client: Client, staff: None, at: str
) -> None:
    support_id = SupportIdFactory.create()

    status, body = call(client, "GET", f"/entitlements/{support_id.code}?at={at}", token=STAFF)
    policy_status, policy_body = call(
        client,
        "GET",
        f"/policy/first-response?program=production&severity=1&timezone=UTC&country=GB"
        f"&opened_at={at}",
    )

    assert (status, [e["field"] for e in body["errors"]]) == (422, ["at"])
    assert (policy_status, [e["field"] for e in policy_body["errors"]]) == (422, ["opened_at"])


def test_deleting_a_version_that_cases_refer_to_is_a_conflict(client: Client, staff: None) -> None:
    version = ProductVersionFactory.create()
    CaseFactory.create(product=version.product, product_version=version)

    status, body = call(client, "DELETE", f"/versions/{version.pk}", token=STAFF)

    assert status == 409
    assert body == error(f"{version} cannot be deleted: 1 cases still refer to it.")
    assert ProductVersion.objects.filter(pk=version.pk).exists()
    assert not AuditEvent.objects.exists()


def test_a_delegation_without_a_start_is_422(client: Client, staff: None) -> None:
    from tests.accounts.factories import DelegationFactory

    delegation = DelegationFactory.create()

    status, body = call(
        client, "PATCH", f"/delegations/{delegation.pk}", {"starts_at": None}, token=STAFF
    )

    assert (status, body) == (422, error("Give the time the delegation starts.", "starts_at"))


def test_every_operation_documents_its_error_answers(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        f"{method.upper()} {path}": set(spec["responses"])
        for path, methods in schema["paths"].items()
        for method, spec in methods.items()
    }

    assert operations["GET /api/v1/health"] & {"401", "429"} == set()
    assert {"401", "404", "422", "429"} <= operations["GET /api/v1/cases/{number}"]
    assert {"400", "401", "413", "422", "429"} <= operations["POST /api/v1/cases"]
    assert "401" not in operations["GET /api/v1/policy"]
