"""Where a case goes (R-10, R-20, R-21): its queue, its language, the engineer suggested for
it, and escalation between tiers. Pure functions of plain facts; the routing app gathers the
facts (queues, engineers on shift, their load) and records the decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .calendar import business_calendar
from .errors import InputError
from .languages import Tier, support_languages
from .model import Policy

TIERS: tuple[Tier, ...] = ("L1", "L2", "L3")
SENIORITY_RANK = {"senior": 0, "regular": 1, "junior": 2}


@dataclass(frozen=True)
class QueueFacts:
    id: int
    tier: str
    language: str
    product: str | None  # product code; None serves every product
    region: str | None  # None serves every region


@dataclass(frozen=True)
class EngineerFacts:
    id: int
    name: str
    tier: str
    seniority: str
    languages: tuple[str, ...]
    products: frozenset[str]
    on_shift: bool
    on_call: bool = False
    load: int = 0  # open cases assigned now
    pdm_on_duty: bool = False


@dataclass(frozen=True)
class Suggestion:
    engineer: EngineerFacts
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RoutingDecision:
    tier: str
    language: str
    queue: int | None
    assignee: int | None
    reasons: tuple[str, ...]


def base_language(tag: str) -> str:
    """``pt-BR`` → ``pt``: languages are matched on their primary subtag."""
    return (tag or "").split("-")[0].strip().lower()


def choose_queue(
    queues: Iterable[QueueFacts], *, tier: str, language: str, product: str, region: str
) -> QueueFacts | None:
    """The most specific queue of ``tier`` and ``language`` serving ``product`` and
    ``region``: one naming the product beats one for every product, then the region."""
    fits = [
        q
        for q in queues
        if q.tier == tier
        and base_language(q.language) == base_language(language)
        and q.product in (None, product)
        and q.region in (None, region)
    ]
    if not fits:
        return None
    return min(fits, key=lambda q: (q.product is None, q.region is None, q.id))


def suggest_engineers(
    engineers: Iterable[EngineerFacts],
    *,
    language: str,
    product: str,
    tier: str,
    senior_first: bool = False,
) -> list[Suggestion]:
    """Engineers on shift (then those on call) ranked by the case's language, product skill,
    tier and current load (R-20, R-21); ``senior_first`` for a PDM's hand-over (R-10)."""
    lang = base_language(language)
    want = TIERS.index(tier) if tier in TIERS else 0

    def key(e: EngineerFacts) -> tuple[int, ...]:
        speaks = lang in {base_language(x) for x in e.languages}
        level = TIERS.index(e.tier) if e.tier in TIERS else 0
        seniority = SENIORITY_RANK.get(e.seniority, 1)
        return (
            0 if e.on_shift else 1,
            0 if speaks else 1,
            0 if product in e.products else 1,
            seniority if senior_first else 0,
            0 if level == want else (1 if level > want else 2),
            e.load,
            e.id,
        )

    ranked = sorted((e for e in engineers if e.on_shift or e.on_call), key=key)
    out = []
    for e in ranked:
        speaks = lang in {base_language(x) for x in e.languages}
        reasons = [
            "on shift" if e.on_shift else "on call",
            f"speaks {lang}" if speaks else f"does not speak {lang}",
            f"supports {product}" if product in e.products else f"not skilled in {product}",
            f"{e.tier}, {e.seniority}",
            f"{e.load} open case{'s' if e.load != 1 else ''}",
        ]
        out.append(Suggestion(e, tuple(reasons)))
    return out


def route_on_opening(
    policy: Policy,
    *,
    program: str,
    product: str,
    flagship: bool,
    customer_language: str,
    at: datetime,
    timezone: str,
    country: str,
    subdivision: str | None,
    region: str,
    queues: Sequence[QueueFacts],
    engineers: Sequence[EngineerFacts],
    pdm: EngineerFacts | None = None,
    pdms_on_duty: Sequence[EngineerFacts] = (),
) -> RoutingDecision:
    """The L1 queue of the case's product and region in the language support offers now
    (R-20, R-21), falling back to English when nobody speaking the customer's language is on
    shift, with the reason; a Premium case goes to the customer's PDM in the customer's
    local business hours, else to the PDM on duty (R-10, R-11)."""
    fallback = policy.languages.fallback
    avail = support_languages(
        policy,
        flagship=flagship,
        at=at,
        timezone=timezone,
        country=country,
        subdivision=subdivision,
    )
    reasons = list(avail.reasons)
    wanted = base_language(customer_language) or fallback
    language = fallback
    if wanted != fallback and wanted in avail.languages:
        speakers = [
            e
            for e in engineers
            if e.on_shift and e.tier == "L1" and wanted in {base_language(x) for x in e.languages}
        ]
        if speakers and choose_queue(
            queues, tier="L1", language=wanted, product=product, region=region
        ):
            language = wanted
            reasons.append(f"An L1 engineer speaking {wanted} is on shift: routed in {wanted}.")
        elif speakers:
            reasons.append(f"No L1 queue in {wanted}: routed in English (R-21).")
        else:
            reasons.append(f"No L1 engineer speaking {wanted} is on shift: routed in English.")
    elif wanted != fallback:
        reasons.append(f"L1 support is not offered in {wanted} now: routed in English.")
    queue = choose_queue(queues, tier="L1", language=language, product=product, region=region)
    if queue is None:
        reasons.append(f"No L1 queue in {language} serves this product and region.")
    assignee: int | None = None
    if program == "premium":
        hours = policy.languages.flagship_hours
        local_hours = business_calendar(hours, timezone, country, subdivision).is_open(at)
        if pdm is not None and local_hours:
            assignee = pdm.id
            reasons.append(
                f"Premium: to the customer's PDM {pdm.name}, who hands it to a senior "
                "engineer (R-10)."
            )
        else:
            duty = sorted(
                (p for p in pdms_on_duty if p.on_shift or p.on_call),
                key=lambda p: (0 if p.on_shift else 1, p.load, p.id),
            )
            if duty:
                assignee = duty[0].id
                why = "has no named PDM" if pdm is None else "is outside its local hours"
                reasons.append(
                    f"Premium: the customer {why}: to the PDM on duty {duty[0].name} (R-10, R-11)."
                )
            else:
                reasons.append("Premium: no PDM available now: the queue takes it (R-10).")
    return RoutingDecision("L1", language, queue.id if queue else None, assignee, tuple(reasons))


def next_tier(tier: str) -> str:
    """L1 → L2 → L3 (R-21); L3 is the last line."""
    if tier not in TIERS:
        raise InputError("tier", f"must be L1, L2 or L3, not {tier!r}")
    i = TIERS.index(tier)
    if i == len(TIERS) - 1:
        raise InputError("tier", "L3 is the last line: the case cannot be escalated further.")
    return TIERS[i + 1]


def escalation(
    *,
    tier: str,
    product: str,
    region: str,
    queues: Sequence[QueueFacts],
    policy: Policy,
) -> RoutingDecision:
    """The next tier's queue for the product; L2 and L3 work in English (R-21)."""
    to = next_tier(tier)
    lang = policy.languages.fallback
    queue = choose_queue(queues, tier=to, language=lang, product=product, region=region)
    if queue is None:
        raise InputError("tier", f"No {to} queue serves {product}: set one up first.")
    reasons = (f"Escalated {tier} → {to}; {to} support is in English only (R-21).",)
    return RoutingDecision(to, lang, queue.id, None, reasons)
