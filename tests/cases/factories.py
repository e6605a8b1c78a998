from __future__ import annotations

from datetime import date, timedelta

import factory

from supportdesk.cases.choices import CaseKind, CaseStatus
from supportdesk.cases.models import Case, CaseNumberCounter, Comment, SeverityChange
from tests.accounts.factories import CREATED, OrganizationFactory, PersonFactory
from tests.licensing.factories import LicenseFactory, ProductFactory, SupportIdFactory


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    """A new Severity 3 technical case on a Production program, opened at CREATED, due
    6 hours later; build real ones with ``case_open``."""

    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"C-2026-{900000 + n:06d}")
    organization = factory.SubFactory(OrganizationFactory)
    opened_by = factory.SubFactory(PersonFactory)
    kind = CaseKind.TECHNICAL
    status = CaseStatus.NEW
    product = factory.SubFactory(ProductFactory)
    support_id = factory.SubFactory(
        SupportIdFactory,
        license=factory.SubFactory(
            LicenseFactory,
            organization=factory.SelfAttribute("...organization"),
            product=factory.SelfAttribute("...product"),
            maintenance_until=date(2099, 12, 31),
        ),
    )
    subject = "Backups fail"
    description = "Every job fails at 3 a.m."
    contact_email = "ops@example.com"
    proposed_severity = 3
    severity = 3
    program = "production"
    hours_label = "24x7"
    target_minutes = 360
    clock = "24x7"
    policy_version = "test"
    policy_sha256 = "0" * 64
    time_zone = factory.SelfAttribute("organization.time_zone")
    country = factory.SelfAttribute("organization.country")
    opened_at = CREATED
    updated_at = CREATED
    first_response_due_at = factory.LazyAttribute(
        lambda case: case.opened_at + timedelta(minutes=360)
    )


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    case = factory.SubFactory(CaseFactory)
    author = factory.SubFactory(PersonFactory)
    body = "Any news?"
    internal = False
    created_at = CREATED


class SeverityChangeFactory(factory.django.DjangoModelFactory[SeverityChange]):
    class Meta:
        model = SeverityChange

    case = factory.SubFactory(CaseFactory)
    kind = "proposed"
    to_severity = 3
    at = CREATED


class CaseNumberCounterFactory(factory.django.DjangoModelFactory[CaseNumberCounter]):
    class Meta:
        model = CaseNumberCounter
        django_get_or_create = ("year",)

    year = factory.Sequence(lambda n: 2000 + n)
    last = 0
