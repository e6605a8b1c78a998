"""The permission matrix of the reports API (R-34: management sees the results).

Reports aggregate every organization's cases, so no customer or partner may read any of them,
whatever their role or delegation (403, the same message, nothing about the cases); every
vendor staff member reads the SLA, backlog and flow reports; anonymous callers get 401.
Reading never writes: the database is the same after every cell.

Roles are those of tests/api/test_permission_matrix.py, plus the staff roles:
  engineer (the matrix's "staff"), pdm, manager (support manager), superuser.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from supportdesk.accounts.choices import StaffRole
from supportdesk.reports.permissions import REPORTS, SATISFACTION
from tests.accounts.factories import ApiTokenFactory, PdmFactory, StaffFactory
from tests.api import test_permission_matrix as matrix
from tests.api.calls import call, error
from tests.api.test_permission_matrix import ROLES, World, _token, snapshot

# the matrix's world: two organizations with a case each, and a token per role
shared_world = matrix.shared_world
world = matrix.world

pytestmark = pytest.mark.django_db

PERIOD = "since=2026-06-01&until=2026-06-01&tz=UTC"  # the day the world's two cases opened
REPORTS_URLS = (
    f"/reports/sla?{PERIOD}",
    f"/reports/sla?{PERIOD}&by=region",
    f"/reports/sla/distribution?{PERIOD}",
    f"/reports/sla/breaches?{PERIOD}",
    f"/reports/backlog?{PERIOD}",
    f"/reports/flow?{PERIOD}",
    f"/reports/sla?{PERIOD}&by=queue",
    f"/reports/contact-closures?{PERIOD}",
    f"/reports/resolutions?{PERIOD}",
    f"/reports/escalations?{PERIOD}",
    f"/reports/language-routing?{PERIOD}",
)
STAFF_ROLES = ("engineer", "pdm", "manager", "superuser")
CUSTOMER_ROLES = tuple(r for r in ROLES if r not in ("anonymous", "staff"))


def _staff_token(world: World, role: str) -> str:
    if role == "engineer":
        return _token("staff")  # type: ignore[return-value]
    user = {
        "pdm": lambda: PdmFactory.create(),
        "manager": lambda: StaffFactory.create(staff_role=StaffRole.SUPPORT_MANAGER),
        "superuser": lambda: StaffFactory.create(is_superuser=True, staff_role=""),
    }[role]()
    secret = f"sdt_matrix-{role}"
    ApiTokenFactory.create(user=user, secret=secret)
    return secret


@pytest.mark.parametrize("url", REPORTS_URLS)
@pytest.mark.parametrize("role", CUSTOMER_ROLES)
def test_customers_and_partners_never_read_reports(
    client: Client, world: World, role: str, url: str
) -> None:
    before = snapshot()
    status, body = call(client, "GET", url, token=_token(role))
    assert (status, body) == (403, error(REPORTS))
    assert snapshot() == before


@pytest.mark.parametrize("url", REPORTS_URLS)
def test_anonymous_callers_sign_in_first(client: Client, world: World, url: str) -> None:
    status, _ = call(client, "GET", url)
    assert status == 401


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_read_every_report_over_every_organization(
    client: Client, world: World, role: str
) -> None:
    token = _staff_token(world, role)
    before = snapshot()
    answers: dict[str, Any] = {}
    for url in REPORTS_URLS:
        status, body = call(client, "GET", url, token=token)
        assert status == 200, (url, body)
        answers[url] = body
    assert snapshot() == before
    sla = answers[REPORTS_URLS[0]]
    assert [(r["key"], r["total"]) for r in sla["rows"]] == [("production", 2)]  # own + other
    flow = answers[REPORTS_URLS[5]]
    assert (flow["arrivals"], flow["days"]) == (
        2,
        [{"day": "2026-06-01", "arrivals": 2, "closures": 0}],
    )


# --- satisfaction: support managers and superusers only ---------------------------

SATISFACTION_URL = f"/reports/satisfaction?{PERIOD}"


@pytest.mark.parametrize("role", CUSTOMER_ROLES)
def test_customers_never_read_satisfaction(client: Client, world: World, role: str) -> None:
    before = snapshot()
    status, body = call(client, "GET", SATISFACTION_URL, token=_token(role))
    assert (status, body) == (403, error(REPORTS))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("engineer", False), ("pdm", False), ("manager", True), ("superuser", True)],
)
def test_satisfaction_is_for_managers(
    client: Client, world: World, role: str, allowed: bool
) -> None:
    token = _staff_token(world, role)
    before = snapshot()
    status, body = call(client, "GET", SATISFACTION_URL, token=token)
    if not allowed:
        assert (status, body) == (403, error(SATISFACTION))
    elif apps.is_installed("supportdesk.surveys"):
        assert (status, body["all"]["sent"]) == (200, 0)
    else:
        assert (status, body) == (
            404,
            error("Satisfaction surveys are not part of this installation yet (R-34)."),
        )
    assert snapshot() == before
    assert call(client, "GET", SATISFACTION_URL)[0] == 401
