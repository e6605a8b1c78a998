"""The satisfaction survey (R-34): its link's token opens its own survey, once; management
reads the results.

``/surveys/{token}`` needs no sign-in: the token (256 bits, stored hashed) is the
credential. An unknown token answers 404, a used one or an expired one 409.
"""

# No `from __future__ import annotations`: @paginate has ninja read the views' annotations.

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from ninja.throttling import BaseThrottle
from pydantic import Field

from supportdesk.accounts.choices import StaffRole
from supportdesk.accounts.models import User
from supportdesk.api.accounts import ERRORS, PAGE_SIZE
from supportdesk.api.auth import SIGNED_IN
from supportdesk.api.pagination import Pages
from supportdesk.api.throttling import RateLimit
from supportdesk.surveys import selectors, services
from supportdesk.surveys.choices import QUESTIONS_CS, Question
from supportdesk.surveys.models import Survey

router = Router(tags=["surveys"])


class QuestionOut(Schema):
    key: str
    text: str


class SurveyOut(Schema):
    case_number: str
    case_subject: str
    language: str
    questions: list[QuestionOut] = Field(description="each answered with 1 (poor) to 5 (great)")
    expires_at: datetime


class AnswerIn(Schema):
    resolution: int = Field(description="case resolution, 1 to 5")
    professionalism: int = Field(description="professionalism, 1 to 5")
    knowledge: int = Field(description="the analyst's knowledge, 1 to 5")
    overall: int = Field(description="overall satisfaction, 1 to 5")
    comment: str = ""


class ResultOut(Schema):
    id: int
    case_number: str
    recipient_email: str
    answered_at: datetime
    resolution: int
    professionalism: int
    knowledge: int
    overall: int
    comment: str

    @staticmethod
    def resolve_case_number(obj: Survey) -> str:
        return obj.case.number


def questions(language: str) -> list[QuestionOut]:
    czech = language.split("-")[0].lower() == "cs"
    return [
        QuestionOut(key=q.value, text=QUESTIONS_CS[q.value] if czech else str(q.label))
        for q in Question
    ]


def _out(survey: Survey) -> SurveyOut:
    return SurveyOut(
        case_number=survey.case.number,
        case_subject=survey.case.subject,
        language=survey.language,
        questions=questions(survey.language),
        expires_at=survey.expires_at,
    )


#: The API's own limit, and the survey limit per address (token guessing).
SURVEY_LIMITS: list[BaseThrottle] = [
    RateLimit("api", anonymous="api-anonymous"),
    RateLimit("survey"),
]


@router.get(
    "/surveys/{token}", response={200: SurveyOut, **ERRORS}, auth=None, throttle=SURVEY_LIMITS
)
def survey_get(request: HttpRequest, token: str) -> SurveyOut:
    """The survey the token opens: its case and its four questions."""
    return _out(services.survey_by_token(token, at=timezone.now()))


@router.post(
    "/surveys/{token}", response={201: SurveyOut, **ERRORS}, auth=None, throttle=SURVEY_LIMITS
)
def survey_post(request: HttpRequest, token: str, answer: AnswerIn) -> Status[SurveyOut]:
    """Answer the survey, once."""
    survey = services.survey_answer(
        token=token,
        answers=answer.model_dump(exclude={"comment"}),
        comment=answer.comment,
        at=timezone.now(),
    )
    return Status(201, _out(survey))


@router.get("/surveys", response={200: list[ResultOut], **ERRORS}, auth=SIGNED_IN)
@paginate(Pages, page_size=PAGE_SIZE)
def survey_results(request: HttpRequest) -> QuerySet[Survey]:
    """Answered surveys, newest first: for support managers (R-34: management sees them)."""
    user = request.user
    if not (
        isinstance(user, User)
        and user.is_staff
        and (user.is_superuser or user.staff_role == StaffRole.SUPPORT_MANAGER)
    ):
        raise PermissionDenied("Survey results are for support managers (R-34).")
    return selectors.survey_results()
