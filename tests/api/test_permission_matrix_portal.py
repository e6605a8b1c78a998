"""The permission matrix of the portal's case pages (R-1, R-3, R-4): every role x the own
organization's case and another organization's x every page and form, on the world of
:mod:`tests.api.test_permission_matrix`.

A page a role may not see answers 404 for another organization's case and sends the anonymous
to sign in; a refused form changes nothing (audit trail included); an allowed one leaves one
audit event. Internal comments never reach a customer's page.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from supportdesk.audit.models import AuditEvent
from tests.api.test_permission_matrix import (  # noqa: F401  (fixtures)
    CASE_ROLES,
    ROLES,
    TARGETS,
    World,
    shared_world,
    snapshot,
    world,
)
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db

#: page -> role -> (own case, other organization's case); "login" is a redirect to sign in
GRID = {
    "case.page": {
        "anonymous": ("login", "login"),
        "member": (200, 404),
        "case_admin": (200, 404),
        "license_admin": (200, 404),
        "partner_active": (200, 404),
        "partner_expired": (404, 404),
        "partner_future": (404, 404),
        "staff": (200, 200),
    },
    "comment.post": {
        "anonymous": ("login", "login"),
        "member": (403, 404),
        "case_admin": (302, 404),
        "license_admin": (302, 404),
        "partner_active": (302, 404),
        "partner_expired": (404, 404),
        "partner_future": (404, 404),
        "staff": (302, 302),
    },
    "severity.post": {
        "anonymous": ("login", "login"),
        "member": (403, 404),
        "case_admin": (302, 404),
        "license_admin": (302, 404),
        "partner_active": (302, 404),
        "partner_expired": (404, 404),
        "partner_future": (404, 404),
        "staff": (302, 302),
    },
    "status.post": {
        "anonymous": ("login", "login"),
        "member": (403, 404),
        "case_admin": (302, 404),
        "license_admin": (302, 404),
        "partner_active": (302, 404),
        "partner_expired": (404, 404),
        "partner_future": (404, 404),
        "staff": (302, 302),  # new -> closed is support's move too
    },
    "manager.post": {  # whoever works the case for the customer, and staff
        "anonymous": ("login", "login"),
        "member": (403, 404),
        "case_admin": (302, 404),
        "license_admin": (302, 404),
        "partner_active": (302, 404),
        "partner_expired": (404, 404),
        "partner_future": (404, 404),
        "staff": (302, 302),
    },
    "survey.page": {  # the survey of the caller's own address, on a case they see
        "anonymous": ("login", "login"),
        "member": (200, 404),
        "case_admin": (200, 404),
        "license_admin": (200, 404),
        "partner_active": (200, 404),
        "partner_expired": (404, 404),
        "partner_future": (404, 404),
        "staff": (200, 200),
    },
}
for _row in GRID.values():  # an engineer of another queue sees neither case (404)
    _row["engineer_elsewhere"] = (404, 404)
FORMS = {
    "comment.post": ("comments", {"body": "Any news?", "expected_version": 1}),
    "severity.post": ("severity", {"severity": 1, "reason": "Down", "expected_version": 1}),
    "status.post": ("status", {"status": "closed", "expected_version": 1}),
    "manager.post": ("manager", {"reason": "Nobody answers."}),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", CASE_ROLES)
@pytest.mark.parametrize("page", list(GRID))
def test_portal_matrix(
    client: Client,
    world: World,  # noqa: F811  (the imported fixture)
    page: str,
    role: str,
    target: str,
) -> None:
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    case = world.scopes[target].case
    expected = GRID[page][role][0 if target == "own" else 1]
    if page == "survey.page" and user is not None:
        SurveyFactory.create(case=case, recipient_email=user.email, created_at=timezone.now())
    before = snapshot()

    if page == "case.page":
        response = client.get(f"/cases/{case.number}/")
    elif page == "survey.page":
        response = client.get(f"/cases/{case.number}/survey/")
    else:
        path, data = FORMS[page]
        response = client.post(f"/cases/{case.number}/{path}/", data)

    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == expected
    after = snapshot()
    if expected == 302:
        assert response["Location"].startswith(f"/cases/{case.number}/")
        assert AuditEvent.objects.count() == len(before["AuditEvent"]) + 1
    else:
        assert after == before
    if expected == 200 and page == "survey.page":
        assert f"About case {case.number}" in response.content.decode()
    elif expected == 200:
        html = response.content.decode()
        assert "<p>public</p>" in html
        assert "<p>internal</p>" not in html


#: The delegations page (R-3, R-4): role -> (own organization's, another's)
DELEGATION_GRID = {
    "delegations.page": {  # the list: 200 for all; True where the scope's delegation shows
        "anonymous": ("login", "login"),
        "member": (True, False),
        "case_admin": (True, False),
        "license_admin": (True, False),
        "partner_active": (False, False),  # the scope delegates to a third partner
        "partner_expired": (False, False),
        "partner_future": (False, False),
        "staff": (True, True),
    },
    "delegation.create": {  # only a customer's license administrator (and staff)
        "anonymous": ("login", "login"),
        "member": (403, 403),
        "case_admin": (403, 403),
        "license_admin": (302, 422),  # another organization is not among the choices
        "partner_active": (403, 403),
        "partner_expired": (403, 403),
        "partner_future": (403, 403),
        "staff": (302, 302),
    },
    "delegation.end": {
        "anonymous": ("login", "login"),
        "member": (403, 404),
        "case_admin": (403, 404),
        "license_admin": (302, 404),
        "partner_active": (404, 404),
        "partner_expired": (404, 404),
        "partner_future": (404, 404),
        "staff": (302, 302),
    },
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(DELEGATION_GRID))
def test_portal_delegation_matrix(
    client: Client,
    world: World,  # noqa: F811  (the imported fixture)
    page: str,
    role: str,
    target: str,
) -> None:
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    scope = world.scopes[target]
    expected = DELEGATION_GRID[page][role][0 if target == "own" else 1]
    before = snapshot()

    if page == "delegations.page":
        response = client.get("/delegations/")
    elif page == "delegation.create":
        data = {"customer": scope.org.pk, "partner": world.fresh_partner.pk, "ends_on": ""}
        response = client.post("/delegations/new/", data)
    else:
        response = client.post(f"/delegations/{scope.delegation.pk}/end/")

    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    elif isinstance(expected, bool):
        assert response.status_code == 200
        row = f"<td>{scope.org.name}</td>\n            <td>{scope.delegation.partner.name}</td>"
        assert (row in response.content.decode()) is expected
    else:
        assert response.status_code == expected
    after = snapshot()
    if expected == 302:
        assert response["Location"] == "/delegations/"
        assert AuditEvent.objects.count() == len(before["AuditEvent"]) + 1
    else:
        assert after == before
