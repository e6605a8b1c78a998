"""Phone support (R-25, R-26): the support numbers per country, and the telephony webhook
that says whether support takes a call about a case and where to route it.

A telephony platform (an IVR) asks the caller for the case number, then calls
``POST /api/v1/phone/route`` with it and the caller's number (caller ID), signed in with the
API token of a staff service account (``Authorization: Bearer <token>``). The answer says
``allowed``; when true, ``target`` is ``engineer`` (connect ``engineer_username``, who last
worked the case and is on shift) or ``queue`` (ring the ``queue_code`` hunt group), in
``language``; when false, ``reasons`` are the words to play back or show.
"""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from supportdesk.api.accounts import ERRORS
from supportdesk.api.auth import SIGNED_IN
from supportdesk.routing import phone

router = Router(tags=["phone"])


class SupportNumberOut(Schema):
    country: str
    number: str = Field(description="E.164")
    display: str = Field(description="as dialled from abroad, such as +49 800 1234567")
    kind: str = Field(description="toll_free or local")
    label: str


class NumbersQuery(Schema):
    country: str | None = Field(None, description="ISO 3166-1 alpha-2, such as DE")


@router.get(
    "/phone/numbers",
    response=list[SupportNumberOut],
    auth=None,
    summary="Support numbers per country (R-26), public",
)
def numbers(request: HttpRequest, query: Query[NumbersQuery]) -> list[SupportNumberOut]:
    return [
        SupportNumberOut(
            country=n.country,
            number=n.number,
            display=phone.display(n.number),
            kind=n.kind,
            label=n.label,
        )
        for n in phone.support_numbers(query.country)
    ]


class RouteIn(Schema):
    case_number: str = Field(description="such as C-2026-000123, as the caller typed it")
    caller_number: str = Field(description="the caller ID, E.164 or national")


class RouteOut(Schema):
    allowed: bool
    target: str | None = Field(description="engineer, queue, or null when refused")
    engineer_username: str | None
    queue_code: str | None
    language: str | None = Field(description="the language to take the call in (R-20, R-21)")
    case_number: str | None
    reasons: list[str]


@router.post(
    "/phone/route",
    response={200: RouteOut, **ERRORS},
    auth=SIGNED_IN,
    summary="Telephony webhook: may support take this call, and where to (R-25, R-26)",
)
def route(request: HttpRequest, payload: RouteIn) -> RouteOut:
    result = phone.call_route(
        actor=request.user,
        case_number=payload.case_number,
        caller_number=payload.caller_number,
        at=timezone.now(),
    )
    d = result.decision
    queue = result.case.queue if (result.case is not None and d.allowed) else None
    return RouteOut(
        allowed=d.allowed,
        target=d.target,
        engineer_username=result.engineer.get_username() if result.engineer else None,
        queue_code=queue.code if queue is not None else None,
        language=d.language,
        case_number=result.case.number if result.case is not None else None,
        reasons=list(d.reasons),
    )
