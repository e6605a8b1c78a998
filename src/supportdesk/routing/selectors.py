"""Shared reads of the routing app: the facts the policy core routes on (queues, engineers on
shift and their load), and the suggestion of who should take a case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q
from django.template.defaultfilters import filesizeformat

from supportdesk import rows
from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import Actor
from supportdesk.attachments.models import Attachment
from supportdesk.audit.models import AuditEvent
from supportdesk.cases.models import Case, Comment, ContactAttempt, ManagerRequest
from supportdesk.cases.permissions import sees_every_case
from supportdesk.cases.selectors import manager_requests_open
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
from supportdesk.policy.shifts import on_shift, parse_shifts, shift_end
from supportdesk.routing.models import EngineerProfile, Queue
from supportdesk.routing.permissions import console_cases_visible_to, queues_of

# the tables' names are the models', fixed in the code: no outside input reaches this text
_QUEUES = (
    f'FROM "{Queue._meta.db_table}" q '
    f'LEFT JOIN "{Product._meta.db_table}" pr ON pr."id" = q."product_id" '
    'ORDER BY q."tier", q."code"'
)


_QUEUE_PARTS = ((Queue, "q"), (Product, "pr"))


def _queues() -> list[Queue]:
    """Every queue with its product, in the queues' order: one statement made once per
    process (supportdesk.rows), as ``Queue.objects.select_related("product")``."""
    return _queues_of(rows.select(_QUEUE_PARTS, _QUEUES, []))


def _queues_of(found: list[list[Any]]) -> list[Queue]:
    out = []
    for queue, product in found:
        queue.product = product
        out.append(queue)
    return out


_ENGINEERS = (
    f'FROM "{EngineerProfile._meta.db_table}" e '
    f'INNER JOIN "{User._meta.db_table}" u ON u."id" = e."user_id" '
    'WHERE u."is_active" AND u."is_staff" ORDER BY u."username"'
)


_ENGINEER_PARTS = ((EngineerProfile, "e"), (User, "u"))


def _engineers() -> list[EngineerProfile]:
    """Every active staff member's profile with its user, in the profiles' order: one
    statement made once per process, for routing a new case on every opening."""
    return _engineers_of(rows.select(_ENGINEER_PARTS, _ENGINEERS, []))


def _engineers_of(found: list[list[Any]]) -> list[EngineerProfile]:
    out = []
    for profile, user in found:
        profile.user = user
        out.append(profile)
    return out


def _engineers_and_queues() -> tuple[list[EngineerProfile], list[Queue]]:
    """:func:`_engineers` and :func:`_queues`, the two statements sent together (one round
    trip on PostgreSQL)."""
    engineers, queues = rows.select_together(
        (_ENGINEER_PARTS, _ENGINEERS, []), (_QUEUE_PARTS, _QUEUES, [])
    )
    return _engineers_of(engineers), _queues_of(queues)


def queue_facts(queues: Iterable[Queue] | None = None) -> list[QueueFacts]:
    found = _queues() if queues is None else queues
    return [
        QueueFacts(
            id=q.pk,
            tier=q.tier,
            language=q.language,
            product=q.product.code if q.product_id else None,  # type: ignore[union-attr]
            region=q.region or None,
        )
        for q in found
    ]


def _facts(
    profile: EngineerProfile, *, at: datetime, load: int, products: frozenset[str]
) -> EngineerFacts:
    return EngineerFacts(
        id=profile.user_id,
        name=profile.user.get_full_name() or profile.user.get_username(),
        tier=profile.tier,
        seniority=profile.seniority,
        languages=tuple(profile.languages),
        products=products,
        on_shift=on_shift(parse_shifts(profile.shifts), timezone=profile.time_zone, at=at),
        on_call=profile.on_call,
        load=load,
        pdm_on_duty=profile.pdm_on_duty,
    )


def engineer_facts(
    *,
    at: datetime,
    users: Iterable[int] | None = None,
    pdms_on_duty: bool | None = None,
    details: bool = True,
) -> list[EngineerFacts]:
    """Every active staff member with a profile (or those in ``users``; only the PDMs on
    duty, or only the others, with ``pdms_on_duty``), with whether they are on shift at
    ``at`` and how many open cases they hold. Without ``details`` the load (a count over
    the cases) and the products are left out (0 and none): routing a new case by language
    needs neither."""
    if not details and users is None and pdms_on_duty is None:  # routing a new case
        return [_facts(p, at=at, load=0, products=frozenset()) for p in _engineers()]
    profiles = EngineerProfile.objects.filter(
        user__is_active=True, user__is_staff=True
    ).select_related("user")
    if details:
        profiles = profiles.prefetch_related("products").annotate(
            load=Count(
                "user__cases_assigned",
                filter=~Q(user__cases_assigned__status__in=("resolved", "closed")),
            )
        )
    if users is not None:
        profiles = profiles.filter(user_id__in=list(users))
    if pdms_on_duty is not None:
        profiles = profiles.filter(pdm_on_duty=pdms_on_duty)
    return [
        _facts(
            p,
            at=at,
            load=getattr(p, "load", 0),  # annotated with the details
            products=frozenset(x.code for x in p.products.all()) if details else frozenset(),
        )
        for p in profiles
    ]


def routing_decision(
    *, organization: Organization, product: Product, program: str, at: datetime
) -> RoutingDecision:
    """Where a case for ``organization`` about ``product`` goes when opened at ``at``.

    Routing by language looks at who is on shift, not at their load; the load counts only
    among the PDMs on duty, who take a Premium case out of its PDM's hours (R-10, R-11)."""
    # what engineer_facts(at=at, details=False) and queue_facts() read, in one round trip
    profiles, queues = _engineers_and_queues()
    engineers = [_facts(p, at=at, load=0, products=frozenset()) for p in profiles]
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
    duty = [e for e in engineers if e.pdm_on_duty]
    if program == "premium" and duty:
        duty = engineer_facts(at=at, pdms_on_duty=True)  # with their load
    try:
        return _route(organization, product, program, at, engineers, pdm, duty, queue_facts(queues))
    except InputError as exc:  # a place the policy's regions do not know: no queue
        return RoutingDecision("L1", "en", None, None, (f"Not routed: {exc.message}",))


def _route(
    organization: Organization,
    product: Product,
    program: str,
    at: datetime,
    engineers: list[EngineerFacts],
    pdm: EngineerFacts | None,
    duty: list[EngineerFacts],
    queues: list[QueueFacts],
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
        queues=queues,
        engineers=[e for e in engineers if not e.pdm_on_duty],
        pdm=pdm,
        pdms_on_duty=duty,
    )


def suggestions_for(case: Case, *, at: datetime, limit: int = 5) -> list[Suggestion]:
    """On-shift engineers ranked for ``case`` by language, product skill, tier and load; a
    Premium case held by its PDM asks for a senior engineer (R-10)."""
    engineers = engineer_facts(at=at, pdms_on_duty=False)
    return suggest_engineers(
        engineers,
        language=case.language or "en",
        product=case.product.code,
        tier=case.tier,
        senior_first=case.program == "premium",
    )[:limit]


# --- the console ----------------------------------------------------------------------------

CLOSED_STATES = ("resolved", "closed")
#: what a row of a console case list shows, and only that: a case has some 60 columns, large
#: texts among them, and reading and building them all was most of the query's time
ROW_FIELDS = (
    "number",
    "subject",
    "severity",
    "round_the_clock",
    "program",
    "status",
    "tier",
    "language",
    "first_response_due_at",
    "first_responded_at",
    "first_response_late_by",
    "organization__name",
    "product__code",
    "queue__code",
    "assignee__username",
)


@dataclass(frozen=True, slots=True)
class CaseLine:
    """A console list's case: the ``ROW_FIELDS`` as plain values, in their order. Fifty cases
    with their customer, product, queue and engineer as model instances were some 250 objects
    built and signalled per page for a dozen values each row shows."""

    number: str
    subject: str
    severity: int
    round_the_clock: bool
    program: str
    status: str
    tier: str
    language: str
    first_response_due_at: datetime | None
    first_responded_at: datetime | None
    first_response_late_by: timedelta | None
    organization_name: str
    product_code: str
    queue_code: str | None
    assignee_username: str | None

    @classmethod
    def of(cls, case: Case) -> CaseLine:
        """The line of a case already read whole (the manager view's lists)."""
        queue, assignee = case.queue, case.assignee
        return cls(
            case.number,
            case.subject,
            case.severity,
            case.round_the_clock,
            case.program,
            case.status,
            case.tier,
            case.language,
            case.first_response_due_at,
            case.first_responded_at,
            case.first_response_late_by,
            case.organization.name,
            case.product.code,
            queue.code if queue is not None else None,
            assignee.get_username() if assignee is not None else None,
        )


@dataclass(frozen=True)
class QueueFilters:
    """The console's filters; None means any."""

    queue: int | None = None
    program: str | None = None
    severity: int | None = None
    product: str | None = None
    language: str | None = None
    breached: bool | None = None
    waiting: bool | None = None  # waiting for the customer
    mine: bool = False


def console_queue(
    *, viewer: Actor, at: datetime, filters: QueueFilters, limit: int = 50
) -> list[CaseLine]:
    """The open cases ``viewer`` works, first-response due instant first (cases with no
    target last), at most ``limit``: one query, served by the partial indexes on
    (queue | assignee, due, id) of open cases."""
    cases = console_cases_visible_to(viewer).filter(~Q(status__in=CLOSED_STATES))
    if filters.mine:
        cases = cases.filter(assignee_id=getattr(viewer, "pk", None))
    if filters.queue is not None:
        cases = cases.filter(queue_id=filters.queue)
    if filters.program:
        cases = cases.filter(program=filters.program)
    if filters.severity is not None:
        cases = cases.filter(severity=filters.severity)
    if filters.product:
        cases = cases.filter(product__code=filters.product)
    if filters.language:
        cases = cases.filter(language=filters.language)
    if filters.breached is not None:
        late = Q(first_response_late_by__isnull=False) | Q(
            first_responded_at__isnull=True, first_response_due_at__lt=at
        )
        cases = cases.filter(late) if filters.breached else cases.exclude(late)
    if filters.waiting is not None:
        waiting = Q(status="waiting_for_customer")
        cases = cases.filter(waiting) if filters.waiting else cases.exclude(waiting)
    ordered = cases.order_by(F("first_response_due_at").asc(nulls_last=True), "id")
    return [CaseLine(*values) for values in ordered.values_list(*ROW_FIELDS)[:limit]]


def at_risk(*, viewer: Actor, at: datetime, within: timedelta, limit: int = 50) -> list[Case]:
    """Open cases still unanswered whose first response falls due between ``at`` and
    ``at + within`` (served by the partial index on unanswered due times)."""
    return list(
        console_cases_visible_to(viewer)
        .filter(
            ~Q(status__in=CLOSED_STATES),
            first_responded_at__isnull=True,
            first_response_due_at__gte=at,
            first_response_due_at__lt=at + within,
        )
        .select_related("organization", "product", "queue", "assignee")
        .only(*ROW_FIELDS)
        .order_by("first_response_due_at", "id")[:limit]
    )


def breached_open(*, viewer: Actor, at: datetime, limit: int = 50) -> list[Case]:
    """Open cases still unanswered past their first-response due time (R-16)."""
    return list(
        console_cases_visible_to(viewer)
        .filter(
            ~Q(status__in=CLOSED_STATES),
            first_responded_at__isnull=True,
            first_response_due_at__lt=at,
        )
        .select_related("organization", "product", "queue", "assignee")
        .only(*ROW_FIELDS)
        .order_by("first_response_due_at", "id")[:limit]
    )


def severity_1_in_progress(*, viewer: Actor, limit: int = 50) -> list[Case]:
    """Open Severity 1 cases, those worked round the clock (R-15) first."""
    return list(
        console_cases_visible_to(viewer)
        .filter(~Q(status__in=CLOSED_STATES), severity=1)
        .select_related("organization", "product", "queue", "assignee")
        .only(*ROW_FIELDS)
        .order_by("-round_the_clock", F("first_response_due_at").asc(nulls_last=True), "id")[:limit]
    )


def queue_load() -> list[dict[str, Any]]:
    """Per queue: open cases, unassigned ones, and members (one query)."""
    open_cases = ~Q(cases__status__in=CLOSED_STATES)
    rows = (
        Queue.objects.annotate(
            open=Count("cases", filter=open_cases, distinct=True),
            unassigned=Count(
                "cases", filter=open_cases & Q(cases__assignee__isnull=True), distinct=True
            ),
            people=Count("members", distinct=True),
        )
        .order_by("tier", "code")
        .values("id", "code", "name", "tier", "open", "unassigned", "people")
    )
    return [dict(row) for row in rows]


def case_timeline(case: Case) -> list[dict[str, Any]]:
    """Comments (internal ones too), audit events (routing moves among them), contact attempts
    (R-29) and attachments of a case, oldest first: four queries."""
    items: list[dict[str, Any]] = []
    for a in ContactAttempt.objects.filter(case=case).select_related("made_by"):
        text = f"{a.get_channel_display()}: {a.get_outcome_display()}"
        items.append(
            {"at": a.made_at, "kind": "contact", "by": a.made_by,
             "text": f"{text}. {a.note}" if a.note else text}
        )  # fmt: skip
    for f in Attachment.objects.filter(case=case).select_related("uploaded_by"):
        items.append(
            {"at": f.created_at, "kind": "attachment", "by": f.uploaded_by,
             "text": f"{f.filename} ({filesizeformat(f.size)}, SHA-256 {f.sha256[:12]}…)"}
        )  # fmt: skip
    for c in Comment.objects.filter(case=case).select_related("author"):
        kind = "internal" if c.internal else "public"
        items.append({"at": c.created_at, "kind": kind, "by": c.author, "text": c.body})
    for event in AuditEvent.objects.filter(
        target_type=Case._meta.label_lower, target_id=str(case.pk)
    ).select_related("actor"):
        items.append(
            {"at": event.at, "kind": "event", "by": event.actor, "text": event.action,
             "changes": event.changes}
        )  # fmt: skip
    items.sort(key=lambda item: (item["at"], item["kind"] != "event"))
    return items


@dataclass(frozen=True)
class ManagerRequestRow:
    """An open "Talk to a manager" request with the time its acknowledgement is due."""

    request: ManagerRequest
    due_at: datetime
    overdue: bool


def manager_request_target() -> timedelta:
    """How soon a support manager answers a "Talk to a manager" request (R-32)."""
    return timedelta(minutes=float(settings.SUPPORTDESK_MANAGER_ACK_MINUTES))


def manager_requests_waiting(*, viewer: Actor, at: datetime) -> list[ManagerRequestRow]:
    """The open requests, oldest first, each due ``manager_request_target()`` after it was
    made (one query; none for anyone but staff)."""
    target = manager_request_target()
    return [
        ManagerRequestRow(r, r.requested_at + target, r.requested_at + target < at)
        for r in manager_requests_open(viewer=viewer)
    ]


def console_queues_for(user: Actor) -> list[Queue]:
    """The queues offered in the console's filter: the user's own, every queue for those who
    see every case."""
    if sees_every_case(user):
        return list(Queue.objects.order_by("tier", "code"))
    return list(queues_of(user).order_by("tier", "code"))


def engineers_for_assignment() -> list[User]:
    """Active support staff a case can be handed to."""
    return list(User.objects.filter(is_active=True, is_staff=True).order_by("username")[:200])


#: how soon before the end of the assignee's shift the case page warns to hand over (R-15)
HAND_OVER_WARNING = timedelta(hours=1)


def hand_over_due(case: Case, *, at: datetime) -> datetime | None:
    """When the assignee's shift ends, if it ends within ``HAND_OVER_WARNING`` of ``at`` and
    the case is worked round the clock (R-15) and still open: the case is to be handed to the
    next shift by then. None otherwise (no assignee, no profile, off shift, or later)."""
    if not case.round_the_clock or case.assignee_id is None or case.status in CLOSED_STATES:
        return None
    profile = EngineerProfile.objects.filter(user_id=case.assignee_id).first()
    if profile is None:
        return None
    ends = shift_end(parse_shifts(profile.shifts), timezone=profile.time_zone, at=at)
    return ends if ends is not None and ends - at <= HAND_OVER_WARNING else None
