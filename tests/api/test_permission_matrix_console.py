"""The permission matrix of the console, routing and phone endpoints (point 7 of the console
issue): every role x a case of the own organization (in queue A, whose PDM is ``pdm``) and a
case of another organization (in queue B) x every console page and routing/phone operation.

Engineers see the cases of their queues, PDMs those of their customers, managers all;
customers and partners never see the console (403), anonymous visitors sign in first (302 on
pages, 401 on the API). A case a staff member may not see answers 404. A refused write
changes nothing; an allowed write leaves exactly one audit event.

Roles: anonymous, member / license_admin of the own organization, partner_active (a
partner's license administrator with an active delegation), engineer (profile in queue A
only), pdm (the own organization's PDM), manager (support manager), engineer_elsewhere (an
engineer of a third queue: neither case is theirs, so both answer 404 and neither is listed).

The cases API rows (``cases.*``) hold the same rule: a staff member reads and writes through
``/api/v1/cases`` exactly the cases the console shows them, and customers read their own
organization's case without internal comments or routing fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import models, transaction
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.audit.models import AuditEvent
from supportdesk.cases.models import Case, Comment, ContactAttempt, ManagerRequest
from supportdesk.routing.models import CaseAssignment, EngineerProfile, Queue
from tests.accounts.factories import (
    ApiTokenFactory,
    DelegationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnerFactory,
    PdmFactory,
    StaffFactory,
)
from tests.api.calls import call
from tests.cases.factories import CaseFactory, CommentFactory, ManagerRequestFactory
from tests.licensing.factories import ProductFactory
from tests.routing.factories import EngineerProfileFactory, QueueFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "member",
    "license_admin",
    "partner_active",
    "engineer",
    "pdm",
    "manager",
    "engineer_elsewhere",
)
STAFF = ("engineer", "pdm", "manager", "engineer_elsewhere")
CUSTOMERS = ("member", "license_admin", "partner_active")
#: what only support reads of a case: never in a customer's answer
ENGINEER_ONLY = {"queue", "assignee", "tier", "routing_reasons", "assigned_at", "language"}
TARGETS = ("own", "other")
TABLES: tuple[type[models.Model], ...] = (
    Case,
    Comment,
    ContactAttempt,
    ManagerRequest,
    CaseAssignment,
    Queue,
    EngineerProfile,
    AuditEvent,
)


@dataclass
class World:
    users: dict[str, User | None]
    cases: dict[str, Case]
    requests: dict[str, ManagerRequest]  # an open "Talk to a manager" request per case


@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    return shared_world


def _build() -> World:
    now = timezone.now()
    product = ProductFactory.create(code="BR")
    queue_a, queue_b = QueueFactory.create(code="a"), QueueFactory.create(code="b")
    QueueFactory.create(code="l2", tier="L2")  # where an escalation goes
    pdm = PdmFactory.create()
    own = OrganizationFactory.create(name="Own", pdm=pdm)
    other = OrganizationFactory.create(name="Other")
    cases = {
        "own": CaseFactory.create(
            organization=own,
            product=product,
            queue=queue_a,
            contact_phone="+49301234567",
            first_response_due_at=now + timedelta(hours=2),
        ),
        "other": CaseFactory.create(
            organization=other,
            product=product,
            queue=queue_b,
            contact_phone="+49301234568",
            first_response_due_at=now + timedelta(hours=2),
        ),
    }
    for case in cases.values():
        CommentFactory.create(case=case, body="public")
        CommentFactory.create(case=case, body="internal", internal=True)
    partner = PartnerFactory.create()
    DelegationFactory.create(customer=own, partner=partner, starts_at=now - timedelta(days=1))
    users: dict[str, User | None] = {
        "anonymous": None,
        "member": MembershipFactory.create(organization=own, role="member").user,
        "license_admin": MembershipFactory.create(organization=own, role="license_admin").user,
        "partner_active": MembershipFactory.create(organization=partner, role="license_admin").user,
        "engineer": EngineerProfileFactory.create(queues=[queue_a]).user,
        "pdm": pdm,
        "manager": StaffFactory.create(staff_role="support_manager"),
        "engineer_elsewhere": EngineerProfileFactory.create(
            queues=[QueueFactory.create(code="c")]
        ).user,
    }
    for role, user in users.items():
        if user is not None:
            ApiTokenFactory.create(user=user, secret=f"sdt_console-{role}")
    requests = {k: ManagerRequestFactory.create(case=c, requested_at=now) for k, c in cases.items()}
    return World(users=users, cases=cases, requests=requests)


@dataclass(frozen=True)
class Op:
    method: str
    path: str
    body: Any = None
    page: bool = False  # a console page (session) rather than the API (token)
    listed: bool = False  # the target case's number is on the page


V1 = {"expected_version": 1}
OPS: dict[str, Op] = {
    "console.mine": Op("GET", "/console/", page=True),
    "console.queue": Op("GET", "/console/queue/", page=True, listed=True),
    "console.case": Op("GET", "/console/cases/{case}/", page=True),
    "console.manager": Op("GET", "/console/manager/", page=True),
    "console.take": Op("POST", "/console/cases/{case}/take/", V1, page=True),
    "console.comment_internal": Op(
        "POST", "/console/cases/{case}/comment/", {"body": "n", "internal": "on", **V1}, page=True
    ),
    "console.contact_attempt": Op(
        "POST",
        "/console/cases/{case}/contact-attempt/",
        {"channel": "phone", "outcome": "no_answer", **V1},
        page=True,
    ),
    "console.manager_answer": Op(
        "POST", "/console/manager/requests/{request}/answer/", {"answer": "On it."}, page=True
    ),
    "api.take": Op("POST", "/routing/cases/{case}/take", V1),
    "api.assign_back": Op("POST", "/routing/cases/{case}/assign", {"assignee": None, **V1}),
    "api.escalate": Op("POST", "/routing/cases/{case}/escalate", {"reason": "debugger", **V1}),
    "api.suggestions": Op("GET", "/routing/cases/{case}/suggestions"),
    "api.queues": Op("GET", "/routing/queues"),
    "api.queue_post": Op("POST", "/routing/queues", {"code": "new", "name": "New"}),
    "api.engineers": Op("GET", "/routing/engineers"),
    "api.phone_route": Op(
        "POST", "/phone/route", {"case_number": "{case}", "caller_number": "+49301234567"}
    ),
    "cases.get": Op("GET", "/cases/{case}"),
    "cases.comments": Op("GET", "/cases/{case}/comments"),
    "cases.comment_internal": Op(
        "POST", "/cases/{case}/comments", {"body": "note", "internal": True, **V1}
    ),
    "cases.contact_attempts": Op("GET", "/cases/{case}/contact-attempts"),
}

# own/other per role; for a listed page, True/False: the case is on it
A = "anonymous"
GRID: dict[str, dict[str, tuple[Any, Any]]] = {
    "console.mine": {A: (302, 302), "engineer": (200, 200), "pdm": (200, 200),
                     "manager": (200, 200)},
    "console.queue": {A: (302, 302), "engineer": (True, False), "pdm": (True, False),
                      "manager": (True, True)},
    "console.case": {A: (302, 302), "engineer": (200, 404), "pdm": (200, 404),
                     "manager": (200, 200)},
    "console.manager": {A: (302, 302), "engineer": (403, 403), "pdm": (403, 403),
                        "manager": (200, 200)},
    "console.take": {A: (302, 302), "engineer": (302, 404), "pdm": (302, 404),
                     "manager": (302, 302)},
    "console.comment_internal": {A: (302, 302), "engineer": (302, 404), "pdm": (302, 404),
                                 "manager": (302, 302)},
    "console.contact_attempt": {A: (302, 302), "engineer": (302, 404), "pdm": (302, 404),
                                "manager": (302, 302)},
    "console.manager_answer": {A: (302, 302), "engineer": (403, 403), "pdm": (403, 403),
                               "manager": (302, 302)},
    "api.take": {A: (401, 401), "engineer": (200, 404), "pdm": (200, 404), "manager": (200, 200)},
    "api.assign_back": {A: (401, 401), "engineer": (200, 404), "pdm": (200, 404),
                        "manager": (200, 200)},
    "api.escalate": {A: (401, 401), "engineer": (200, 404), "pdm": (200, 404),
                     "manager": (200, 200)},
    "api.suggestions": {A: (401, 401), "engineer": (200, 404), "pdm": (200, 404),
                        "manager": (200, 200)},
    "api.queues": {A: (401, 401), "engineer": (200, 200), "pdm": (200, 200),
                   "manager": (200, 200)},
    "api.queue_post": {A: (401, 401), "engineer": (403, 403), "pdm": (403, 403),
                       "manager": (201, 201)},
    "api.engineers": {A: (401, 401), "engineer": (200, 200), "pdm": (200, 200),
                      "manager": (200, 200)},
    "api.phone_route": {A: (401, 401), "engineer": (200, 200), "pdm": (200, 200),
                        "manager": (200, 200)},
    "cases.get": {A: (401, 401), "engineer": (200, 404), "pdm": (200, 404),
                  "manager": (200, 200)},
    "cases.comments": {A: (401, 401), "engineer": (200, 404), "pdm": (200, 404),
                       "manager": (200, 200)},
    "cases.comment_internal": {A: (401, 401), "engineer": (201, 404), "pdm": (201, 404),
                               "manager": (201, 201)},
    "cases.contact_attempts": {A: (401, 401), "engineer": (200, 404), "pdm": (200, 404),
                               "manager": (200, 200)},
}  # fmt: skip
# the engineer of a third queue: the staff-wide pages and lists, none of the two cases
ELSEWHERE = {"console.mine": (200, 200), "console.queue": (False, False),
             "console.manager": (403, 403), "console.manager_answer": (403, 403),
             "api.queues": (200, 200),
             "api.queue_post": (403, 403), "api.engineers": (200, 200),
             "api.phone_route": (200, 200)}  # fmt: skip
for _op, _row in GRID.items():
    _row["engineer_elsewhere"] = ELSEWHERE.get(_op, (404, 404))
    for _role in CUSTOMERS:  # customers and partners never reach the console (403)
        _row[_role] = (403, 403)
# ... but read their own organization's case in the cases API, never writing an
# internal comment (only the license administrator and the partner may comment at all)
for _role in CUSTOMERS:
    GRID["cases.get"][_role] = GRID["cases.comments"][_role] = (200, 404)
    GRID["cases.comment_internal"][_role] = (403, 404)
    GRID["cases.contact_attempts"][_role] = (200, 404)

CELLS = [(op, role, target) for op in OPS for role in ROLES for target in TARGETS]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {t.__name__: list(t._default_manager.order_by("pk").values()) for t in TABLES}


def test_the_expectations_cover_every_operation_and_role() -> None:
    assert set(GRID) == set(OPS)
    for op, row in GRID.items():
        assert set(row) == set(ROLES), op


@pytest.mark.parametrize(("op", "role", "target"), CELLS)
def test_matrix(client: Client, world: World, op: str, role: str, target: str) -> None:
    operation = OPS[op]
    case = world.cases[target]
    expected = GRID[op][role][TARGETS.index(target)]
    path = operation.path.format(case=case.number, request=world.requests[target].pk)
    body = operation.body
    if isinstance(body, dict):
        body = {
            k: (v.format(case=case.number) if isinstance(v, str) else v) for k, v in body.items()
        }
    before = snapshot()

    if operation.page:
        user = world.users[role]
        if user is not None:
            client.force_login(user)
        send = client.get if operation.method == "GET" else client.post
        response = send(path, body) if body is not None else send(path)
        status, text = response.status_code, response.content.decode()
        if operation.listed and role in STAFF:
            assert status == 200
            assert (case.number in text) is expected
            assert snapshot() == before
            return
        if status == 302 and role == "anonymous":
            assert response["Location"].startswith("/login/?next=")
    else:
        token = None if role == "anonymous" else f"sdt_console-{role}"
        status, answer = call(client, operation.method, path, body, token=token)
        if op == "cases.get" and status == 200 and role in CUSTOMERS:
            assert ENGINEER_ONLY.isdisjoint(answer)
        if op == "cases.comments" and status == 200:  # internal comments: support only
            bodies = ["public"] if role in CUSTOMERS else ["public", "internal"]
            assert [c["body"] for c in answer] == bodies

    assert status == expected
    after = snapshot()
    done = status in (200, 201) or (status == 302 and role != "anonymous")
    if operation.method != "GET" and done:
        assert len(after["AuditEvent"]) == len(before["AuditEvent"]) + (
            0 if op == "api.phone_route" else 1
        )
    else:
        assert after == before
