"""The policy in force and first-response deadlines over HTTP (R-5 to R-21).

Public and read-only: it is what the "When will we answer?" page and integrators ask.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from supportdesk.policy import first_response, get_policy, parse_instant
from supportdesk.policy.sla import parse_program

router = Router(tags=["policy"])


class SegmentOut(Schema):
    kind: str = Field(description="counted, outside_hours, weekend, closed_day or holiday")
    start: str
    end: str
    minutes: float | None = None
    date: str | None = None
    name: str | None = Field(None, description="the holiday's name")


class FirstResponseOut(Schema):
    due_at: str | None = Field(
        description="ISO 8601 with the customer's UTC offset; null: no target"
    )
    target_minutes: int | None
    clock: str = Field(description='"24x7", "business_hours" or "none"')
    program: str
    severity: int
    opened_at: str
    clock_starts_at: str | None
    timezone: str
    country: str
    subdivision: str | None
    hours: str
    policy_version: str
    reasons: list[str]
    segments: list[SegmentOut] | None = None


class FirstResponseQuery(Schema):
    program: str = Field(description="premium, production, basic, trial or free")
    severity: int = Field(description="1 (critical) to 4 (minor)")
    opened_at: str = Field(description="ISO 8601; without an offset it is read in `timezone`")
    timezone: str = Field(description="the customer's IANA time zone, such as Europe/Prague")
    country: str = Field(description="the customer's ISO 3166-1 alpha-2 country code")
    subdivision: str | None = Field(
        None, description="ISO 3166-2 subdivision, for regional holidays"
    )
    case_kind: str | None = Field(None, description="technical, licensing, general_inquiry, ...")
    explain: bool = Field(False, description="add the counted and skipped segments")


@router.get(
    "", auth=None, summary="The support policy in force", response=dict[str, Any], url_name="policy"
)
def policy_in_force(request: HttpRequest) -> dict[str, Any]:
    """Programs, hours, severities, first-response targets, case kinds and languages of the
    policy file in force, with its version and SHA-256."""
    return get_policy().to_dict()


@router.get(
    "/first-response",
    auth=None,
    response=FirstResponseOut,
    summary="When is the first response due?",
    url_name="first_response_due",
)
def first_response_due(request: HttpRequest, query: Query[FirstResponseQuery]) -> dict[str, Any]:
    """The first-response due instant for a case opened at `opened_at` by a customer in
    `timezone`/`country` (R-16, R-17), or `null` where there is no target (R-18, R-19).
    Bad input answers 422 naming the field."""
    policy = get_policy()
    parse_program(policy, query.program)
    result = first_response(
        policy,
        program=query.program,
        severity=query.severity,
        opened_at=parse_instant(query.opened_at, query.timezone, "opened_at"),
        timezone=query.timezone,
        country=query.country,
        subdivision=query.subdivision or None,
        case_kind=query.case_kind or None,
        explain=query.explain,
    )
    return result.to_dict()
