"""Working a case (R-27 to R-35): contact attempts and what follows them.

Everyone who may see a case reads these; support writes them. Every write names the
``expected_version`` of the case it read (409 when stale); a case the caller may not see
answers 404, whatever the operation.
"""

# No `from __future__ import annotations`: ninja reads the views' annotations.

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from supportdesk.accounts.models import User
from supportdesk.api.accounts import ERRORS
from supportdesk.api.auth import SIGNED_IN
from supportdesk.api.types import Instant
from supportdesk.cases import selectors, services
from supportdesk.cases.models import (
    Case,
    DiagnosticsRequest,
    FeatureRequest,
    ManagerRequest,
    Milestone,
    Resolution,
    ThirdPartyReferral,
)

router = Router(auth=SIGNED_IN)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the router's auth lets only signed-in people through
    return user


def _case(request: HttpRequest, number: str) -> Case:
    return selectors.case_get(number, viewer=_user(request), at=timezone.now())


# --- contact attempts (R-29) -------------------------------------------------------------------

Channel = Literal["phone", "email"]
Outcome = Literal["no_answer", "voicemail", "busy", "no_reply", "reached"]


class ContactAttemptIn(Schema):
    expected_version: int = Field(description="the case's version you read")
    channel: Channel
    outcome: Outcome = Field(
        description="phone: no_answer, voicemail, busy or reached; email: no_reply or reached"
    )
    note: str = ""
    made_at: Instant | None = Field(None, description="when it was made; default: now")


class ContactAttemptOut(Schema):
    id: int
    channel: str
    outcome: str
    note: str
    made_by: str
    made_at: datetime
    local_date: date = Field(description="the day it was on the customer's calendar")
    counted: bool = Field(description="whether it counts toward the three of R-29")
    number: int | None = Field(description="1, 2 or 3: which counted business day it was")
    why: str


class ContactAttemptsOut(Schema):
    required: int = Field(description="attempts on this many different business days (R-29)")
    count: int
    remaining: int
    closable_from: datetime | None = Field(description="when the case may be closed, if so")
    counting_since: datetime | None = Field(description="the customer's last answer")
    summary: str
    attempts: list[ContactAttemptOut]


def _attempts(case: Case) -> dict[str, Any]:
    count = selectors.contact_attempt_count(case)
    rows = list(selectors.contact_attempts_of(case))
    judged = list(count.judged)
    out = []
    for row in rows:  # both ordered by the time made; the count's order is stable
        j = next(
            j
            for j in judged
            if (j.attempt.at, j.attempt.outcome, j.attempt.channel)
            == (row.made_at, row.outcome, row.channel)
        )
        judged.remove(j)
        out.append(
            {
                "id": row.pk,
                "channel": row.channel,
                "outcome": row.outcome,
                "note": row.note,
                "made_by": row.made_by.username,
                "made_at": row.made_at,
                "local_date": j.local_date,
                "counted": j.counted,
                "number": j.number,
                "why": j.why,
            }
        )
    return {
        "required": count.required,
        "count": count.count,
        "remaining": count.remaining,
        "closable_from": count.closable_from,
        "counting_since": count.counting_since,
        "summary": count.summary(),
        "attempts": out,
    }


@router.get(
    "/cases/{number}/contact-attempts",
    response={200: ContactAttemptsOut, **ERRORS},
    tags=["contact attempts"],
    summary="Attempts to reach the customer and where the count of R-29 stands",
)
def contact_attempt_list(request: HttpRequest, number: str) -> dict[str, Any]:
    return _attempts(_case(request, number))


@router.post(
    "/cases/{number}/contact-attempts",
    response={201: ContactAttemptsOut, **ERRORS},
    tags=["contact attempts"],
    summary="Log an attempt to reach the customer (support, R-29)",
    description=(
        "An unanswered attempt puts the case in waiting_for_customer; reaching the customer "
        "takes it back to in_progress. After unanswered attempts on three different business "
        "days of the customer the worker closes the case from the customer's next business day."
    ),
)
def contact_attempt_log(
    request: HttpRequest, number: str, payload: ContactAttemptIn
) -> Status[Any]:
    case = _case(request, number)
    services.contact_attempt_log(
        actor=_user(request),
        case=case,
        channel=payload.channel,
        outcome=payload.outcome,
        note=payload.note,
        made_at=payload.made_at,
        expected_version=payload.expected_version,
        at=timezone.now(),
    )
    return Status(201, _attempts(_case(request, number)))


# --- resolutions (R-30, R-31) ---------------------------------------------------------------------

ResolutionKind = Literal[
    "software_fix",
    "permanent_workaround",
    "temporary_workaround",
    "action_plan",
    "enhancement_needed",
    "out_of_scope",
]
OutOfScopeReason = Literal["", "installation", "configuration", "upgrade", "custom_scripts"]


class MilestoneIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    due_on: date
    depends_on: str = Field("", description="what it waits for")


class ResolutionIn(Schema):
    expected_version: int = Field(description="the case's version you read")
    type: ResolutionKind
    summary: str = Field(min_length=1, description="the fix, the workaround, the plan, the reason")
    new_severity: int | None = Field(
        None, description="a lower severity (a higher number): required for a temporary workaround"
    )
    out_of_scope_reason: OutOfScopeReason = Field("", description="for out_of_scope (R-31)")
    milestones: list[MilestoneIn] = Field(
        default_factory=list, description="an action plan's milestones (R-30)"
    )


class MilestoneOut(Schema):
    id: int
    position: int
    title: str
    due_on: date
    depends_on: str
    done_at: datetime | None


class ResolutionOut(Schema):
    id: int
    type: str
    summary: str
    out_of_scope_reason: str
    explanation: str = Field(description="what it did to the case")
    status_before: str
    status_after: str
    severity_before: int
    severity_after: int
    by: str
    at: datetime
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_by(obj: Resolution) -> str:
        return obj.by.username

    @staticmethod
    def resolve_milestones(obj: Resolution) -> list[Milestone]:
        return list(obj.milestones.all())


class Versioned(Schema):
    expected_version: int = Field(description="the case's version you read")


@router.get(
    "/cases/{number}/resolutions",
    response={200: list[ResolutionOut], **ERRORS},
    tags=["resolutions"],
    summary="The case's resolutions, with action plans and their milestones (R-30)",
)
def resolution_list(request: HttpRequest, number: str) -> Any:
    return list(selectors.resolutions_of(_case(request, number)))


@router.post(
    "/cases/{number}/resolutions",
    response={201: ResolutionOut, **ERRORS},
    tags=["resolutions"],
    summary="Resolve the case (support, R-30, R-31)",
    description=(
        "software_fix, permanent_workaround, enhancement_needed and out_of_scope (with its "
        "out_of_scope_reason) close the case; temporary_workaround keeps it open and lowers "
        "the severity (new_severity); action_plan keeps it open with milestones and may lower "
        "the severity. The customer is told."
    ),
)
def resolution_record(request: HttpRequest, number: str, payload: ResolutionIn) -> Status[Any]:
    resolution = services.resolution_record(
        actor=_user(request),
        case=_case(request, number),
        type=payload.type,
        summary=payload.summary,
        new_severity=payload.new_severity,
        out_of_scope_reason=payload.out_of_scope_reason,
        milestones=[services.MilestoneIn(**m.model_dump()) for m in payload.milestones],
        expected_version=payload.expected_version,
        at=timezone.now(),
    )
    return Status(201, resolution)


@router.post(
    "/cases/{number}/milestones/{milestone_id}/done",
    response={200: MilestoneOut, **ERRORS},
    tags=["resolutions"],
    summary="Mark a milestone of the action plan reached (support, R-30); the customer is told",
)
def milestone_done(
    request: HttpRequest, number: str, milestone_id: int, payload: Versioned
) -> Milestone:
    case = _case(request, number)
    return services.milestone_complete(
        actor=_user(request),
        milestone=selectors.milestone_of(case, milestone_id),
        expected_version=payload.expected_version,
        at=timezone.now(),
    )


# --- talk to a manager (R-32) ---------------------------------------------------------------------


class ManagerRequestIn(Schema):
    reason: str = Field(min_length=1, description="what you are unhappy with")


class ManagerAnswerIn(Schema):
    answer: str = Field(min_length=1)
    resources_adjusted: str = Field("", description="engineers, priority... changed, if any")


class ManagerRequestOut(Schema):
    id: int
    case: str
    reason: str
    requested_by: str
    requested_at: datetime
    status: str
    answer: str
    resources_adjusted: str
    answered_by: str | None
    answered_at: datetime | None

    @staticmethod
    def resolve_case(obj: ManagerRequest) -> str:
        return obj.case.number

    @staticmethod
    def resolve_requested_by(obj: ManagerRequest) -> str:
        return obj.requested_by.username

    @staticmethod
    def resolve_answered_by(obj: ManagerRequest) -> str | None:
        return obj.answered_by.username if obj.answered_by else None


@router.get(
    "/cases/{number}/manager-requests",
    response={200: list[ManagerRequestOut], **ERRORS},
    tags=["talk to a manager"],
    summary='The case\'s "Talk to a manager" requests and their answers (R-32)',
)
def manager_request_list(request: HttpRequest, number: str) -> Any:
    return list(selectors.manager_requests_of(_case(request, number)))


@router.post(
    "/cases/{number}/manager-requests",
    response={201: ManagerRequestOut, **ERRORS},
    tags=["talk to a manager"],
    summary="Talk to a manager: unhappy with the handling, at any point (customer, R-32)",
)
def manager_request_open(
    request: HttpRequest, number: str, payload: ManagerRequestIn
) -> Status[Any]:
    made = services.manager_request_open(
        actor=_user(request), case=_case(request, number), reason=payload.reason, at=timezone.now()
    )
    return Status(201, made)


@router.post(
    "/cases/{number}/manager-requests/{request_id}/answer",
    response={200: ManagerRequestOut, **ERRORS},
    tags=["talk to a manager"],
    summary="Answer a request, saying what resources were adjusted (support manager, R-32)",
)
def manager_request_answer(
    request: HttpRequest, number: str, request_id: int, payload: ManagerAnswerIn
) -> ManagerRequest:
    case = _case(request, number)
    return services.manager_request_answer(
        actor=_user(request),
        request=selectors.manager_request_of(case, request_id),
        answer=payload.answer,
        resources_adjusted=payload.resources_adjusted,
        at=timezone.now(),
    )


@router.get(
    "/manager-requests",
    response={200: list[ManagerRequestOut], **ERRORS},
    tags=["talk to a manager"],
    summary="The support managers' queue: open requests, oldest first (staff, R-32)",
)
def manager_request_queue(request: HttpRequest) -> Any:
    return list(selectors.manager_requests_open(viewer=_user(request)))


# --- feature requests (R-33) ----------------------------------------------------------------------


class FeatureRequestIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    wanted_behaviour: str = Field(min_length=1)
    use_case: str = Field(min_length=1)
    reference: str = Field("", max_length=100, description="its id in the product's tracker")


class FeatureRequestOut(Schema):
    id: int
    title: str
    wanted_behaviour: str
    use_case: str
    reference: str
    filed_by: str
    filed_at: datetime

    @staticmethod
    def resolve_filed_by(obj: FeatureRequest) -> str:
        return obj.filed_by.username


@router.get(
    "/cases/{number}/feature-requests",
    response={200: list[FeatureRequestOut], **ERRORS},
    tags=["feature requests"],
    summary="Feature requests filed from the case (R-33)",
)
def feature_request_list(request: HttpRequest, number: str) -> Any:
    return list(selectors.feature_requests_of(_case(request, number)))


@router.post(
    "/cases/{number}/feature-requests",
    response={201: FeatureRequestOut, **ERRORS},
    tags=["feature requests"],
    summary="File a feature request for the customer (support, R-33)",
)
def feature_request_file(
    request: HttpRequest, number: str, payload: FeatureRequestIn
) -> Status[Any]:
    filed = services.feature_request_file(
        actor=_user(request), case=_case(request, number), at=timezone.now(), **payload.model_dump()
    )
    return Status(201, filed)


# --- third-party software (R-35) ------------------------------------------------------------------

ThirdPartyActionIn = Literal[
    "suspected", "removal_requested", "tsanet", "customer_opens_vendor_case"
]


class ThirdPartyIn(Schema):
    expected_version: int = Field(description="the case's version you read")
    vendor: str = Field(min_length=1, max_length=200)
    action: ThirdPartyActionIn = Field(
        description="tsanet puts the case in waiting_for_third_party"
    )
    product: str = Field("", max_length=200)
    reference: str = Field("", max_length=100, description="the TSANet or vendor case number")
    note: str = ""


class ThirdPartyOut(Schema):
    id: int
    vendor: str
    product: str
    action: str
    reference: str
    note: str
    by: str
    at: datetime

    @staticmethod
    def resolve_by(obj: ThirdPartyReferral) -> str:
        return obj.by.username


@router.get(
    "/cases/{number}/third-party",
    response={200: list[ThirdPartyOut], **ERRORS},
    tags=["third-party software"],
    summary="What support did about third-party products on the case (R-35)",
)
def third_party_list(request: HttpRequest, number: str) -> Any:
    return list(selectors.third_party_referrals_of(_case(request, number)))


@router.post(
    "/cases/{number}/third-party",
    response={201: ThirdPartyOut, **ERRORS},
    tags=["third-party software"],
    summary="Record a third-party product, its removal, a TSANet referral (support, R-35)",
)
def third_party_record(request: HttpRequest, number: str, payload: ThirdPartyIn) -> Status[Any]:
    made = services.third_party_record(
        actor=_user(request), case=_case(request, number), at=timezone.now(), **payload.model_dump()
    )
    return Status(201, made)


# --- diagnostics (R-27) ---------------------------------------------------------------------------


class DiagnosticsIn(Schema):
    expected_version: int = Field(description="the case's version you read")
    kind: Literal["log_upload", "remote_session"]
    what: str = Field(min_length=1, description="which logs or checks are needed")
    session_at: Instant | None = Field(None, description="for a remote session")


class DiagnosticsFulfilIn(Schema):
    findings: str = Field(min_length=1, description="what the offline analysis found")


class DiagnosticsOut(Schema):
    id: int
    kind: str
    what: str
    session_at: datetime | None
    requested_by: str
    requested_at: datetime
    fulfilled_at: datetime | None
    findings: str

    @staticmethod
    def resolve_requested_by(obj: DiagnosticsRequest) -> str:
        return obj.requested_by.username


@router.get(
    "/cases/{number}/diagnostics",
    response={200: list[DiagnosticsOut], **ERRORS},
    tags=["diagnostics"],
    summary="Diagnostics support asked for: log uploads and remote sessions (R-27)",
)
def diagnostics_list(request: HttpRequest, number: str) -> Any:
    return list(selectors.diagnostics_requests_of(_case(request, number)))


@router.post(
    "/cases/{number}/diagnostics",
    response={201: DiagnosticsOut, **ERRORS},
    tags=["diagnostics"],
    summary="Ask for a log upload or a remote session; the case waits for the customer (R-27)",
)
def diagnostics_request(request: HttpRequest, number: str, payload: DiagnosticsIn) -> Status[Any]:
    made = services.diagnostics_request(
        actor=_user(request), case=_case(request, number), at=timezone.now(), **payload.model_dump()
    )
    return Status(201, made)


@router.post(
    "/cases/{number}/diagnostics/{request_id}/fulfil",
    response={200: DiagnosticsOut, **ERRORS},
    tags=["diagnostics"],
    summary="Note what the offline analysis found (support, R-27)",
)
def diagnostics_fulfil(
    request: HttpRequest, number: str, request_id: int, payload: DiagnosticsFulfilIn
) -> DiagnosticsRequest:
    case = _case(request, number)
    return services.diagnostics_fulfil(
        actor=_user(request),
        request=selectors.diagnostics_request_of(case, request_id),
        findings=payload.findings,
        at=timezone.now(),
    )
