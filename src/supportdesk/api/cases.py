"""Cases (R-1, R-2, R-13 to R-24, R-37): open, list, read, comment, severity, transitions.

Every write to a case names the ``expected_version`` it read; a stale one answers 409. A case
the caller may not see answers 404, whatever the operation.
"""

# No `from __future__ import annotations`: @paginate has ninja read the views' annotations
# outside this module, so they must be objects, not strings.

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from supportdesk.accounts.models import User
from supportdesk.accounts.selectors import organization_get
from supportdesk.api.accounts import ERRORS, PAGE_SIZE
from supportdesk.api.auth import SIGNED_IN
from supportdesk.api.pagination import Pages
from supportdesk.api.types import Instant
from supportdesk.cases import selectors, services
from supportdesk.cases.models import Case, Comment, SeverityChange
from supportdesk.cases.permissions import side_of
from supportdesk.policy.case_states import next_states

router = Router(tags=["cases"], auth=SIGNED_IN)

Kind = Literal["technical", "licensing", "general_inquiry", "feature_request"]
Status_ = Literal[
    "new", "in_progress", "waiting_for_customer", "waiting_for_third_party", "resolved", "closed"
]
Severity = int


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the router's auth lets only signed-in people through
    return user


class FirstResponseOut(Schema):
    due_at: datetime | None = Field(description="in the reader's own time zone")
    due_text: str = Field(description='such as "First response due by … (your time)"')
    time_zone: str = Field(description="the reader's time zone")
    target_minutes: int | None
    clock: str = Field(description="24x7, business_hours or none")
    program: str
    hours: str
    responded_at: datetime | None
    late_by_minutes: int | None = Field(description="how late the first response was, if so")
    breached: bool
    reasons: list[str] = Field(description="the policy core's explanation (R-16 to R-19)")


class CaseOut(Schema):
    id: int
    number: str
    organization: int
    organization_name: str
    opened_by: str
    kind: str
    status: str
    next_statuses: list[str] = Field(description="where you may move the case now")
    version: int = Field(description="send it back as expected_version with your next write")
    support_id: str | None
    product: str
    product_version: str | None
    maintenance_level: str
    subject: str
    description: str
    business_impact: str
    error_text: str
    diagnostics: str
    steps_to_reproduce: str
    known_workarounds: str
    contact_phone: str
    contact_email: str
    best_time_to_reach: str
    preferred_contact: str
    proposed_severity: int
    severity: int
    severity_agreed_at: datetime | None
    requested_severity: int | None
    technical_contact_available: bool
    round_the_clock: bool
    policy_version: str
    opened_at: datetime
    updated_at: datetime
    first_response: FirstResponseOut
    follows: str | None = Field(description="the closed case this one takes up again (R-29)")
    contact_closable_at: datetime | None = Field(
        description="from when the case may be closed for want of an answer (R-29)"
    )
    close_reason: str

    @staticmethod
    def resolve_follows(obj: Case) -> str | None:
        return obj.follows.number if obj.follows_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_organization(obj: Case) -> int:
        return obj.organization_id

    @staticmethod
    def resolve_organization_name(obj: Case) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_opened_by(obj: Case) -> str:
        return obj.opened_by.username

    @staticmethod
    def resolve_next_statuses(obj: Case, context: dict[str, Any]) -> list[str]:
        return list(next_states(obj.status, side_of(context["request"].user)))  # type: ignore[arg-type]

    @staticmethod
    def resolve_support_id(obj: Case) -> str | None:
        return obj.support_id.code if obj.support_id else None

    @staticmethod
    def resolve_product(obj: Case) -> str:
        return obj.product.code

    @staticmethod
    def resolve_product_version(obj: Case) -> str | None:
        return obj.product_version.version if obj.product_version else None

    @staticmethod
    def resolve_first_response(obj: Case, context: dict[str, Any]) -> dict[str, Any]:
        view = selectors.first_response_view(
            obj, time_zone=context["request"].user.time_zone, at=timezone.now()
        )
        late = view.late_by
        return {
            "due_at": view.due_at,
            "due_text": view.due_text,
            "time_zone": view.time_zone,
            "target_minutes": view.target_minutes,
            "clock": view.clock,
            "program": view.program,
            "hours": view.hours,
            "responded_at": view.responded_at,
            "late_by_minutes": int(late.total_seconds() // 60) if late is not None else None,
            "breached": view.breached,
            "reasons": list(view.reasons),
        }


class CaseIn(Schema):
    organization: int = Field(description="the customer's organization id")
    support_id: str | None = Field(None, description="required for technical cases (R-2)")
    kind: Kind
    subject: str = Field(max_length=200)
    description: str
    proposed_severity: int = Field(description="1 to 4 (R-13)")
    contact_email: str
    product: str | None = Field(None, description="product code; default: the Support ID's")
    product_version: str | None = None
    maintenance_level: str = ""
    business_impact: str = ""
    error_text: str = ""
    diagnostics: str = ""
    steps_to_reproduce: str = ""
    known_workarounds: str = ""
    contact_phone: str = Field("", description="read in the customer's country unless it has +")
    best_time_to_reach: str = ""
    preferred_contact: Literal["email", "phone"] = "email"
    technical_contact_available: bool = False
    follows: str | None = Field(
        None, description="the number of a closed case this one takes up again (R-29)"
    )


class CaseFilter(Schema):
    status: Status_ | None = None
    severity: int | None = Field(None, ge=1, le=4)
    program: str | None = None
    organization: int | None = None
    breached: bool | None = Field(None, description="answered late, or unanswered past due")
    opened_after: Instant | None = None
    opened_before: Instant | None = None


class Versioned(Schema):
    expected_version: int = Field(description="the case's version you read")


class CommentIn(Versioned):
    body: str = Field(min_length=1)
    internal: bool = Field(False, description="support only; never shown to customers")


class CommentOut(Schema):
    id: int
    author: str
    body: str
    internal: bool
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Comment) -> str:
        return obj.author.username


class TransitionIn(Versioned):
    status: str


class SeverityIn(Versioned):
    severity: int
    reason: str = ""


class SeverityChangeOut(Schema):
    kind: str
    from_severity: int | None
    to_severity: int
    reason: str
    by: str | None
    at: datetime
    due_before: datetime | None
    due_after: datetime | None

    @staticmethod
    def resolve_by(obj: SeverityChange) -> str | None:
        return obj.by.username if obj.by else None


class TechnicalContactIn(Versioned):
    available: bool


def _case(request: HttpRequest, number: str) -> Case:
    return selectors.case_get(number, viewer=_user(request), at=timezone.now())


@router.post(
    "/cases",
    response={201: CaseOut, **ERRORS},
    summary="Open a case (R-1, R-2, R-22 to R-24)",
    description=(
        "A retried submission with the same Idempotency-Key answers the same case; the same "
        "key with a different submission is refused (422 naming Idempotency-Key)."
    ),
)
def case_open(
    request: HttpRequest,
    payload: CaseIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> Status[Any]:
    now = timezone.now()
    values = payload.model_dump()
    organization = organization_get(values.pop("organization"), member=_user(request))
    support_id, kind = values.pop("support_id"), values.pop("kind")
    follows = values.pop("follows")
    try:
        case = services.case_open(
            actor=_user(request),
            organization=organization,
            support_id=support_id,
            kind=kind,
            details=services.CaseDetails(**values),
            idempotency_key=idempotency_key or "",
            follows=follows,
            at=now,
        )
    except ValidationError as exc:
        # the key came as a header: name the header
        errors = getattr(exc, "error_dict", {})
        if "idempotency_key" in errors:
            raise ValidationError({"Idempotency-Key": errors["idempotency_key"]}) from None
        raise
    # the opener may see what it opened: answer the case in hand rather than reading it again
    return Status(201, case)


@router.get("/cases", response=list[CaseOut], summary="Cases you can see")
@paginate(Pages, page_size=PAGE_SIZE)
def case_list(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    return selectors.case_list(
        viewer=_user(request),
        at=timezone.now(),
        filters=selectors.CaseFilters(**filters.model_dump()),
    )


@router.get("/cases/{number}", response={200: CaseOut, **ERRORS})
def case_get(request: HttpRequest, number: str) -> Case:
    return _case(request, number)


@router.get("/cases/{number}/comments", response={200: list[CommentOut], **ERRORS})
def comment_list(request: HttpRequest, number: str) -> Any:
    now = timezone.now()
    case = selectors.case_get(number, viewer=_user(request), at=now)
    return list(selectors.comments_of(case, viewer=_user(request), at=now))


@router.post(
    "/cases/{number}/comments",
    response={201: CommentOut, **ERRORS},
    summary="Comment: public, or internal (support only)",
)
def comment_add(request: HttpRequest, number: str, payload: CommentIn) -> Status[Any]:
    comment = services.case_comment_add(
        actor=_user(request),
        case=_case(request, number),
        body=payload.body,
        internal=payload.internal,
        expected_version=payload.expected_version,
        at=timezone.now(),
    )
    return Status(201, comment)


@router.post(
    "/cases/{number}/transitions",
    response={200: CaseOut, **ERRORS},
    summary="Move the case to another status (the state machine's table)",
)
def case_transition(request: HttpRequest, number: str, payload: TransitionIn) -> Case:
    case = services.case_transition(
        actor=_user(request),
        case=_case(request, number),
        status=payload.status,
        expected_version=payload.expected_version,
        at=timezone.now(),
    )
    return _case(request, case.number)


@router.get("/cases/{number}/severity-changes", response={200: list[SeverityChangeOut], **ERRORS})
def severity_changes(request: HttpRequest, number: str) -> Any:
    case = _case(request, number)
    return list(case.severity_changes.select_related("by").order_by("at", "pk"))


@router.post(
    "/cases/{number}/severity-requests",
    response={200: CaseOut, **ERRORS},
    summary="Ask for another severity, saying why (customer, R-14)",
)
def severity_request(request: HttpRequest, number: str, payload: SeverityIn) -> Case:
    case = _case(request, number)
    services.case_request_severity(
        actor=_user(request),
        case=case,
        severity=payload.severity,
        reason=payload.reason,
        expected_version=payload.expected_version,
        at=timezone.now(),
    )
    return _case(request, number)


@router.post(
    "/cases/{number}/severity",
    response={200: CaseOut, **ERRORS},
    summary="Agree the severity (support, R-14); re-bases the clock before a first response",
)
def severity_agree(request: HttpRequest, number: str, payload: SeverityIn) -> Case:
    case = _case(request, number)
    services.case_agree_severity(
        actor=_user(request),
        case=case,
        severity=payload.severity,
        reason=payload.reason,
        expected_version=payload.expected_version,
        at=timezone.now(),
    )
    return _case(request, number)


@router.post(
    "/cases/{number}/technical-contact",
    response={200: CaseOut, **ERRORS},
    summary="Whether a technical person is available (R-15)",
)
def technical_contact(request: HttpRequest, number: str, payload: TechnicalContactIn) -> Case:
    services.case_set_technical_contact(
        actor=_user(request),
        case=_case(request, number),
        available=payload.available,
        expected_version=payload.expected_version,
        at=timezone.now(),
    )
    return _case(request, number)
