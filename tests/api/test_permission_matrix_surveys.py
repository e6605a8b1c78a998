"""The permission matrix of the satisfaction survey (R-34): every role of the main matrix,
plus a support manager, against the survey of the own organization's case and of another's.

A survey's token is its only credential: it opens its own survey (never another), once,
until it expires, whoever holds it and whether or not they are signed in; a session or an
API token adds nothing to it. The results are for support managers only. Each refused call
leaves the database as it was; an answer writes exactly one audit event.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from supportdesk.audit.models import AuditEvent
from supportdesk.surveys.models import Survey
from supportdesk.surveys.services import token_digest
from tests.accounts.factories import ApiTokenFactory, StaffFactory
from tests.api.calls import call
from tests.api.test_permission_matrix import ROLES as CUSTOMER_AND_STAFF_ROLES
from tests.api.test_permission_matrix import TARGETS, World, _build_world, _token
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db

ROLES = (*CUSTOMER_AND_STAFF_ROLES, "manager")
ANSWER = {"resolution": 4, "professionalism": 5, "knowledge": 4, "overall": 5, "comment": "ok"}


@dataclass
class SurveyWorld:
    world: World
    surveys: dict[str, Survey]  # by target
    tokens: dict[str, str]  # the raw token of each target's survey
    expired_token: str


def _role_token(role: str) -> str | None:
    return None if role == "anonymous" else f"sdt_matrix-{role}"


@pytest.fixture(scope="module")
def shared_survey_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[SurveyWorld]:
    with django_db_blocker.unblock(), transaction.atomic():
        world = _build_world()
        manager = StaffFactory.create(staff_role="support_manager")
        ApiTokenFactory.create(user=manager, secret=_role_token("manager"))
        now = timezone.now()
        tokens = {target: f"survey-token-{target}" for target in TARGETS}
        surveys = {
            target: SurveyFactory.create(
                case=world.scopes[target].case,
                token_digest=token_digest(tokens[target]),
                created_at=now - timedelta(days=1),
                expires_at=now + timedelta(days=29),
            )
            for target in TARGETS
        }
        SurveyFactory.create(
            case=world.scopes["own"].case,
            recipient_email="old@example.com",
            token_digest=token_digest("survey-token-expired"),
            created_at=now - timedelta(days=40),
            expires_at=now - timedelta(days=10),
        )
        SurveyFactory.create(  # an answered one, for the results
            case=world.scopes["other"].case,
            recipient_email="done@example.com",
            answered_at=now - timedelta(hours=1),
            resolution=2,
            professionalism=3,
            knowledge=4,
            overall=3,
        )
        yield SurveyWorld(world, surveys, tokens, "survey-token-expired")
        transaction.set_rollback(True)


@pytest.fixture
def sw(shared_survey_world: SurveyWorld, db: None) -> SurveyWorld:
    return shared_survey_world


def state() -> dict[str, Any]:
    return {
        "Survey": list(Survey.objects.order_by("pk").values()),
        "AuditEvent": list(AuditEvent.objects.order_by("pk").values()),
    }


def test_the_roles_reuse_the_main_matrix_tokens() -> None:
    assert [_token(role) for role in CUSTOMER_AND_STAFF_ROLES] == [
        _role_token(role) for role in CUSTOMER_AND_STAFF_ROLES
    ]


@pytest.mark.parametrize(("role", "target"), [(r, t) for r in ROLES for t in TARGETS])
def test_a_token_opens_its_own_survey_whoever_holds_it(
    client: Client, sw: SurveyWorld, role: str, target: str
) -> None:
    before = state()

    status, body = call(client, "GET", f"/surveys/{sw.tokens[target]}", token=_role_token(role))

    assert status == 200
    assert body["case_number"] == sw.world.scopes[target].case.number
    assert [q["key"] for q in body["questions"]] == [
        "resolution",
        "professionalism",
        "knowledge",
        "overall",
    ]
    assert state() == before


@pytest.mark.parametrize(("role", "target"), [(r, t) for r in ROLES for t in TARGETS])
def test_a_token_answers_its_own_survey_once(
    client: Client, sw: SurveyWorld, role: str, target: str
) -> None:
    other = "other" if target == "own" else "own"
    before = state()

    first, body = call(
        client, "POST", f"/surveys/{sw.tokens[target]}", ANSWER, token=_role_token(role)
    )
    after_first = state()
    second, again = call(
        client, "POST", f"/surveys/{sw.tokens[target]}", ANSWER, token=_role_token(role)
    )

    assert (first, second) == (201, 409)
    assert body["case_number"] == sw.world.scopes[target].case.number
    assert again == {
        "errors": [{"field": None, "message": "This survey has been answered already: thank you."}]
    }
    answered = Survey.objects.get(pk=sw.surveys[target].pk)
    assert (answered.overall, answered.comment) == (5, "ok")
    assert Survey.objects.get(pk=sw.surveys[other].pk).answered_at is None
    assert len(after_first["AuditEvent"]) == len(before["AuditEvent"]) + 1
    assert state() == after_first


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("token", "status"), [("survey-token-expired", 409), ("no-such-token", 404)]
)
def test_an_expired_or_unknown_token_opens_nothing(
    client: Client, sw: SurveyWorld, role: str, token: str, status: int
) -> None:
    before = state()

    got, _ = call(client, "GET", f"/surveys/{token}", token=_role_token(role))
    posted, body = call(client, "POST", f"/surveys/{token}", ANSWER, token=_role_token(role))

    assert (got, posted) == (status, status)
    assert set(body) == {"errors"}
    assert state() == before


RESULTS = {
    "anonymous": 401,
    "member": 403,
    "case_admin": 403,
    "license_admin": 403,
    "partner_active": 403,
    "partner_expired": 403,
    "partner_future": 403,
    "staff": 403,
    "manager": 200,
}


def test_the_results_cover_every_role() -> None:
    assert set(RESULTS) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_only_support_managers_see_the_results(client: Client, sw: SurveyWorld, role: str) -> None:
    before = state()

    status, body = call(client, "GET", "/surveys", token=_role_token(role))

    assert status == RESULTS[role]
    if status == 200:
        assert [(r["case_number"], r["overall"]) for r in body["items"]] == [
            (sw.world.scopes["other"].case.number, 3)
        ]
    else:
        assert set(body) == {"errors"}
    assert state() == before
