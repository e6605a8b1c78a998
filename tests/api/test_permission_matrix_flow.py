"""The permission matrix of working a case (R-1, R-3, R-4, R-27 to R-35): every role x the own
organization's case and another organization's x every endpoint of contact attempts,
resolutions and milestones, talk-to-a-manager requests, feature requests, third-party
referrals and diagnostics requests.

The roles, the world and the grid's format are those of ``test_permission_matrix``, with one
more column: ``manager``, a support manager (staff whose staff role is support manager), the
only one who answers a "Talk to a manager" request (R-32); ``staff`` is an engineer. Each
cell asserts the exact status; a refusal (or a read) leaves every table as it was, an allowed
write leaves exactly one more audit event, about the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.test import Client

from supportdesk.accounts.choices import StaffRole
from supportdesk.audit.models import AuditEvent
from supportdesk.cases.models import (
    Case,
    ContactAttempt,
    DiagnosticsRequest,
    FeatureRequest,
    ManagerRequest,
    Milestone,
    Resolution,
    ThirdPartyReferral,
)
from supportdesk.notifications.models import OutboundMail
from tests.accounts.factories import ApiTokenFactory, StaffFactory
from tests.api.calls import call
from tests.api.test_permission_matrix import (
    ROLES,
    TABLES,
    TARGETS,
    World,
    _cell,
    _token,
    shared_world,
    world,
)
from tests.cases.factories import (
    DiagnosticsRequestFactory,
    ManagerRequestFactory,
    MilestoneFactory,
)

__all__ = ["shared_world", "world"]  # the fixtures, shared with the main matrix

pytestmark = pytest.mark.django_db

FLOW_ROLES = (*ROLES, "manager")
FLOW_TABLES: tuple[type[models.Model], ...] = (
    *TABLES,
    ContactAttempt,
    Resolution,
    Milestone,
    ManagerRequest,
    FeatureRequest,
    ThirdPartyReferral,
    DiagnosticsRequest,
    OutboundMail,
)
V1 = {"expected_version": 1}


@dataclass(frozen=True)
class Op:
    method: str
    path: str  # formatted with the case's number and the objects made for the cell
    body: Any = None
    listed: bool = False  # a list: is the case's open manager request in it?


@dataclass
class Made:
    """What each cell makes on the case before the call (rolled back after it)."""

    milestone: Milestone
    diagnostics: DiagnosticsRequest
    manager_request: ManagerRequest | None


OPS: dict[str, Op] = {
    "contact_attempt.list": Op("GET", "/cases/{case}/contact-attempts"),
    "contact_attempt.post": Op(
        "POST",
        "/cases/{case}/contact-attempts",
        {"channel": "phone", "outcome": "no_answer", **V1},
    ),
    "resolution.list": Op("GET", "/cases/{case}/resolutions"),
    "resolution.post": Op(
        "POST",
        "/cases/{case}/resolutions",
        {"type": "temporary_workaround", "summary": "Restart", "new_severity": 4, **V1},
    ),
    "milestone.done": Op("POST", "/cases/{case}/milestones/{milestone}/done", V1),
    "manager_request.list": Op("GET", "/cases/{case}/manager-requests"),
    "manager_request.post": Op(
        "POST", "/cases/{case}/manager-requests", {"reason": "No news for days"}
    ),
    "manager_request.answer": Op(
        "POST",
        "/cases/{case}/manager-requests/{manager_request}/answer",
        {"answer": "A senior engineer takes over", "resources_adjusted": "senior engineer"},
    ),
    "manager_request.queue": Op("GET", "/manager-requests", listed=True),
    "feature_request.list": Op("GET", "/cases/{case}/feature-requests"),
    "feature_request.post": Op(
        "POST",
        "/cases/{case}/feature-requests",
        {"title": "Parquet", "wanted_behaviour": "Export Parquet", "use_case": "Data lake"},
    ),
    "third_party.list": Op("GET", "/cases/{case}/third-party"),
    "third_party.post": Op(
        "POST",
        "/cases/{case}/third-party",
        {"vendor": "Storage Inc.", "action": "removal_requested", **V1},
    ),
    "diagnostics.list": Op("GET", "/cases/{case}/diagnostics"),
    "diagnostics.post": Op(
        "POST", "/cases/{case}/diagnostics", {"kind": "log_upload", "what": "job logs", **V1}
    ),
    "diagnostics.fulfil": Op(
        "POST", "/cases/{case}/diagnostics/{diagnostics}/fulfil", {"findings": "A bad proxy"}
    ),
}

# Columns as in the main matrix, then the support manager. A number is the HTTP status; for a
# list, "in" or "out" says whether the case's open request is listed. Anonymous callers: 401.
GRID = """
                       member   case_adm license_ partner_ partner_ partner_ staff    manager
                                in       admin    active   expired  future
contact_attempt.list   200/404  200/404  200/404  200/404  404/404  404/404  200/200  200/200
contact_attempt.post   403/404  403/404  403/404  403/404  404/404  404/404  201/201  201/201
resolution.list        200/404  200/404  200/404  200/404  404/404  404/404  200/200  200/200
resolution.post        403/404  403/404  403/404  403/404  404/404  404/404  201/201  201/201
milestone.done         403/404  403/404  403/404  403/404  404/404  404/404  200/200  200/200
manager_request.list   200/404  200/404  200/404  200/404  404/404  404/404  200/200  200/200
manager_request.post   403/404  201/404  201/404  201/404  404/404  404/404  201/201  201/201
manager_request.answer 403/404  403/404  403/404  403/404  404/404  404/404  403/403  200/200
manager_request.queue  out/out  out/out  out/out  out/out  out/out  out/out  in/in    in/in
feature_request.list   200/404  200/404  200/404  200/404  404/404  404/404  200/200  200/200
feature_request.post   403/404  403/404  403/404  403/404  404/404  404/404  201/201  201/201
third_party.list       200/404  200/404  200/404  200/404  404/404  404/404  200/200  200/200
third_party.post       403/404  403/404  403/404  403/404  404/404  404/404  201/201  201/201
diagnostics.list       200/404  200/404  200/404  200/404  404/404  404/404  200/200  200/200
diagnostics.post       403/404  403/404  403/404  403/404  404/404  404/404  201/201  201/201
diagnostics.fulfil     403/404  403/404  403/404  403/404  404/404  404/404  200/200  200/200
"""


def _parse(grid: str) -> dict[str, dict[str, tuple[int | bool, int | bool]]]:
    rows: dict[str, dict[str, tuple[int | bool, int | bool]]] = {}
    for line in grid.strip().splitlines()[2:]:
        op, *cells = line.split()
        answers = [tuple(_cell(part) for part in cell.split("/")) for cell in cells]
        rows[op] = {"anonymous": (401, 401), **dict(zip(FLOW_ROLES[1:], answers, strict=True))}  # type: ignore[arg-type]
    return rows


EXPECTED = _parse(GRID)
CELLS = [(op, role, target) for op in OPS for role in FLOW_ROLES for target in TARGETS]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        table.__name__: list(table._default_manager.order_by("pk").values())
        for table in FLOW_TABLES
    }


def _make(op: str, case: Case) -> Made:
    return Made(
        milestone=MilestoneFactory.create(resolution__case=case),
        diagnostics=DiagnosticsRequestFactory.create(case=case),
        manager_request=(
            ManagerRequestFactory.create(case=case)
            if op in ("manager_request.answer", "manager_request.queue")
            else None
        ),
    )


def _caller(role: str) -> str | None:
    if role != "manager":
        return _token(role)
    manager = StaffFactory.create(staff_role=StaffRole.SUPPORT_MANAGER)
    ApiTokenFactory.create(user=manager, secret="sdt_matrix-manager")
    return "sdt_matrix-manager"


def test_the_expectations_cover_every_operation_and_role() -> None:
    assert set(EXPECTED) == set(OPS)
    for op, row in EXPECTED.items():
        assert set(row) == set(FLOW_ROLES), op


@pytest.mark.parametrize(("op", "role", "target"), CELLS)
def test_matrix(client: Client, world: World, op: str, role: str, target: str) -> None:
    operation = OPS[op]
    case = world.scopes[target].case
    expected = EXPECTED[op][role][TARGETS.index(target)]
    made = _make(op, case)
    token = _caller(role)
    path = operation.path.format(
        case=case.number,
        milestone=made.milestone.pk,
        diagnostics=made.diagnostics.pk,
        manager_request=made.manager_request.pk if made.manager_request else 0,
    )
    before = snapshot()

    status, body = call(client, operation.method, path, operation.body, token=token)

    if operation.listed and role != "anonymous":
        assert status == 200
        assert made.manager_request is not None
        assert (made.manager_request.pk in [item["id"] for item in body]) is expected
        assert snapshot() == before
        return
    assert status == expected, body
    if status >= 400:
        assert set(body) == {"errors"}
        if status == 404:
            assert body == {"errors": [{"field": None, "message": "Not found."}]}
    after = snapshot()
    if operation.method != "GET" and status < 400:
        assert len(after["AuditEvent"]) == len(before["AuditEvent"]) + 1
        event = AuditEvent.objects.order_by("pk").last()
        assert event is not None
        assert (event.target_type, event.target_id) == ("cases.case", str(case.pk))
    else:
        assert after == before
