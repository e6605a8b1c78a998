"""Routing (R-10, R-20, R-21): queues and engineer profiles (support managers maintain them,
staff read them), and the moves of a case: take, hand over, escalate, with suggestions."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from supportdesk.accounts.models import User
from supportdesk.api.accounts import ERRORS
from supportdesk.api.auth import SIGNED_IN
from supportdesk.licensing.models import Product
from supportdesk.routing import selectors, services
from supportdesk.routing.models import EngineerProfile, Queue
from supportdesk.routing.permissions import console_cases_visible_to, require_console

router = Router(tags=["routing"], auth=SIGNED_IN)


class QueueIn(Schema):
    code: str
    name: str
    tier: str = "L1"
    product: str | None = Field(None, description="product code; empty: every product")
    language: str = "en"
    region: str = ""


class QueueOut(Schema):
    id: int
    code: str
    name: str
    tier: str
    product: str | None
    language: str
    region: str

    @staticmethod
    def resolve_product(obj: Queue) -> str | None:
        return obj.product.code if obj.product_id else None  # type: ignore[union-attr]


class ProfileIn(Schema):
    username: str
    tier: str = "L1"
    seniority: str = "regular"
    languages: list[str] = ["en"]
    products: list[str] = Field([], description="product codes")
    queues: list[str] = Field([], description="queue codes")
    time_zone: str | None = None
    shifts: list[dict[str, Any]] = Field(
        [], description='such as [{"days": "mon-fri", "start": "08:00", "end": "16:00"}]'
    )
    on_call: bool = False
    pdm_on_duty: bool = False


class ProfilePatch(Schema):
    tier: str | None = None
    seniority: str | None = None
    languages: list[str] | None = None
    products: list[str] | None = None
    queues: list[str] | None = None
    time_zone: str | None = None
    shifts: list[dict[str, Any]] | None = None
    on_call: bool | None = None
    pdm_on_duty: bool | None = None


class ProfileOut(Schema):
    id: int
    username: str
    tier: str
    seniority: str
    languages: list[str]
    products: list[str]
    queues: list[str]
    time_zone: str
    shifts: list[dict[str, Any]]
    on_call: bool
    pdm_on_duty: bool

    @staticmethod
    def resolve_username(obj: EngineerProfile) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_products(obj: EngineerProfile) -> list[str]:
        return sorted(p.code for p in obj.products.all())

    @staticmethod
    def resolve_queues(obj: EngineerProfile) -> list[str]:
        return sorted(q.code for q in obj.queues.all())


def _products(codes: list[str]) -> list[Product]:
    found = {p.code: p for p in Product.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError({"products": [f"No product {', '.join(missing)}."]})
    return [found[c] for c in codes]


def _queues(codes: list[str]) -> list[Queue]:
    found = {q.code: q for q in Queue.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError({"queues": [f"No queue {', '.join(missing)}."]})
    return [found[c] for c in codes]


@router.get("/routing/queues", response={200: list[QueueOut], **ERRORS})
def queue_list(request: HttpRequest) -> Any:
    require_console(request.user)
    return list(Queue.objects.select_related("product").order_by("tier", "code"))


@router.post("/routing/queues", response={201: QueueOut, **ERRORS})
def queue_create(request: HttpRequest, payload: QueueIn) -> Status[Any]:
    product = _products([payload.product])[0] if payload.product else None
    queue = services.queue_create(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        tier=payload.tier,
        product=product,
        language=payload.language,
        region=payload.region,
        at=timezone.now(),
    )
    return Status(201, queue)


def _profiles() -> Any:
    return EngineerProfile.objects.select_related("user").prefetch_related("products", "queues")


@router.get("/routing/engineers", response={200: list[ProfileOut], **ERRORS})
def engineer_list(request: HttpRequest) -> Any:
    require_console(request.user)
    return list(_profiles().order_by("user__username"))


@router.post("/routing/engineers", response={201: ProfileOut, **ERRORS})
def engineer_create(request: HttpRequest, payload: ProfileIn) -> Status[Any]:
    user = User.objects.filter(username=payload.username).first()
    if user is None:
        raise ValidationError({"username": [f"No user {payload.username}."]})
    profile = services.engineer_profile_create(
        actor=request.user,
        user=user,
        tier=payload.tier,
        seniority=payload.seniority,
        languages=payload.languages,
        products=_products(payload.products),
        queues=_queues(payload.queues),
        time_zone=payload.time_zone,
        shifts=payload.shifts,
        on_call=payload.on_call,
        pdm_on_duty=payload.pdm_on_duty,
        at=timezone.now(),
    )
    return Status(201, _profiles().get(pk=profile.pk))


@router.patch("/routing/engineers/{username}", response={200: ProfileOut, **ERRORS})
def engineer_update(request: HttpRequest, username: str, payload: ProfilePatch) -> Any:
    profile = EngineerProfile.objects.get(user__username=username)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "products" in changes:
        changes["products"] = _products(changes["products"] or [])
    if "queues" in changes:
        changes["queues"] = _queues(changes["queues"] or [])
    services.engineer_profile_update(
        actor=request.user, profile=profile, changes=changes, at=timezone.now()
    )
    return _profiles().get(pk=profile.pk)


class MoveIn(Schema):
    expected_version: int


class AssignIn(MoveIn):
    assignee: str | None = Field(None, description="username; null puts it back in the queue")
    note: str = ""


class EscalateIn(MoveIn):
    reason: str


class MovedOut(Schema):
    number: str
    version: int
    tier: str
    language: str
    queue: str | None
    assignee: str | None

    @staticmethod
    def resolve_queue(obj: Any) -> str | None:
        return obj.queue.code if obj.queue_id else None

    @staticmethod
    def resolve_assignee(obj: Any) -> str | None:
        return obj.assignee.get_username() if obj.assignee_id else None


class SuggestionOut(Schema):
    username: str
    reasons: list[str]


def _case(request: HttpRequest, number: str) -> Any:
    require_console(request.user)
    return (
        console_cases_visible_to(request.user)
        .select_related("product", "organization", "queue", "assignee")
        .get(number=number.strip().upper())
    )


@router.post(
    "/routing/cases/{number}/take", response={200: MovedOut, **ERRORS}, summary="Take a case"
)
def case_take(request: HttpRequest, number: str, payload: MoveIn) -> Any:
    return services.case_take(
        actor=request.user,
        case=_case(request, number),
        expected_version=payload.expected_version,
        at=timezone.now(),
    )


@router.post(
    "/routing/cases/{number}/assign", response={200: MovedOut, **ERRORS}, summary="Hand a case over"
)
def case_assign(request: HttpRequest, number: str, payload: AssignIn) -> Any:
    assignee = None
    if payload.assignee:
        assignee = User.objects.filter(username=payload.assignee).first()
        if assignee is None:
            raise ValidationError({"assignee": [f"No user {payload.assignee}."]})
    return services.case_assign(
        actor=request.user,
        case=_case(request, number),
        assignee=assignee,
        note=payload.note,
        expected_version=payload.expected_version,
        at=timezone.now(),
    )


@router.post(
    "/routing/cases/{number}/escalate",
    response={200: MovedOut, **ERRORS},
    summary="Escalate L1 → L2 → L3 (R-21)",
)
def case_escalate(request: HttpRequest, number: str, payload: EscalateIn) -> Any:
    return services.case_escalate(
        actor=request.user,
        case=_case(request, number),
        reason=payload.reason,
        expected_version=payload.expected_version,
        at=timezone.now(),
    )


@router.get(
    "/routing/cases/{number}/suggestions",
    response={200: list[SuggestionOut], **ERRORS},
    summary="Engineers on shift ranked for the case",
)
def case_suggestions(request: HttpRequest, number: str) -> Any:
    ranked = selectors.suggestions_for(_case(request, number), at=timezone.now())
    users = dict(
        User.objects.filter(pk__in=[s.engineer.id for s in ranked]).values_list("pk", "username")
    )
    return [
        SuggestionOut(username=users[s.engineer.id], reasons=list(s.reasons))
        for s in ranked
        if s.engineer.id in users
    ]
