from __future__ import annotations

from datetime import timedelta

import factory

from supportdesk.surveys.models import Survey
from supportdesk.surveys.services import token_digest
from tests.accounts.factories import CREATED
from tests.cases.factories import CaseFactory


class SurveyFactory(factory.django.DjangoModelFactory[Survey]):
    """An open survey; its token is ``survey-<n>`` (``SurveyFactory.token(survey)``)."""

    class Meta:
        model = Survey

    case = factory.SubFactory(CaseFactory, status="closed")
    recipient_email = factory.SelfAttribute("case.contact_email")
    token_digest = factory.Sequence(lambda n: token_digest(f"survey-{n}"))
    created_at = CREATED
    expires_at = factory.LazyAttribute(lambda s: s.created_at + timedelta(days=30))
