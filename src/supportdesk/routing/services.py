"""Every write of the routing app: queues and engineer profiles (support managers), and the
moves of a case between queues and engineers (routing on opening, take, hand over, escalate),
each one a :class:`CaseAssignment` row and an audit event (R-10, R-20, R-21)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Actor, is_staff
from supportdesk.audit.services import (
    audit_event_record,
    audited_delete,
    created,
    diff,
    snapshot,
)
from supportdesk.cases.models import Case
from supportdesk.cases.services import _locked, _save
from supportdesk.licensing.models import Product
from supportdesk.policy import InputError, get_policy
from supportdesk.policy.routing import escalation
from supportdesk.routing.choices import AssignmentKind
from supportdesk.routing.models import CaseAssignment, EngineerProfile, Queue
from supportdesk.routing.permissions import console_cases_visible_to, require_manager
from supportdesk.routing.selectors import queue_facts

QUEUE_FIELDS = ("code", "name", "tier", "product", "language", "region")
PROFILE_FIELDS = (
    "user",
    "tier",
    "seniority",
    "languages",
    "time_zone",
    "shifts",
    "on_call",
    "pdm_on_duty",
)
ROUTING_FIELDS = ("queue", "assignee", "tier", "language", "assigned_at", "version")


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _clean(instance: Any, exclude: tuple[str, ...] = ()) -> None:
    instance.full_clean(exclude=list(exclude))


# --- queues ---------------------------------------------------------------------------------


@transaction.atomic
def queue_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    tier: str = "L1",
    product: Product | None = None,
    language: str = "en",
    region: str = "",
    at: datetime,
) -> Queue:
    require_manager(actor, "set up queues")
    queue = Queue(
        code=(code or "").strip().lower(),
        name=(name or "").strip(),
        tier=tier,
        product=product,
        language=(language or "").strip().lower(),
        region=region or "",
    )
    _clean(queue)
    queue.save()
    audit_event_record(
        actor=_user(actor),
        action="queue.create",
        target=queue,
        changes=created(snapshot(queue, QUEUE_FIELDS)),
        at=at,
    )
    return queue


@transaction.atomic
def queue_update(*, actor: Actor, queue: Queue, changes: Mapping[str, Any], at: datetime) -> Queue:
    require_manager(actor, "change queues")
    unknown = sorted(set(changes) - set(QUEUE_FIELDS))
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})
    queue = Queue.objects.select_for_update().get(pk=queue.pk)
    before = snapshot(queue, QUEUE_FIELDS)
    for name, value in changes.items():
        setattr(queue, name, value)
    _clean(queue)
    queue.save(update_fields=list(changes) or None)
    audit_event_record(
        actor=_user(actor),
        action="queue.update",
        target=queue,
        changes=diff(before, snapshot(queue, QUEUE_FIELDS)),
        at=at,
    )
    return queue


@transaction.atomic
def queue_delete(*, actor: Actor, queue: Queue, at: datetime) -> None:
    require_manager(actor, "delete queues")
    audited_delete(
        actor=_user(actor),
        instance=queue,
        before=snapshot(queue, QUEUE_FIELDS),
        action="queue.delete",
        at=at,
        protected=f"Queue {queue.code} still holds cases: move them first.",
    )


# --- engineer profiles ---------------------------------------------------------------------


def _profile_snapshot(profile: EngineerProfile) -> dict[str, Any]:
    out = snapshot(profile, PROFILE_FIELDS)
    out["products"] = sorted(profile.products.values_list("code", flat=True))
    out["queues"] = sorted(profile.queues.values_list("code", flat=True))
    return out


def _set_relations(
    profile: EngineerProfile,
    products: Iterable[Product] | None,
    queues: Iterable[Queue] | None,
) -> None:
    if products is not None:
        profile.products.set(list(products))
    if queues is not None:
        profile.queues.set(list(queues))


@transaction.atomic
def engineer_profile_create(
    *,
    actor: Actor,
    user: User,
    tier: str = "L1",
    seniority: str = "regular",
    languages: list[str] | None = None,
    products: Iterable[Product] = (),
    queues: Iterable[Queue] = (),
    time_zone: str | None = None,
    shifts: list[dict[str, Any]] | None = None,
    on_call: bool = False,
    pdm_on_duty: bool = False,
    at: datetime,
) -> EngineerProfile:
    """The routing profile of a staff member."""
    require_manager(actor, "maintain engineer profiles")
    if not is_staff(user):
        raise ValidationError({"user": ["Only support staff have an engineer profile."]})
    if EngineerProfile.objects.filter(user=user).exists():
        raise ValidationError({"user": [f"{user} has a profile already."]})
    profile = EngineerProfile(
        user=user,
        tier=tier,
        seniority=seniority,
        languages=[x.strip().lower() for x in (languages if languages is not None else ["en"])],
        time_zone=time_zone or user.time_zone,
        shifts=shifts or [],
        on_call=on_call,
        pdm_on_duty=pdm_on_duty,
    )
    _clean(profile, exclude=("user",))
    profile.save()
    _set_relations(profile, products, queues)
    audit_event_record(
        actor=_user(actor),
        action="engineer_profile.create",
        target=profile,
        changes=created(_profile_snapshot(profile)),
        at=at,
    )
    return profile


@transaction.atomic
def engineer_profile_update(
    *, actor: Actor, profile: EngineerProfile, changes: Mapping[str, Any], at: datetime
) -> EngineerProfile:
    """Change some of the profile's fields, ``products`` and ``queues`` included."""
    require_manager(actor, "maintain engineer profiles")
    allowed = {*PROFILE_FIELDS, "products", "queues"} - {"user"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})
    profile = EngineerProfile.objects.select_for_update().get(pk=profile.pk)
    before = _profile_snapshot(profile)
    fields = [name for name in changes if name not in ("products", "queues")]
    for name in fields:
        setattr(profile, name, changes[name])
    _clean(profile, exclude=("user",))
    if fields:
        profile.save(update_fields=fields)
    _set_relations(profile, changes.get("products"), changes.get("queues"))
    audit_event_record(
        actor=_user(actor),
        action="engineer_profile.update",
        target=profile,
        changes=diff(before, _profile_snapshot(profile)),
        at=at,
    )
    return profile


@transaction.atomic
def engineer_profile_delete(*, actor: Actor, profile: EngineerProfile, at: datetime) -> None:
    require_manager(actor, "maintain engineer profiles")
    audited_delete(
        actor=_user(actor),
        instance=profile,
        before=_profile_snapshot(profile),
        action="engineer_profile.delete",
        at=at,
    )


# --- moves of a case -----------------------------------------------------------------------


def record_move(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    before: Mapping[str, Any],
    reasons: Iterable[str],
    at: datetime,
) -> CaseAssignment:
    """The CaseAssignment row and the audit event of a move already applied to ``case``."""
    row = CaseAssignment.objects.create(
        case=case,
        kind=kind,
        from_queue_id=before["queue"],
        to_queue_id=case.queue_id,
        from_assignee_id=before["assignee"],
        to_assignee_id=case.assignee_id,
        tier=case.tier,
        language=case.language,
        reasons=list(reasons),
        by=_user(actor),
        at=at,
    )
    changes = diff(before, snapshot(case, ROUTING_FIELDS))
    changes["reasons"] = [None, list(reasons)]
    audit_event_record(
        actor=_user(actor), action=f"case.{kind}", target=case, changes=changes, at=at
    )
    return row


def _engineer(actor: Actor, case: Case) -> User:
    if not isinstance(actor, User) or not is_staff(actor):
        raise PermissionDenied("Only support staff work cases.")
    if not console_cases_visible_to(actor).filter(pk=case.pk).exists():
        raise Case.DoesNotExist(f"No case {case.number}.")
    return actor


def _assignee(user: User | None) -> User:
    if user is None or not is_staff(user) or not user.is_active:
        raise ValidationError({"assignee": ["Assign the case to an active support engineer."]})
    return user


@transaction.atomic
def case_take(*, actor: Actor, case: Case, expected_version: int, at: datetime) -> Case:
    """The engineer takes the case from its queue (or from a colleague)."""
    user = _engineer(actor, case)
    case = _locked(case, expected_version)
    if case.assignee_id == user.pk:
        raise ValidationError({"assignee": [f"You hold case {case.number} already."]})
    before = snapshot(case, ROUTING_FIELDS)
    case.assignee = user
    case.assigned_at = at
    _save(case, ["assignee", "assigned_at"], at)
    record_move(
        actor=user,
        case=case,
        kind=AssignmentKind.TAKEN,
        before=before,
        reasons=[f"Taken by {user}."],
        at=at,
    )
    return case


@transaction.atomic
def case_assign(
    *,
    actor: Actor,
    case: Case,
    assignee: User | None,
    note: str = "",
    expected_version: int,
    at: datetime,
) -> Case:
    """Hand the case over to another engineer (a PDM to a senior engineer, R-10; a shift to
    the next, R-15), or put it back in its queue with ``assignee=None``."""
    user = _engineer(actor, case)
    target = None if assignee is None else _assignee(assignee)
    case = _locked(case, expected_version)
    if target is not None and case.assignee_id == target.pk:
        raise ValidationError({"assignee": [f"{target} holds case {case.number} already."]})
    before = snapshot(case, ROUTING_FIELDS)
    case.assignee = target
    case.assigned_at = at if target is not None else None
    _save(case, ["assignee", "assigned_at"], at)
    text = (note or "").strip()
    if target is None:
        kind, reasons = AssignmentKind.RELEASED, [f"Put back in the queue by {user}."]
    else:
        kind = AssignmentKind.HANDED_OVER if before["assignee"] else AssignmentKind.ASSIGNED
        reasons = [f"{user} → {target}."]
    if text:
        reasons.append(text)
    record_move(actor=user, case=case, kind=kind, before=before, reasons=reasons, at=at)
    return case


@transaction.atomic
def case_escalate(
    *, actor: Actor, case: Case, reason: str, expected_version: int, at: datetime
) -> Case:
    """L1 → L2 → L3 (R-21): to the next tier's English queue of the product, unassigned."""
    user = _engineer(actor, case)
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": ["Say why the case needs the next tier."]})
    case = _locked(case, expected_version)
    try:
        decision = escalation(
            tier=case.tier,
            product=case.product.code,
            region=case.organization.region,
            queues=queue_facts(Queue.objects.select_related("product")),
            policy=get_policy(),
        )
    except InputError as exc:
        raise ValidationError({exc.field: [exc.message]}) from None
    before = snapshot(case, ROUTING_FIELDS)
    case.queue_id = decision.queue
    case.assignee = None
    case.assigned_at = None
    case.tier = decision.tier
    case.language = decision.language
    _save(case, ["queue", "assignee", "assigned_at", "tier", "language"], at)
    record_move(
        actor=user,
        case=case,
        kind=AssignmentKind.ESCALATED,
        before=before,
        reasons=[*decision.reasons, text],
        at=at,
    )
    return case
