from __future__ import annotations

import factory

from supportdesk.routing.choices import AssignmentKind, NumberKind, Seniority, Tier
from supportdesk.routing.models import CaseAssignment, EngineerProfile, Queue, SupportNumber
from tests.accounts.factories import CREATED, EngineerFactory
from tests.cases.factories import CaseFactory

#: Monday to Friday, 08:00 to 16:00 in the profile's time zone.
DAY_SHIFT = [{"days": "mon-fri", "start": "08:00", "end": "16:00"}]


class QueueFactory(factory.django.DjangoModelFactory[Queue]):
    """An English L1 queue for every product and region."""

    class Meta:
        model = Queue

    code = factory.Sequence(lambda n: f"l1-en-{n}")
    name = factory.Sequence(lambda n: f"L1 English {n}")
    tier = Tier.L1
    product = None
    language = "en"
    region = ""


class EngineerProfileFactory(factory.django.DjangoModelFactory[EngineerProfile]):
    """An L1 engineer in Berlin speaking English, on the day shift."""

    class Meta:
        model = EngineerProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(EngineerFactory)
    tier = Tier.L1
    seniority = Seniority.REGULAR
    languages = factory.LazyFunction(lambda: ["en"])
    time_zone = "Europe/Berlin"
    shifts = factory.LazyFunction(lambda: list(DAY_SHIFT))
    on_call = False
    pdm_on_duty = False

    @factory.post_generation
    def products(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.products.set(extracted)

    @factory.post_generation
    def queues(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.queues.set(extracted)


class CaseAssignmentFactory(factory.django.DjangoModelFactory[CaseAssignment]):
    class Meta:
        model = CaseAssignment

    case = factory.SubFactory(CaseFactory)
    kind = AssignmentKind.ROUTED
    tier = Tier.L1
    language = "en"
    at = CREATED


class SupportNumberFactory(factory.django.DjangoModelFactory[SupportNumber]):
    """A German toll-free support number."""

    class Meta:
        model = SupportNumber

    country = "DE"
    number = factory.Sequence(lambda n: f"+49800{1000000 + n}")
    kind = NumberKind.TOLL_FREE
    label = "English, German"
