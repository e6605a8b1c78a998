"""The satisfaction survey page (R-34), opened by the link mailed when a case closes: a plain
form, rendered on the server, that works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case
from supportdesk.cases.selectors import case_get
from supportdesk.ratelimit import rate_limited
from supportdesk.surveys import services
from supportdesk.surveys.choices import QUESTIONS_CS, SCALE, Question
from supportdesk.surveys.models import Survey

TEMPLATE = "portal/pages/survey.html"


def _questions(survey: Survey, values: dict[str, Any], language: str = "") -> list[dict[str, Any]]:
    czech = (language or survey.language).split("-")[0].lower() == "cs"
    return [
        {
            "key": q.value,
            "text": QUESTIONS_CS[q.value] if czech else str(q.label),
            "value": values.get(q.value),
        }
        for q in Question
    ]


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context = {"title": _("Satisfaction survey"), **context}
    response = render(request, TEMPLATE, context, status=status)
    # The address holds the survey's token: it never leaves the site as a referrer. Not
    # "no-referrer": with it the browser sends "Origin: null" with the form, and the CSRF
    # check refuses the answers (found by the browser test).
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("survey")  # a guesser of tokens gets a few tries a minute
def survey(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    try:
        found = services.survey_by_token(token, at=now)
    except services.SurveyNotFound:
        return _page(request, {"closed": "This survey link is not valid."}, status=404)
    except (services.SurveyAnswered, services.SurveyExpired) as exc:
        return _page(request, {"closed": exc.message}, status=410)
    if request.method == "GET":
        return _page(request, {"survey": found, "questions": _questions(found, {}), "scale": SCALE})
    raw = {q: request.POST.get(q, "") for q in Question.values}
    answers: dict[str, object] = {k: int(v) if v.isdigit() else v for k, v in raw.items()}
    try:
        services.survey_answer(
            token=token, answers=answers, comment=request.POST.get("comment", ""), at=now
        )
    except ValidationError as exc:
        return _page(
            request,
            {
                "survey": found,
                "questions": _questions(found, answers),
                "scale": SCALE,
                "errors": exc.message_dict,
                "comment": request.POST.get("comment", ""),
            },
            status=422,
        )
    except (services.SurveyAnswered, services.SurveyExpired) as exc:
        return _page(request, {"closed": exc.message}, status=410)
    return _page(request, {"thanks": True})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_survey(request: HttpRequest, number: str) -> HttpResponse:
    """The survey of a closed case for its contact, signed in: linked from the case page, the
    same questions as the mailed link's, in the page's language."""
    now = timezone.now()
    user = request.user
    assert isinstance(user, User)
    try:
        case = case_get(number, viewer=user, at=now)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None
    try:
        found = services.survey_of_case(case=case, email=user.email, at=now)
    except services.SurveyNotFound:
        raise Http404("No such survey.") from None
    except (services.SurveyAnswered, services.SurveyExpired) as exc:
        return _page(request, {"closed": exc.message}, status=410)
    language = get_language() or "en"
    if request.method == "GET":
        questions = _questions(found, {}, language)
        return _page(request, {"survey": found, "questions": questions, "scale": SCALE})
    raw = {q: request.POST.get(q, "") for q in Question.values}
    answers: dict[str, object] = {k: int(v) if v.isdigit() else v for k, v in raw.items()}
    try:
        services.survey_answer(
            survey=found, answers=answers, comment=request.POST.get("comment", ""), at=now
        )
    except ValidationError as exc:
        return _page(
            request,
            {
                "survey": found,
                "questions": _questions(found, answers, language),
                "scale": SCALE,
                "errors": exc.message_dict,
                "comment": request.POST.get("comment", ""),
            },
            status=422,
        )
    except (services.SurveyAnswered, services.SurveyExpired) as exc:
        return _page(request, {"closed": exc.message}, status=410)
    return _page(request, {"thanks": True, "case": case})
