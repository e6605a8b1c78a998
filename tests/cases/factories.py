from __future__ import annotations

from datetime import date, timedelta

import factory

from supportdesk.cases.choices import CaseKind, CaseStatus
from supportdesk.cases.models import (
    Case,
    CaseNumberCounter,
    Comment,
    ContactAttempt,
    DiagnosticsRequest,
    FeatureRequest,
    ManagerRequest,
    Milestone,
    Resolution,
    SeverityChange,
    ThirdPartyReferral,
)
from tests.accounts.factories import CREATED, OrganizationFactory, PersonFactory, StaffFactory
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


class ContactAttemptFactory(factory.django.DjangoModelFactory[ContactAttempt]):
    """An unanswered call, made and logged at CREATED."""

    class Meta:
        model = ContactAttempt

    case = factory.SubFactory(CaseFactory)
    channel = "phone"
    outcome = "no_answer"
    made_by = factory.SubFactory(StaffFactory)
    made_at = CREATED
    logged_at = CREATED


class ResolutionFactory(factory.django.DjangoModelFactory[Resolution]):
    """An action plan keeping a Severity 3 case in progress; build real ones with
    ``resolution_record``."""

    class Meta:
        model = Resolution

    case = factory.SubFactory(CaseFactory, status="in_progress")
    type = "action_plan"
    summary = "A fix in the next patch"
    explanation = "An action plan, its milestones tracked and communicated (R-30)."
    status_before = "in_progress"
    status_after = "in_progress"
    severity_before = 3
    severity_after = 3
    by = factory.SubFactory(StaffFactory)
    at = CREATED


class MilestoneFactory(factory.django.DjangoModelFactory[Milestone]):
    class Meta:
        model = Milestone

    resolution = factory.SubFactory(ResolutionFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = "Patch built"
    due_on = date(2026, 7, 1)


class ManagerRequestFactory(factory.django.DjangoModelFactory[ManagerRequest]):
    class Meta:
        model = ManagerRequest

    case = factory.SubFactory(CaseFactory)
    reason = "Nobody answers"
    requested_by = factory.SelfAttribute("case.opened_by")
    requested_at = CREATED


class FeatureRequestFactory(factory.django.DjangoModelFactory[FeatureRequest]):
    class Meta:
        model = FeatureRequest

    case = factory.SubFactory(CaseFactory)
    title = "Export to Parquet"
    wanted_behaviour = "Reports can be exported as Parquet files."
    use_case = "Our data lake reads Parquet."
    filed_by = factory.SubFactory(StaffFactory)
    filed_at = CREATED


class ThirdPartyReferralFactory(factory.django.DjangoModelFactory[ThirdPartyReferral]):
    class Meta:
        model = ThirdPartyReferral

    case = factory.SubFactory(CaseFactory)
    vendor = "Storage Inc."
    action = "suspected"
    by = factory.SubFactory(StaffFactory)
    at = CREATED


class DiagnosticsRequestFactory(factory.django.DjangoModelFactory[DiagnosticsRequest]):
    class Meta:
        model = DiagnosticsRequest

    case = factory.SubFactory(CaseFactory)
    kind = "log_upload"
    what = "The job logs of last night"
    requested_by = factory.SubFactory(StaffFactory)
    requested_at = CREATED
