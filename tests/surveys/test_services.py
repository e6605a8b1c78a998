"""The satisfaction survey (R-34): invited when a case closes, a token that opens its own
survey once until it expires, stored hashed; the four answers checked one by one."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from supportdesk.audit.models import AuditEvent
from supportdesk.cases import services as cases
from supportdesk.notifications.models import OutboundMail
from supportdesk.notifications.services import outbox_deliver
from supportdesk.surveys import services
from supportdesk.surveys.models import Survey
from tests.accounts.factories import CREATED, StaffFactory
from tests.cases.factories import CaseFactory
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db

ANSWERS = {"resolution": 5, "professionalism": 4, "knowledge": 3, "overall": 4}
LINK = re.compile(r"http://localhost:8000/survey/([A-Za-z0-9_-]+)/")


def close(case, at=CREATED + timedelta(days=1)):
    staff = StaffFactory.create()
    cases.case_transition(
        actor=staff, case=case, status="closed", expected_version=case.version, at=at
    )


def invited(case) -> str:
    """The token in the survey mail of ``case``."""
    (mail,) = OutboundMail.objects.filter(kind="survey_invite", thread=case.number)
    match = LINK.search(mail.body)
    assert match is not None, mail.body
    return match.group(1)


def test_closing_a_case_invites_its_contact_with_a_private_link() -> None:
    case = CaseFactory.create(status="resolved", contact_email="ops@acme.example")

    close(case)

    (survey,) = Survey.objects.all()
    token = invited(case)
    assert len(token) == 43  # 32 random bytes, 256 bits
    assert survey.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(Survey.objects.values()))
    assert (survey.case, survey.recipient_email, survey.expires_at) == (
        case,
        "ops@acme.example",
        CREATED + timedelta(days=31),
    )
    (mail,) = OutboundMail.objects.filter(kind="survey_invite")
    assert mail.subject == f"[{case.number}] How did we do? Backups fail"
    # the link is not kept once the mail is delivered
    outbox_deliver(now=CREATED + timedelta(days=1))
    mail.refresh_from_db()
    assert (mail.status, token in mail.body) == ("sent", False)


def test_a_case_is_surveyed_once_however_often_it_is_closed() -> None:
    case = CaseFactory.create(status="resolved")
    close(case)

    again = services.survey_invite(case=case, at=CREATED + timedelta(days=3))

    assert again is None
    assert Survey.objects.count() == 1
    assert OutboundMail.objects.filter(kind="survey_invite").count() == 1


def test_a_token_opens_its_own_survey_once() -> None:
    first, second = CaseFactory.create(status="resolved"), CaseFactory.create(status="resolved")
    close(first)
    close(second)
    token = invited(first)
    at = CREATED + timedelta(days=2)

    assert services.survey_by_token(token, at=at).case == first
    answered = services.survey_answer(token=token, answers=ANSWERS, comment=" Quick. ", at=at)

    assert (answered.case, answered.resolution, answered.overall, answered.comment) == (
        first,
        5,
        4,
        "Quick.",
    )
    assert answered.answered_at == at
    assert Survey.objects.get(case=second).answered_at is None
    with pytest.raises(services.SurveyAnswered):
        services.survey_answer(token=token, answers=ANSWERS, at=at)
    with pytest.raises(services.SurveyAnswered):
        services.survey_by_token(token, at=at)
    (event,) = AuditEvent.objects.filter(action="survey.answer")
    assert event.changes["overall"] == [None, 4]


@pytest.mark.parametrize("token", ["", "nope", "x" * 200])
def test_an_unknown_token_opens_nothing(token: str) -> None:
    with pytest.raises(services.SurveyNotFound):
        services.survey_by_token(token, at=CREATED)


def test_a_token_expires() -> None:
    case = CaseFactory.create(status="resolved")
    close(case)
    token = invited(case)

    with pytest.raises(services.SurveyExpired):
        services.survey_answer(token=token, answers=ANSWERS, at=CREATED + timedelta(days=31))
    assert Survey.objects.get().answered_at is None


def test_each_bad_answer_is_refused_naming_its_question_and_nothing_is_saved() -> None:
    case = CaseFactory.create(status="resolved")
    close(case)
    token = invited(case)

    with pytest.raises(ValidationError) as refused:
        services.survey_answer(
            token=token,
            answers={"resolution": 0, "professionalism": True, "knowledge": "3", "mood": 5},
            at=CREATED + timedelta(days=2),
        )

    assert refused.value.message_dict == {
        "resolution": ["Answer with a whole number from 1 to 5, not 0."],
        "professionalism": ["Answer with a whole number from 1 to 5, not True."],
        "knowledge": ["Answer with a whole number from 1 to 5, not '3'."],
        "overall": ["Answer with a whole number from 1 to 5, not None."],
        "mood": ["Not a question of this survey."],
    }
    assert Survey.objects.get().answered_at is None


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_the_four_questions_and_takes_the_answers_without_script(
    client: Client,
) -> None:
    case = CaseFactory.create(status="resolved")
    close(case, at=timezone.now())
    token = invited(case)
    url = f"/survey/{token}/"

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    for text in (
        "How satisfied are you with the resolution of your case?",
        "How professional was our support?",
        "How would you rate the analyst&#x27;s knowledge?",
        "Overall, how satisfied are you with our support?",
    ):
        assert text in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None  # no inline script

    bad = client.post(url, {"resolution": "9", "professionalism": "4", "knowledge": "4"})
    assert bad.status_code == 422
    assert "Answer with a whole number from 1 to 5, not 9." in bad.content.decode()
    assert Survey.objects.get().answered_at is None

    done = client.post(url, {**{k: str(v) for k, v in ANSWERS.items()}, "comment": "ok"})
    assert done.status_code == 200
    assert "Thank you" in done.content.decode()
    assert Survey.objects.get().overall == 4

    again = client.get(url)
    assert again.status_code == 410
    assert client.get("/survey/not-a-token/").status_code == 404


def test_a_czech_contact_reads_the_survey_in_czech(client: Client) -> None:
    case = CaseFactory.create(status="resolved", organization__language="cs")
    close(case, at=timezone.now())
    token = invited(case)

    mail = OutboundMail.objects.get(kind="survey_invite")
    assert mail.subject == f"[{case.number}] Jak jsme si vedli? Backups fail"
    assert (
        "Jak jste celkově spokojeni s naší podporou?"
        in client.get(f"/survey/{token}/").content.decode()
    )


def test_a_case_s_survey_is_found_for_its_recipient_signed_in() -> None:
    survey = SurveyFactory.create(
        recipient_email="Ops@Acme.example", created_at=datetime.now(UTC) - timedelta(days=1)
    )
    now = datetime.now(UTC)

    found = services.survey_of_case(case=survey.case, email="ops@acme.example", at=now)

    assert found == survey
    with pytest.raises(services.SurveyNotFound):
        services.survey_of_case(case=survey.case, email="someone@acme.example", at=now)
    with pytest.raises(services.SurveyNotFound):
        services.survey_of_case(case=survey.case, email="", at=now)
    with pytest.raises(services.SurveyExpired):
        services.survey_of_case(
            case=survey.case, email="ops@acme.example", at=now + timedelta(days=60)
        )
