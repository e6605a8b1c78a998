"""Shared reads of the routing app: the facts the policy core routes on (queues, engineers on
shift and their load), and the suggestion of who should take a case."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Q

from supportdesk.accounts.models import Organization, User
from supportdesk.cases.models import Case
from supportdesk.licensing.models import Product
from supportdesk.policy import InputError, get_policy
from supportdesk.policy.routing import (
    EngineerFacts,
    QueueFacts,
    RoutingDecision,
    Suggestion,
    route_on_opening,
    suggest_engineers,
)
from supportdesk.policy.shifts import on_shift, parse_shifts
from supportdesk.routing.models import EngineerProfile, Queue

OPEN = ~Q(status__in=("resolved", "closed"))


def queue_facts(queues: Iterable[Queue] | None = None) -> list[QueueFacts]:
    rows = Queue.objects.select_related("product") if queues is None else queues
    return [
        QueueFacts(
            id=q.pk,
            tier=q.tier,
            language=q.language,
            product=q.product.code if q.product_id else None,  # type: ignore[union-attr]
            region=q.region or None,
        )
        for q in rows
    ]


def _facts(profile: EngineerProfile, *, at: datetime, load: int) -> EngineerFacts:
    return EngineerFacts(
        id=profile.user_id,
        name=profile.user.get_full_name() or profile.user.get_username(),
        tier=profile.tier,
        seniority=profile.seniority,
        languages=tuple(profile.languages),
        products=frozenset(p.code for p in profile.products.all()),
        on_shift=on_shift(parse_shifts(profile.shifts), timezone=profile.time_zone, at=at),
        on_call=profile.on_call,
        load=load,
        pdm_on_duty=profile.pdm_on_duty,
    )


def engineer_facts(*, at: datetime, users: Iterable[int] | None = None) -> list[EngineerFacts]:
    """Every active staff member with a profile (or those in ``users``), with whether they are
    on shift at ``at`` and how many open cases they hold."""
    profiles = (
        EngineerProfile.objects.filter(user__is_active=True, user__is_staff=True)
        .select_related("user")
        .prefetch_related("products")
        .annotate(
            load=Count(
                "user__cases_assigned",
                filter=~Q(user__cases_assigned__status__in=("resolved", "closed")),
            )
        )
    )
    if users is not None:
        profiles = profiles.filter(user_id__in=list(users))
    return [_facts(p, at=at, load=p.load) for p in profiles]


def routing_decision(
    *, organization: Organization, product: Product, program: str, at: datetime
) -> RoutingDecision:
    """Where a case for ``organization`` about ``product`` goes when opened at ``at``."""
    engineers = engineer_facts(at=at)
    pdm = None
    if organization.pdm_id is not None:
        pdm = next((e for e in engineers if e.id == organization.pdm_id), None)
        if pdm is None:  # a PDM without a profile works the customer's business hours
            user: User = organization.pdm  # type: ignore[assignment]
            pdm = EngineerFacts(
                id=user.pk,
                name=user.get_full_name() or user.get_username(),
                tier="L1",
                seniority="senior",
                languages=(),
                products=frozenset(),
                on_shift=True,
            )
    try:
        return _route(organization, product, program, at, engineers, pdm)
    except InputError as exc:  # a place the policy's regions do not know: no queue
        return RoutingDecision("L1", "en", None, None, (f"Not routed: {exc.message}",))


def _route(
    organization: Organization,
    product: Product,
    program: str,
    at: datetime,
    engineers: list[EngineerFacts],
    pdm: EngineerFacts | None,
) -> RoutingDecision:
    return route_on_opening(
        get_policy(),
        program=program,
        product=product.code,
        flagship=product.is_flagship,
        customer_language=organization.language,
        at=at,
        timezone=organization.time_zone,
        country=organization.country,
        subdivision=organization.subdivision or None,
        region=organization.region,
        queues=queue_facts(),
        engineers=[e for e in engineers if not e.pdm_on_duty],
        pdm=pdm,
        pdms_on_duty=[e for e in engineers if e.pdm_on_duty],
    )


def suggestions_for(case: Case, *, at: datetime, limit: int = 5) -> list[Suggestion]:
    """On-shift engineers ranked for ``case`` by language, product skill, tier and load; a
    Premium case held by its PDM asks for a senior engineer (R-10)."""
    engineers = [e for e in engineer_facts(at=at) if not e.pdm_on_duty]
    return suggest_engineers(
        engineers,
        language=case.language or "en",
        product=case.product.code,
        tier=case.tier,
        senior_first=case.program == "premium",
    )[:limit]
