"""The permission matrix (R-1, R-3, R-4): every role x the own organization's object and another
organization's object x every endpoint and verb of the accounts, licensing and cases API.

Each cell asserts the exact status; a refused write (or any read) also asserts that nothing in
the database changed, audit trail included, and an allowed write that it left exactly one
audit event. Another organization's object always answers 404, never 403, so that a caller
cannot tell whether it exists. Customers never see internal comments.

Roles:
  anonymous        not signed in
  member           a member of the own organization
  case_admin       a case administrator of it
  license_admin    a license administrator of it
  partner_active   a license administrator of a partner the own organization delegates to now
  partner_expired  ... of a partner whose delegation has ended
  partner_future   ... of a partner whose delegation has not started yet
  staff            vendor staff without a staff role (they see every case, as managers do)
  engineer_elsewhere  a support engineer of a queue other than the cases' (both cases are in
                   queue "a", they are in queue "b"): they pass the staff gates of accounts
                   and licensing and open cases, but every case of queue "a" answers 404
                   and is not listed (point 7 of the console issue)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import models, transaction
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.models import (
    ApiToken,
    Delegation,
    Membership,
    Organization,
    User,
)
from supportdesk.audit.models import AuditEvent
from supportdesk.cases.models import Case, CaseNumberCounter, Comment, SeverityChange
from supportdesk.licensing.models import License, LicenseLine, Product, ProductVersion, SupportId
from supportdesk.routing.models import Queue
from tests.accounts.factories import (
    ApiTokenFactory,
    DelegationFactory,
    MembershipFactory,
    OrganizationFactory,
    PartnerFactory,
    PersonFactory,
    StaffFactory,
)
from tests.api.calls import call
from tests.cases.factories import CaseFactory, CommentFactory
from tests.licensing.factories import (
    LicenseFactory,
    LicenseLineFactory,
    ProductFactory,
    ProductVersionFactory,
    SupportIdFactory,
)
from tests.routing.factories import EngineerProfileFactory, QueueFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "member",
    "case_admin",
    "license_admin",
    "partner_active",
    "partner_expired",
    "partner_future",
    "staff",
)
#: the roles of this module's grids: the engineer of another queue is a column of the
#: accounts, licensing and cases grid (and the portal's), not of the matrices that import
#: ``ROLES`` for their own grids
CASE_ROLES = (*ROLES, "engineer_elsewhere")
TARGETS = ("own", "other")
TABLES: tuple[type[models.Model], ...] = (
    Organization,
    Membership,
    Delegation,
    ApiToken,
    Product,
    ProductVersion,
    License,
    LicenseLine,
    SupportId,
    AuditEvent,
    Case,
    CaseNumberCounter,
    Comment,
    SeverityChange,
)


@dataclass
class Scope:
    """The objects of one organization that the matrix aims at."""

    org: Organization
    membership: Membership  # a plain member's: changing or removing it breaks no rule
    delegation: Delegation  # to a third partner, not the partner of the partner_* roles
    license: License
    support_id: SupportId
    case: Case  # new, Severity 3, with a public and an internal comment


@dataclass
class World:
    users: dict[str, User | None]
    scopes: dict[str, Scope]
    fresh_partner: Organization  # no delegation yet: a new one may be granted to it
    product: Product
    spare_product: Product  # without licenses: may be deleted
    version: ProductVersion


def _scope(name: str, product: Product, third: Organization, now: datetime, queue: Queue) -> Scope:
    org = OrganizationFactory.create(name=name)
    MembershipFactory.create(organization=org, role="license_admin")  # it keeps one
    license = LicenseFactory.create(organization=org, product=product)
    LicenseLineFactory.create(license=license)
    support_id = SupportIdFactory.create(license=license)
    case = CaseFactory.create(organization=org, product=product, support_id=support_id, queue=queue)
    CommentFactory.create(case=case, body="public")
    CommentFactory.create(case=case, body="internal", internal=True)
    return Scope(
        org=org,
        membership=MembershipFactory.create(organization=org, role="member"),
        delegation=DelegationFactory.create(customer=org, partner=third, starts_at=now),
        license=license,
        support_id=support_id,
        case=case,
    )


def _partner_user(customer: Organization, starts: datetime, ends: datetime | None) -> User:
    partner = PartnerFactory.create()
    DelegationFactory.create(customer=customer, partner=partner, starts_at=starts, ends_at=ends)
    return MembershipFactory.create(organization=partner, role="license_admin").user


@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back at the end; each test runs
    inside it in a savepoint of its own (pytest-django's ``db``), so what one cell changes
    the next does not see."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    return shared_world


def _build_world() -> World:
    now = timezone.now()
    day = timedelta(days=1)
    product = ProductFactory.create(code="VBR")
    third = PartnerFactory.create(name="Third")
    queue_a, queue_b = QueueFactory.create(code="a"), QueueFactory.create(code="b")
    scopes = {
        "own": _scope("Own", product, third, now - day, queue_a),
        "other": _scope("Other", product, third, now - day, queue_a),
    }
    own = scopes["own"].org
    users: dict[str, User | None] = {
        "anonymous": None,
        "staff": StaffFactory.create(),
        "engineer_elsewhere": EngineerProfileFactory.create(queues=[queue_b]).user,
    }
    for role in ("member", "case_admin", "license_admin"):
        users[role] = MembershipFactory.create(organization=own, role=role).user
    users["partner_active"] = _partner_user(own, now - day, None)
    users["partner_expired"] = _partner_user(own, now - 30 * day, now - day)
    users["partner_future"] = _partner_user(own, now + day, None)
    for role, user in users.items():
        if user is not None:
            ApiTokenFactory.create(user=user, secret=_token(role))
    PersonFactory.create(username="newbie")
    return World(
        users=users,
        scopes=scopes,
        fresh_partner=PartnerFactory.create(name="Fresh"),
        product=product,
        spare_product=ProductFactory.create(code="SPARE"),
        version=ProductVersionFactory.create(product=product, version="12"),
    )


@dataclass(frozen=True)
class Op:
    method: str
    path: str  # formatted with the scope's objects
    body: Any = None
    listed: str | None = None  # for a list: the key of the scope object to look for

    def url(self, world: World, scope: Scope) -> str:
        return self.path.format(
            org=scope.org.pk,
            membership=scope.membership.pk,
            delegation=scope.delegation.pk,
            license=scope.license.pk,
            sid=scope.support_id.code,
            case=scope.case.number,
        )

    def payload(self, world: World, scope: Scope) -> Any:
        if self.body == "fresh_partner":
            return {"partner": world.fresh_partner.pk}
        if self.body == "new_case":
            return {**NEW_CASE, "organization": scope.org.pk, "support_id": scope.support_id.code}
        return self.body


FUTURE = (datetime.now(UTC) + timedelta(days=400)).isoformat()
NEW_CASE = {
    "kind": "licensing",
    "subject": "Renewal",
    "description": "Which license do we need?",
    "proposed_severity": 4,
    "contact_email": "it@example.com",
}
V1 = {"expected_version": 1}

OPS: dict[str, Op] = {
    # reads
    "organization.get": Op("GET", "/organizations/{org}"),
    "membership.get": Op("GET", "/memberships/{membership}"),
    "delegation.get": Op("GET", "/delegations/{delegation}"),
    "license.get": Op("GET", "/licenses/{license}"),
    "support_id.get": Op("GET", "/support-ids/{sid}"),
    "entitlement.get": Op("GET", "/entitlements/{sid}"),
    # lists: is the scope's object among what the caller sees?
    "organization.list": Op("GET", "/organizations?page_size=100", listed="org"),
    "membership.list": Op("GET", "/memberships?page_size=100", listed="membership"),
    "delegation.list": Op("GET", "/delegations?page_size=100", listed="delegation"),
    "license.list": Op("GET", "/licenses?page_size=100", listed="license"),
    "support_id.list": Op("GET", "/support-ids?page_size=100", listed="support_id"),
    # writes
    "organization.patch": Op("PATCH", "/organizations/{org}", {"language": "fr"}),
    "organization.delete": Op("DELETE", "/organizations/{org}"),
    "membership.post": Op("POST", "/organizations/{org}/memberships", {"username": "newbie"}),
    "membership.patch": Op("PATCH", "/memberships/{membership}", {"role": "case_admin"}),
    "membership.delete": Op("DELETE", "/memberships/{membership}"),
    "delegation.post": Op("POST", "/organizations/{org}/delegations", "fresh_partner"),
    "delegation.patch": Op("PATCH", "/delegations/{delegation}", {"ends_at": FUTURE}),
    "delegation.delete": Op("DELETE", "/delegations/{delegation}"),
    "license.post": Op(
        "POST", "/organizations/{org}/licenses", {"product": "VBR", "license_type": "trial"}
    ),
    "license.patch": Op("PATCH", "/licenses/{license}", {"valid_until": "2030-01-01"}),
    "license.delete": Op("DELETE", "/licenses/{license}"),
    "support_id.post": Op("POST", "/licenses/{license}/support-ids"),
    "support_id.delete": Op("DELETE", "/support-ids/{sid}"),
    # cases: reads, then writes naming the version they read
    "case.get": Op("GET", "/cases/{case}"),
    "case.list": Op("GET", "/cases?page_size=100", listed="case"),
    "comment.list": Op("GET", "/cases/{case}/comments"),
    "severity_change.list": Op("GET", "/cases/{case}/severity-changes"),
    "case.post": Op("POST", "/cases", "new_case"),
    "comment.post": Op("POST", "/cases/{case}/comments", {"body": "Any news?", **V1}),
    "comment.post_internal": Op(
        "POST", "/cases/{case}/comments", {"body": "note", "internal": True, **V1}
    ),
    "case.transition": Op("POST", "/cases/{case}/transitions", {"status": "closed", **V1}),
    "severity.request": Op(
        "POST", "/cases/{case}/severity-requests", {"severity": 2, "reason": "worse", **V1}
    ),
    "severity.agree": Op(
        "POST", "/cases/{case}/severity", {"severity": 2, "reason": "agreed", **V1}
    ),
    "technical_contact.post": Op(
        "POST", "/cases/{case}/technical-contact", {"available": True, **V1}
    ),
}

# Expected answers: one row per operation, one column per signed-in role, each cell
# "<own organization's object>/<another organization's object>". A number is the HTTP status;
# for a list, "in" or "out" says whether the object is listed. Anonymous callers get 401.
# Staff pass every gate, and an engineer of another queue every gate but the cases' (404:
# the case is not theirs to see, exactly as another organization's). Deleting an
# organization that holds licenses is then a 409, and so is deleting a license whose Support
# ID a case names (the case keeps its history).
GRID = """
                     member   case_adm license_ partner_ partner_ partner_ staff    eng_else
                              in       admin    active   expired  future    where
organization.get     200/404  200/404  200/404  200/404  404/404  404/404  200/200  200/200
membership.get       200/404  200/404  200/404  404/404  404/404  404/404  200/200  200/200
delegation.get       200/404  200/404  200/404  404/404  404/404  404/404  200/200  200/200
license.get          200/404  200/404  200/404  200/404  404/404  404/404  200/200  200/200
support_id.get       200/404  200/404  200/404  200/404  404/404  404/404  200/200  200/200
entitlement.get      200/404  200/404  200/404  200/404  404/404  404/404  200/200  200/200
organization.list    in/out   in/out   in/out   in/out   out/out  out/out  in/in    in/in
membership.list      in/out   in/out   in/out   out/out  out/out  out/out  in/in    in/in
delegation.list      in/out   in/out   in/out   out/out  out/out  out/out  in/in    in/in
license.list         in/out   in/out   in/out   in/out   out/out  out/out  in/in    in/in
support_id.list      in/out   in/out   in/out   in/out   out/out  out/out  in/in    in/in
organization.patch   403/404  403/404  200/404  403/404  404/404  404/404  200/200  200/200
organization.delete  403/404  403/404  403/404  403/404  404/404  404/404  409/409  409/409
membership.post      403/404  403/404  201/404  403/404  404/404  404/404  201/201  201/201
membership.patch     403/404  403/404  200/404  404/404  404/404  404/404  200/200  200/200
membership.delete    403/404  403/404  204/404  404/404  404/404  404/404  204/204  204/204
delegation.post      403/404  403/404  201/404  403/404  404/404  404/404  201/201  201/201
delegation.patch     403/404  403/404  200/404  404/404  404/404  404/404  200/200  200/200
delegation.delete    403/404  403/404  204/404  404/404  404/404  404/404  204/204  204/204
license.post         403/404  403/404  403/404  403/404  404/404  404/404  201/201  201/201
license.patch        403/404  403/404  403/404  403/404  404/404  404/404  200/200  200/200
license.delete       403/404  403/404  403/404  403/404  404/404  404/404  409/409  409/409
support_id.post      403/404  403/404  403/404  403/404  404/404  404/404  201/201  201/201
support_id.delete    403/404  403/404  403/404  403/404  404/404  404/404  204/204  204/204
case.get             200/404  200/404  200/404  200/404  404/404  404/404  200/200  404/404
case.list            in/out   in/out   in/out   in/out   out/out  out/out  in/in    out/out
comment.list         200/404  200/404  200/404  200/404  404/404  404/404  200/200  404/404
severity_change.list 200/404  200/404  200/404  200/404  404/404  404/404  200/200  404/404
case.post            403/404  201/404  201/404  201/404  404/404  404/404  201/201  201/201
comment.post         403/404  201/404  201/404  201/404  404/404  404/404  201/201  404/404
comment.post_internal 403/404 403/404  403/404  403/404  404/404  404/404  201/201  404/404
case.transition      403/404  200/404  200/404  200/404  404/404  404/404  200/200  404/404
severity.request     403/404  200/404  200/404  200/404  404/404  404/404  200/200  404/404
severity.agree       403/404  403/404  403/404  403/404  404/404  404/404  200/200  404/404
technical_contact.post 403/404 200/404 200/404  200/404  404/404  404/404  200/200  404/404
"""


def _cell(text: str) -> int | bool:
    return {"in": True, "out": False}[text] if text in ("in", "out") else int(text)


def _parse_grid(
    grid: str, roles: tuple[str, ...] = ROLES
) -> dict[str, dict[str, tuple[int | bool, int | bool]]]:
    rows: dict[str, dict[str, tuple[int | bool, int | bool]]] = {}
    for line in grid.strip().splitlines()[2:]:
        op, *cells = line.split()
        answers = [tuple(_cell(part) for part in cell.split("/")) for cell in cells]
        rows[op] = {"anonymous": (401, 401), **dict(zip(roles[1:], answers, strict=True))}  # type: ignore[arg-type]
    return rows


EXPECTED = _parse_grid(GRID, CASE_ROLES)
CELLS = [(op, role, target) for op in OPS for role in CASE_ROLES for target in TARGETS]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        table.__name__: list(table._default_manager.order_by("pk").values()) for table in TABLES
    }


def _token(role: str) -> str | None:
    """Callers sign in with a bearer token made with the world (cheaper than a session)."""
    return None if role == "anonymous" else f"sdt_matrix-{role}"


def test_the_expectations_cover_every_operation_and_role() -> None:
    assert set(EXPECTED) == set(OPS)
    for op, row in EXPECTED.items():
        assert set(row) == set(CASE_ROLES), op


@pytest.mark.parametrize(("op", "role", "target"), CELLS)
def test_matrix(client: Client, world: World, op: str, role: str, target: str) -> None:
    operation = OPS[op]
    scope = world.scopes[target]
    expected = EXPECTED[op][role][TARGETS.index(target)]
    before = snapshot()

    status, body = call(client, operation.method, operation.url(world, scope),
                        operation.payload(world, scope), token=_token(role))  # fmt: skip

    if operation.listed is not None and role != "anonymous":
        assert status == 200
        wanted = getattr(scope, operation.listed)
        key = "code" if operation.listed == "support_id" else "id"
        value = wanted.code if operation.listed == "support_id" else wanted.pk
        assert (value in [item[key] for item in body["items"]]) is expected
        assert snapshot() == before
        return
    assert status == expected, body
    if op == "comment.list" and status == 200:  # internal comments: support only
        bodies = ["public", "internal"] if role == "staff" else ["public"]
        assert [comment["body"] for comment in body] == bodies
    if status >= 400:
        assert set(body) == {"errors"}
        if status == 404:
            assert body == {"errors": [{"field": None, "message": "Not found."}]}
    after = snapshot()
    if operation.method != "GET" and status < 400:
        assert len(after["AuditEvent"]) == len(before["AuditEvent"]) + 1
    else:
        assert after == before


# --- the catalog: products and versions, the same for every organization ----------------------

CATALOG: dict[str, tuple[str, str, Any]] = {
    "product.list": ("GET", "/products", None),
    "product.get": ("GET", "/products/{product}", None),
    "product.post": ("POST", "/products", {"code": "NEW", "name": "New"}),
    "product.patch": ("PATCH", "/products/{product}", {"name": "Renamed"}),
    "product.delete": ("DELETE", "/products/{spare}", None),
    "version.list": ("GET", "/products/{product}/versions", None),
    "version.get": ("GET", "/versions/{version}", None),
    "version.post": ("POST", "/products/{product}/versions", {"version": "13"}),
    "version.patch": ("PATCH", "/versions/{version}", {"end_of_sale": "2031-01-01"}),
    "version.delete": ("DELETE", "/versions/{version}", None),
}
_WRITE_OK = {"POST": 201, "PATCH": 200, "DELETE": 204}


def _catalog_expected(op: str, role: str) -> int:
    method = CATALOG[op][0]
    if role == "anonymous":
        return 401
    if method == "GET":
        return 200
    return _WRITE_OK[method] if role in ("staff", "engineer_elsewhere") else 403


@pytest.mark.parametrize(("op", "role"), [(op, role) for op in CATALOG for role in CASE_ROLES])
def test_catalog_matrix(client: Client, world: World, op: str, role: str) -> None:
    method, path, body = CATALOG[op]
    url = path.format(
        product=world.product.pk, spare=world.spare_product.pk, version=world.version.pk
    )
    before = snapshot()

    status, _ = call(client, method, url, body, token=_token(role))

    assert status == _catalog_expected(op, role)
    after = snapshot()
    if method != "GET" and status < 400:
        assert len(after["AuditEvent"]) == len(before["AuditEvent"]) + 1
    else:
        assert after == before


def test_the_matrix_size() -> None:
    assert (len(CELLS), len(CATALOG) * len(CASE_ROLES)) == (630, 90)
