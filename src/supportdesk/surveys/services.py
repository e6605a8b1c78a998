"""Inviting to and answering the satisfaction survey (R-34).

A survey's token has 256 bits of randomness; only its SHA-256 is stored. The token opens
its own survey only (its case, its recipient), once, until it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from supportdesk.audit.services import audit_event_record
from supportdesk.cases.models import Case
from supportdesk.errors import Conflict
from supportdesk.notifications.services import mail_queue, recipient_language
from supportdesk.surveys.choices import SCALE, Question
from supportdesk.surveys.models import Survey


class SurveyNotFound(Survey.DoesNotExist):
    """No survey has this token (or it is malformed): the same answer for both."""


class SurveyExpired(Conflict):
    pass


class SurveyAnswered(Conflict):
    pass


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_link(token: str) -> str:
    return f"{settings.SUPPORTDESK_SITE_URL}/survey/{token}/"


def survey_invite(*, case: Case, at: datetime) -> Survey | None:
    """Invite the case's contact to the survey (R-34), inside the transaction that closes the
    case: the survey row and its mail commit with the closing. A case closed again (after a
    reopening) invites nobody twice."""
    address = (case.contact_email or "").strip()
    if not address or Survey.objects.filter(case=case, recipient_email=address).exists():
        return None
    token = secrets.token_urlsafe(32)  # 256 bits
    language = recipient_language(address, default=case.organization.language)
    days = float(settings.SUPPORTDESK_SURVEY_DAYS)
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                case=case,
                recipient_email=address,
                language=language,
                token_digest=token_digest(token),
                created_at=at,
                expires_at=at + timedelta(days=days),
            )
    except IntegrityError:
        return None  # invited by a concurrent closing
    mail_queue(
        to=address,
        language=language,
        template="survey_invite",
        context={
            "number": case.number,
            "subject": case.subject,
            "link": survey_link(token),
            "days": int(days),
        },
        thread=case.number,
        dedup_key=f"survey:{survey.pk}",
        at=at,
        redact_after_send=True,  # the link opens the survey: not kept once delivered
    )
    return survey


def survey_by_token(token: str, *, at: datetime) -> Survey:
    """The survey ``token`` opens, if still open; refused with SurveyNotFound (unknown),
    SurveyAnswered (used) or SurveyExpired."""
    if not token or len(token) > 100:
        raise SurveyNotFound("No such survey.")
    survey = Survey.objects.select_related("case").filter(token_digest=token_digest(token)).first()
    if survey is None:
        raise SurveyNotFound("No such survey.")
    _check_open(survey, at)
    return survey


def _check_open(survey: Survey, at: datetime) -> None:
    if survey.answered_at is not None:
        raise SurveyAnswered("This survey has been answered already: thank you.")
    if at >= survey.expires_at:
        raise SurveyExpired("This survey link has expired.")


def survey_of_case(*, case: Case, email: str, at: datetime) -> Survey:
    """The survey of ``case`` sent to ``email``, for its recipient signed in to the portal
    (the case page links it once the case is closed); refused as :func:`survey_by_token`
    refuses. The caller has checked that the person sees the case."""
    address = (email or "").strip()
    found = (
        Survey.objects.select_related("case")
        .filter(case=case, recipient_email__iexact=address)
        .first()
        if address
        else None
    )
    if found is None:
        raise SurveyNotFound("No such survey.")
    _check_open(found, at)
    return found


@transaction.atomic
def survey_answer(
    *,
    token: str = "",
    survey: Survey | None = None,
    answers: Mapping[str, object],
    comment: str = "",
    at: datetime,
) -> Survey:
    """Record the answers to the four questions (R-34), once; each is a whole number from 1
    to 5, refused naming its question. The survey is the one ``token`` opens, or ``survey``
    as :func:`survey_of_case` found it for its signed-in recipient."""
    found = survey if survey is not None else survey_by_token(token, at=at)
    survey = Survey.objects.select_for_update().get(pk=found.pk)
    _check_open(survey, at)  # again, under the row lock: one answer only
    errors: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    for question in Question.values:
        value = answers.get(question)
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
            errors[question] = [f"Answer with a whole number from 1 to 5, not {value!r}."]
        else:
            scores[question] = value
    unknown = sorted(set(answers) - set(Question.values))
    for name in unknown:
        errors[name] = ["Not a question of this survey."]
    text = (comment or "").strip()
    if len(text) > 5000:
        errors["comment"] = ["At most 5000 characters."]
    if errors:
        raise ValidationError(errors)
    for question, score in scores.items():
        setattr(survey, question, score)
    survey.comment = text
    survey.answered_at = at
    survey.save(update_fields=[*scores, "comment", "answered_at"])
    audit_event_record(
        actor=None,
        action="survey.answer",
        target=survey,
        changes={name: [None, value] for name, value in {**scores, "comment": text}.items()},
        at=at,
    )
    return survey
