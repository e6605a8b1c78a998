"""Every write of the cases app: keyword-only, atomic, permission-checked, one audit event
each, side effects queued on commit.

Every write to an existing case names the ``expected_version`` it read; the case row is locked
and its version checked and bumped in the same transaction, so that two engineers cannot
silently overwrite each other (the second gets :class:`~supportdesk.errors.Conflict`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import phonenumbers
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction

from supportdesk import rows, taskqueue
from supportdesk.accounts.choices import StaffRole
from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import (
    Actor,
    can_open_cases,
    is_person,
    is_staff,
    not_found,
    organizations_visible_to,
)
from supportdesk.audit.services import audit_event_record, created, diff, snapshot
from supportdesk.cases.choices import (
    CaseKind,
    CaseStatus,
    ContactChannel,
    ContactMethod,
    ContactOutcome,
    DiagnosticsKind,
    ManagerRequestStatus,
    ResolutionType,
    SeverityChangeKind,
    ThirdPartyAction,
)
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
from supportdesk.cases.permissions import (
    cases_visible_to,
    require_customer_side_or_staff,
    require_staff,
    side_of,
)
from supportdesk.cases.selectors import contact_attempt_count
from supportdesk.cases.tasks import case_contact_close
from supportdesk.errors import Conflict
from supportdesk.licensing.models import SupportId
from supportdesk.licensing.selectors import EntitlementAnswer, entitlement_for
from supportdesk.notifications.mail import local_time
from supportdesk.notifications.services import mail_queue, recipient_language
from supportdesk.notifications.sla import sla_alerts_schedule
from supportdesk.policy import InputError, Policy, first_response, get_policy, zone
from supportdesk.policy.case_states import transition
from supportdesk.policy.contact_attempts import answered, check_attempt
from supportdesk.policy.resolutions import resolution_effect
from supportdesk.policy.routing import RoutingDecision
from supportdesk.routing.opening import apply_routing, case_routed_record
from supportdesk.routing.selectors import routing_decision
from supportdesk.surveys.services import survey_invite

CASE_FIELDS = (
    "number",
    "organization",
    "opened_by",
    "kind",
    "status",
    "support_id",
    "product",
    "product_version",
    "maintenance_level",
    "subject",
    "description",
    "business_impact",
    "error_text",
    "diagnostics",
    "steps_to_reproduce",
    "known_workarounds",
    "contact_phone",
    "contact_email",
    "best_time_to_reach",
    "preferred_contact",
    "proposed_severity",
    "severity",
    "technical_contact_available",
    "round_the_clock",
    "program",
    "hours_label",
    "target_minutes",
    "clock",
    "policy_version",
    "policy_sha256",
    "time_zone",
    "country",
    "subdivision",
    "first_response_due_at",
    "queue",
    "assignee",
    "tier",
    "language",
    "routing_reasons",
    "opened_at",
    "follows",
)

OFFERS = {
    "renew_maintenance": "renew the maintenance contract (R-8a)",
    "renew_license": "renew the license",
    "buy_license": "buy a license",
    "upgrade": (
        "upgrade to a supported version; the known workarounds and existing fixes stay "
        "available to you (R-37)"
    ),
}


@dataclass(frozen=True)
class CaseDetails:
    """What the customer tells when opening a case (R-22)."""

    subject: str
    description: str
    proposed_severity: int
    contact_email: str
    product: str | None = None  # the product's code; default: the Support ID's product
    product_version: str | None = None
    maintenance_level: str = ""
    business_impact: str = ""
    error_text: str = ""
    diagnostics: str = ""
    steps_to_reproduce: str = ""
    known_workarounds: str = ""
    contact_phone: str = ""
    best_time_to_reach: str = ""
    preferred_contact: str = ContactMethod.EMAIL
    technical_contact_available: bool = False


def _user(actor: Actor) -> User:
    if not isinstance(actor, User) or not is_person(actor):
        raise PermissionDenied("Sign in first.")
    return actor


def _field_errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _phone(text: str, country: str) -> str:
    """The number in E.164, read in the customer's country unless it starts with +."""
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{text!r} is not a phone number (such as +49 30 1234567).") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{text!r} is not a valid phone number (such as +49 30 1234567).")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _validate_details(
    details: CaseDetails, *, kind: str, organization: Organization, policy: Policy
) -> dict[str, Any]:
    """The R-22 fields, checked and normalised; every problem names its field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name in (
        "subject",
        "description",
        "maintenance_level",
        "business_impact",
        "error_text",
        "diagnostics",
        "steps_to_reproduce",
        "known_workarounds",
        "best_time_to_reach",
    ):
        values[name] = (getattr(details, name) or "").strip()
    if kind not in policy.case_kinds:
        errors["kind"] = [f"Unknown case kind {kind!r} (one of: {', '.join(policy.case_kinds)})."]
    for name in ("subject", "description"):
        if not values[name]:
            errors[name] = ["This field is required."]
    if len(values["subject"]) > 200:
        errors["subject"] = ["At most 200 characters."]
    if kind == CaseKind.TECHNICAL:
        if not values["business_impact"]:
            errors["business_impact"] = [
                "Say how the problem affects the system and the business (R-22)."
            ]
        if not (details.product_version or "").strip():
            errors["product_version"] = ["A technical case names the product version (R-22)."]
    severity = details.proposed_severity
    if isinstance(severity, bool) or severity not in policy.severities:
        errors["proposed_severity"] = [
            f"A severity from 1 to {len(policy.severities)} (R-13), not {severity!r}."
        ]
    values["proposed_severity"] = severity
    email = (details.contact_email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["contact_email"] = [f"{email!r} is not an e-mail address."]
    values["contact_email"] = email
    if details.preferred_contact not in ContactMethod.values:
        errors["preferred_contact"] = ["Either email or phone (R-22)."]
    values["preferred_contact"] = details.preferred_contact
    phone = (details.contact_phone or "").strip()
    values["contact_phone"] = ""
    if phone:
        try:
            values["contact_phone"] = _phone(phone, organization.country)
        except ValueError as exc:
            errors["contact_phone"] = [str(exc)]
    elif details.preferred_contact == ContactMethod.PHONE:
        errors["contact_phone"] = ["Give a phone number to be reached by phone (R-22)."]
    values["technical_contact_available"] = bool(details.technical_contact_available)
    _field_errors(errors)
    return values


def _entitlement(
    *,
    organization: Organization,
    support_id: str | SupportId | None,
    details: CaseDetails,
    at: datetime,
) -> EntitlementAnswer:
    """The Support ID's entitlement, once it is known to belong to ``organization`` and to the
    product named (R-2); refused naming the field before the case exists."""
    if support_id is None or (isinstance(support_id, str) and not support_id.strip()):
        raise ValidationError({"support_id": ["Give the Support ID of the product (R-2)."]})
    try:
        answer = entitlement_for(
            support_id=support_id if isinstance(support_id, str) else support_id.code,
            version=details.product_version,
            at=at,
            organization=organization,
        )
    except SupportId.DoesNotExist:
        raise ValidationError(
            {"support_id": [f"This is not a Support ID of {organization} (R-2)."]}
        ) from None
    except ValidationError as exc:
        messages = exc.message_dict
        raise ValidationError(
            {("product_version" if k == "version" else k): v for k, v in messages.items()}
        ) from None
    product = (details.product or "").strip()
    if product and product.upper() != answer.product.code.upper():
        raise ValidationError(
            {
                "product": [
                    f"Support ID {answer.support_id.code} belongs to {answer.product.name} "
                    f"({answer.product.code}), not to {product}: give the Support ID installed "
                    "in the product the problem is in (R-2)."
                ]
            }
        )
    return answer


def _refuse_technical(answer: EntitlementAnswer) -> None:
    """R-8a, R-37: a technical case without a program or on a version past End of Support is
    refused with what remains on offer."""
    ent = answer.entitlement
    why = " ".join(r for r in ent.reasons if not r.startswith("Hotfixes"))
    offers = "; ".join(OFFERS.get(offer, offer) for offer in ent.offers)
    message = why + (f" You can {offers}." if offers else "")
    field = "product_version" if "upgrade" in ent.offers else "support_id"
    raise ValidationError({field: [message]})


@dataclass(frozen=True)
class _Clock:
    program: str
    hours_label: str
    target_minutes: int | None
    clock: str
    due_at: datetime | None
    reasons: list[str]


def _first_response_clock(
    policy: Policy,
    *,
    program: str | None,
    severity: int,
    kind: str,
    opened_at: datetime,
    time_zone: str,
    country: str,
    subdivision: str,
    no_program_reasons: tuple[str, ...] = (),
) -> _Clock:
    """The first-response clock from the policy core (R-16 to R-19)."""
    if not program:
        return _Clock("", "", None, "none", None, list(no_program_reasons))
    fr = first_response(
        policy,
        program=program,
        severity=severity,
        opened_at=opened_at,
        timezone=time_zone,
        country=country,
        subdivision=subdivision or None,
        case_kind=kind,
    )
    due = fr.due_at.astimezone(UTC) if fr.due_at is not None else None
    return _Clock(
        program, fr.program.hours.label, fr.target_minutes, fr.clock, due, list(fr.reasons)
    )


def _round_the_clock(policy: Policy, program: str, severity: int, available: bool) -> bool:
    """R-15: Severity 1 on a program that works it around the clock, while the customer has
    a technical person available."""
    prog = policy.programs.get(program) if program else None
    return bool(prog and prog.round_the_clock_severity_1 and severity == 1 and available)


# the table's name is the model's, fixed in the code: no outside input reaches this text
_BUMP_COUNTER = (
    f'UPDATE "{CaseNumberCounter._meta.db_table}" SET "last" = "last" + 1 '  # noqa: S608
    'WHERE "year" = %s RETURNING "last"'
)


# PostgreSQL, the bump outside the opening's transaction (autocommit; with the reads it goes
# with, rows.along, in their implicit transaction): its COMMIT need not wait for the WAL's
# flush. The case that takes the number commits later with the flush, and a flush writes the
# WAL up to that point, the bump included: a case that survives a crash has a number that
# survived it. A bump lost in a crash was taken by no saved case. The case's primary key
# comes from its sequence in the same statement.
_TAKE_NO_FLUSH = (
    "WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)), "  # noqa: S608
    f'bumped AS (UPDATE "{CaseNumberCounter._meta.db_table}" SET "last" = "last" + 1 '
    'FROM quick WHERE "year" = %s RETURNING "last") '
    f'SELECT "last", nextval(pg_get_serial_sequence(\'"{Case._meta.db_table}"\', '
    f"'{Case._meta.pk.column}')) FROM bumped"
)


def _taking(at: datetime) -> rows.Along | None:
    """The statement that takes the case's number and primary key, to be sent with other
    reads (rows.along): on PostgreSQL outside a transaction (the counter row's lock is then
    held only until their answer, not to the opening's COMMIT); else None, and they are
    taken in a write of their own (:func:`_numbered`)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    return rows.Along(_TAKE_NO_FLUSH, [at.astimezone(UTC).year])


def _numbered(at: datetime, taken: rows.Along | None = None) -> tuple[str, int]:
    """The next case number of the year, under the counter row's lock (no two alike), and
    the case's primary key (rows.reserve_key), taken before the opening's rows are made, so
    that none of their Python runs under a lock: ``taken``, the statement sent already
    (:func:`_taking`), when there is one; without it, in the caller's transaction. A number
    or key taken by an opening refused later stays unused."""
    year = at.astimezone(UTC).year
    if taken is not None:
        # answered with the reads it went with (no cursor of its own): number and key
        sql, params, found = taken.sql, taken.params, taken.rows()
    else:  # one UPDATE ... RETURNING (SQLite 3.35+ and PostgreSQL both have it)
        sql, params, found = _BUMP_COUNTER, [year], None
    if not found:  # not sent yet, or no row came back
        with rows.prepared_cursor() as cursor:
            if found is None:
                cursor.execute(sql, params)
                found = cursor.fetchall()
            if not found:  # the year's first case: make its row, and take it again
                CaseNumberCounter.objects.get_or_create(year=year)
                cursor.execute(sql, params)
                found = cursor.fetchall()
    row = found[0]
    key = row[1] if taken is not None else rows.reserve_key(Case)
    return f"C-{year}-{row[0]:06d}", key


def _fingerprint(
    organization: Organization, support_id: str | SupportId | None, kind: str, details: CaseDetails
) -> str:
    """What was submitted, as a SHA-256: a retry must send the same submission again."""
    code = support_id.code if isinstance(support_id, SupportId) else support_id
    text = json.dumps([organization.pk, code, kind, asdict(details)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _replayed(opener: User, key: str, fingerprint: str) -> Case | None:
    """The case ``opener`` already opened with ``key``, if any; refused naming the key when
    that case was opened from another submission."""
    if not key:
        return None
    found = Case.objects.filter(opened_by=opener, idempotency_key=key).order_by().first()
    if found is None:
        return None
    if found.idempotency_fingerprint and found.idempotency_fingerprint != fingerprint:
        raise ValidationError(
            {
                "idempotency_key": [
                    f"Idempotency-Key {key!r} was already used for another submission (case "
                    f"{found.number}): a retry must send the same request again; a new case "
                    "needs a new key."
                ]
            }
        )
    return found


def _may_open(opener: User, organization: Organization, *, at: datetime) -> None:
    """R-1: the opener sees the organization and may open its cases; it is a customer."""
    # whoever may open cases for the organization also sees it: the visibility query is
    # only needed to tell "no such organization" (404) from "not allowed" (403)
    if not is_staff(opener) and not can_open_cases(opener, organization, at=at):
        if not organizations_visible_to(opener, at=at).filter(pk=organization.pk).exists():
            raise not_found(organization)
        raise PermissionDenied(
            "Only the organization's license or case administrators, or a partner it delegates "
            "to, open cases (R-1)."
        )
    if organization.is_partner:
        raise ValidationError({"organization": ["Cases are opened for a customer (R-1)."]})


def case_open_check(
    *,
    actor: Actor,
    organization: Organization,
    support_id: str | SupportId | None,
    kind: str,
    product_version: str | None = None,
    at: datetime,
) -> EntitlementAnswer:
    """The first step of opening a case on its own, writing nothing: may ``actor`` open a
    case of ``kind`` for ``organization`` with this Support ID and version, and what does it
    entitle to (R-1, R-2, R-8a, R-22, R-37)? Refuses exactly as :func:`case_open` would,
    naming the field; the portal's wizard asks it before the problem is typed in."""
    opener = _user(actor)
    _may_open(opener, organization, at=at)
    policy = get_policy()
    if kind not in policy.case_kinds:
        raise ValidationError(
            {"kind": [f"Unknown case kind {kind!r} (one of: {', '.join(policy.case_kinds)})."]}
        )
    version = (product_version or "").strip() or None
    if kind == CaseKind.TECHNICAL and version is None:
        raise ValidationError(
            {"product_version": ["A technical case names the product version (R-22)."]}
        )
    details = CaseDetails(
        subject="", description="", proposed_severity=0, contact_email="", product_version=version
    )
    answer = _entitlement(organization=organization, support_id=support_id, details=details, at=at)
    if kind == CaseKind.TECHNICAL and not answer.entitlement.technical_case_allowed:
        _refuse_technical(answer)
    return answer


def _followed(
    follows: str | Case | None, *, organization: Organization, opener: User, at: datetime
) -> Case | None:
    """The closed case of ``organization`` that a new case follows (R-29), refused naming
    ``follows`` when the opener cannot see it, it is another organization's, or still open."""
    if follows is None or (isinstance(follows, str) and not follows.strip()):
        return None
    number = follows.number if isinstance(follows, Case) else follows.strip().upper()
    earlier = cases_visible_to(opener, at=at).filter(number=number).first()
    if earlier is None or earlier.organization_id != organization.pk:
        raise ValidationError({"follows": [f"{number} is not a case of {organization}."]})
    if earlier.status != CaseStatus.CLOSED:
        raise ValidationError(
            {"follows": [f"{number} is still open: comment on it rather than open a new case."]}
        )
    return earlier


def case_open(
    *,
    actor: Actor,
    organization: Organization,
    support_id: str | SupportId | None,
    kind: str,
    details: CaseDetails,
    idempotency_key: str = "",
    follows: str | Case | None = None,
    at: datetime,
) -> Case:
    """Open a case (R-1, R-2, R-22 to R-24, R-37) with its first-response clock frozen from the
    entitlement (R-16 to R-19); the contact is mailed the case number (R-23).

    ``follows`` names a closed case of the same organization that the new one takes up again,
    such as one closed because the customer could not be reached (R-29).

    A retried submission with the same ``idempotency_key`` by the same opener returns the case
    the first one opened; the same key with another submission is refused naming the key
    (ADR 5)."""
    opener = _user(actor)
    key = idempotency_key.strip()
    if len(key) > 100:
        raise ValidationError({"idempotency_key": ["At most 100 characters."]})
    fingerprint = _fingerprint(organization, support_id, kind, details) if key else ""
    try:
        # A first submission (the usual case) costs no lookup of its key: the unique
        # (opener, key) constraint catches a retry when the case is written.
        return _open(
            opener,
            organization=organization,
            support_id=support_id,
            kind=kind,
            details=details,
            key=key,
            fingerprint=fingerprint,
            follows=follows,
            at=at,
        )
    except (ValidationError, PermissionDenied, ObjectDoesNotExist):
        # a retry is answered with the case its first submission opened, even when that
        # submission would be refused now (a license lapsed since, say)
        if (existing := _replayed(opener, key, fingerprint)) is not None:
            return existing
        raise


def _open(
    opener: User,
    *,
    organization: Organization,
    support_id: str | SupportId | None,
    kind: str,
    details: CaseDetails,
    key: str,
    fingerprint: str,
    follows: str | Case | None,
    at: datetime,
) -> Case:
    _may_open(opener, organization, at=at)
    policy = get_policy()
    earlier = _followed(follows, organization=organization, opener=opener, at=at)
    values = _validate_details(details, kind=kind, organization=organization, policy=policy)
    answer = _entitlement(organization=organization, support_id=support_id, details=details, at=at)
    if kind == CaseKind.TECHNICAL and not answer.entitlement.technical_case_allowed:
        _refuse_technical(answer)
    severity = values["proposed_severity"]
    clock = _first_response_clock(
        policy,
        program=answer.entitlement.program,
        severity=severity,
        kind=kind,
        opened_at=at,
        time_zone=organization.time_zone,
        country=organization.country,
        subdivision=organization.subdivision,
        no_program_reasons=tuple(
            r for r in answer.entitlement.reasons if not r.startswith("Hotfixes")
        ),
    )
    # On PostgreSQL, outside a transaction, the case number is taken with the routing's
    # reads, in their round trip (rows.along): the counter row's lock held only until their
    # answer, not to the opening's COMMIT, which would put every opening in one line.
    # Refused after this (the case's own checks, a retry's race), the number stays unused.
    taken = _taking(at)
    with rows.along(taken) if taken is not None else nullcontext():
        decision = routing_decision(
            # the entitlement's organization is this one, read with its PDM
            organization=answer.organization,
            product=answer.product,
            program=clock.program,
            at=at,
        )
    case = Case(
        **values,
        organization=organization,
        opened_by=opener,
        idempotency_key=key,
        idempotency_fingerprint=fingerprint,
        kind=kind,
        support_id=answer.support_id,
        product=answer.product,
        product_version=answer.version,
        severity=severity,
        round_the_clock=_round_the_clock(
            policy, clock.program, severity, values["technical_contact_available"]
        ),
        program=clock.program,
        hours_label=clock.hours_label,
        target_minutes=clock.target_minutes,
        clock=clock.clock,
        policy_version=policy.version,
        policy_sha256=policy.sha256,
        time_zone=organization.time_zone,
        country=organization.country,
        subdivision=organization.subdivision,
        first_response_reasons=clock.reasons,
        first_response_due_at=clock.due_at,
        opened_at=at,
        updated_at=at,
        confirmation_sent_at=at,  # queued in the outbox with the case, delivered by the worker
        follows=earlier,
    )
    apply_routing(case, decision, at)
    # Checked before the write transaction: the related objects were just read, so their
    # existence needs no second query, and the number is made under the counter's lock below.
    case.full_clean(
        exclude=[
            "number",
            "organization",
            "opened_by",
            "support_id",
            "product",
            "product_version",
            "follows",
            "queue",  # from the routing decision, read just now
            "assignee",
        ],
        validate_unique=False,
        validate_constraints=False,
    )
    if taken is not None:
        case.number, case.pk = _numbered(at, taken)
    else:
        with transaction.atomic():  # a short write of its own (a savepoint inside another)
            case.number, case.pk = _numbered(at)
    try:
        _write_opening(case, opener, decision, severity=severity, at=at)
    except IntegrityError:
        # the same submission, retried at the same moment, won the race: answer its case
        # (this one's writes were rolled back; the number and key it took stay unused)
        if (existing := _replayed(opener, key, fingerprint)) is not None:
            return existing
        raise
    return case


def _write_opening(
    case: Case, opener: User, decision: RoutingDecision, *, severity: int, at: datetime
) -> None:
    """The opening's writes, in one transaction, the case's number and primary key taken
    already (:func:`_numbered`). Each row is one ``INSERT`` made once per process
    (supportdesk.rows), none of them awaited (rows.pipelined_transaction): on PostgreSQL
    they go in a pipeline with their BEGIN and COMMIT, one round trip; on SQLite they run
    together at the block's end, under the database's one write lock only then. A retry's
    case is refused by the unique (opener, key) constraint at the block's end, and the
    whole transaction is rolled back (IntegrityError)."""
    with rows.pipelined_transaction():
        rows.insert(case, key_later=True)
        rows.insert(
            SeverityChange(
                case=case,
                kind=SeverityChangeKind.PROPOSED,
                from_severity=None,
                to_severity=severity,
                reason=case.business_impact,
                by=opener,
                at=at,
                due_after=case.first_response_due_at,
            ),
            key_later=True,
        )
        audit_event_record(
            actor=opener,
            action="case.open",
            target=case,
            changes=created(snapshot(case, CASE_FIELDS)),
            at=at,
        )
        with taskqueue.together():  # the confirmation's delivery and both deadline checks
            _confirmation_queue(case, opener, at)
            sla_alerts_schedule(case=case)
        case_routed_record(case=case, decision=decision, at=at)


def _customer_recipients(case: Case) -> list[tuple[str, str, str]]:
    """(address, name, language) of the case's contact and of its opener, once each."""
    out: dict[str, tuple[str, str, str]] = {}
    default = case.organization.language
    opener = case.opened_by
    if case.contact_email:
        address = case.contact_email
        # the opener's own address (the usual case) is read by the opener: no lookup
        own = bool(opener.email) and address.lower() == opener.email.lower()
        language = (
            (opener.language or default) if own else recipient_language(address, default=default)
        )
        out[address.lower()] = (address, "", language)
    if opener.email and opener.email.lower() not in out:
        out[opener.email.lower()] = (opener.email, opener.get_full_name(), opener.language)
    return list(out.values())


def _confirmation_queue(case: Case, opener: User, at: datetime) -> None:
    """R-23: the contact (and the opener) are mailed the case number, in their language,
    through the outbox in the transaction that opens the case. The first mail starts the
    case's thread (its Message-ID is the thread's root), the other refers to it; both are
    the new case's first (``fresh``: nothing awaits their rows' answers)."""
    for index, (address, name, language) in enumerate(_customer_recipients(case)):
        mail_queue(
            to=address,
            to_name=name,
            language=language,
            template="case_confirmation",
            context={
                "number": case.number,
                "subject": case.subject,
                "kind": case.get_kind_display(),
                "kind_code": case.kind,
                "severity": case.proposed_severity,
                "due_at": case.first_response_due_at,
                "due_at_local": local_time(case.first_response_due_at, case.time_zone)
                if case.first_response_due_at
                else "",
                "time_zone": case.time_zone,
            },
            thread=case.number,
            thread_root=index == 0,
            dedup_key=f"case:{case.pk}:confirmation:{address.lower()}",
            at=at,
            fresh=True,
        )


def _update_queue(case: Case, comment: Comment, author: User, at: datetime) -> None:
    """R-28: a public reply by support is mailed to the customer, threaded with the case."""
    for address, name, language in _customer_recipients(case):
        mail_queue(
            to=address,
            to_name=name,
            language=language,
            template="case_update",
            context={
                "number": case.number,
                "subject": case.subject,
                "author": author.get_full_name() or author.get_username(),
                "body": comment.body,
            },
            thread=case.number,
            dedup_key=f"case:{case.pk}:comment:{comment.pk}:{address.lower()}",
            at=at,
        )


def customer_notice(
    *, case: Case, template: str, context: dict[str, Any], key: str, at: datetime
) -> None:
    """Tell the case's customer (its contact and its opener) something about the case, through
    the outbox in the caller's transaction, threaded with the case; ``key`` names this notice
    so that it is queued once whatever retries."""
    for address, name, language in _customer_recipients(case):
        mail_queue(
            to=address,
            to_name=name,
            language=language,
            template=template,
            context={"number": case.number, "subject": case.subject, **context},
            thread=case.number,
            dedup_key=f"case:{case.pk}:{key}:{address.lower()}",
            at=at,
        )


# --- writes to an open case ------------------------------------------------------------------


def _locked(case: Case, expected_version: int) -> Case:
    """The case, row-locked, if nobody changed it since ``expected_version``; else Conflict."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.version != expected_version:
        raise Conflict(
            f"Case {current.number} has changed since you read it (you read version "
            f"{expected_version}, it is now at version {current.version}): reload it and "
            "try again."
        )
    return current


def _save(case: Case, fields: list[str], at: datetime) -> None:
    case.version += 1
    case.updated_at = at
    case.save(update_fields=[*fields, "version", "updated_at"])


def _audit(actor: Actor, case: Case, action: str, changes: dict[str, Any], at: datetime) -> None:
    # durations (how late a first response was) are kept as H:MM:SS text
    plain = {
        name: [str(v) if isinstance(v, timedelta) else v for v in values]
        for name, values in changes.items()
    }
    audit_event_record(
        actor=actor if isinstance(actor, User) else None,
        action=action,
        target=case,
        changes=plain,
        at=at,
    )


@transaction.atomic
def case_transition(
    *, actor: Actor, case: Case, status: str, expected_version: int, at: datetime
) -> Case:
    """Move the case through the state machine of ``policy/case_states.py``; a move the table
    does not list is refused naming ``status``."""
    require_customer_side_or_staff(actor, case, at=at, doing="change the status of its cases")
    case = _locked(case, expected_version)
    try:
        transition(case.status, status, side_of(actor))  # type: ignore[arg-type]
    except InputError as exc:
        raise ValidationError({exc.field: [exc.message]}) from None
    fields = ("status", "closed_at", "version")
    before = snapshot(case, fields)
    case.status = status
    changed = ["status"]
    if status == CaseStatus.CLOSED:  # a final state: closed once
        case.closed_at = at
        changed.append("closed_at")
    _save(case, changed, at)
    _audit(actor, case, "case.transition", diff(before, snapshot(case, fields)), at)
    if status == CaseStatus.CLOSED:
        survey_invite(case=case, at=at)
    return case


@transaction.atomic
def case_comment_add(
    *,
    actor: Actor,
    case: Case,
    body: str,
    internal: bool = False,
    expected_version: int,
    at: datetime,
) -> Comment:
    """A public or internal comment. The first public reply by support stops the
    first-response clock (R-16), recording by how much it was late, if it was."""
    author = _user(actor)
    if internal:
        require_staff(actor, case, at=at, refusal="Only support staff write internal comments.")
    else:
        require_customer_side_or_staff(actor, case, at=at, doing="comment on its cases")
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": ["This field is required."]})
    case = _locked(case, expected_version)
    fields = ("first_responded_at", "first_response_late_by", "contact_closable_at", "version")
    before = snapshot(case, fields)
    comment = Comment.objects.create(
        case=case, author=author, body=text, internal=internal, created_at=at
    )
    changed: list[str] = []
    if not is_staff(author) and case.contact_closable_at is not None:
        case.contact_closable_at = None  # the customer answered: the count starts again
        changed.append("contact_closable_at")
    if not internal and is_staff(author) and case.first_responded_at is None:
        case.first_responded_at = at
        changed.append("first_responded_at")
        due = case.first_response_due_at
        if due is not None and at > due:
            case.first_response_late_by = at - due
            changed.append("first_response_late_by")
    _save(case, changed, at)
    changes = diff(before, snapshot(case, fields))
    changes["comment"] = [None, {"id": comment.pk, "internal": internal}]
    _audit(actor, case, "case.comment", changes, at)
    if not internal and is_staff(author):
        _update_queue(case, comment, author, at)
    return comment


def _severity(value: int, policy: Policy) -> None:
    if isinstance(value, bool) or value not in policy.severities:
        raise ValidationError(
            {"severity": [f"A severity from 1 to {len(policy.severities)} (R-13), not {value!r}."]}
        )


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": ["Say why the severity changes (R-14)."]})
    return text


@transaction.atomic
def case_request_severity(
    *, actor: Actor, case: Case, severity: int, reason: str, expected_version: int, at: datetime
) -> SeverityChange:
    """The customer asks for another severity because the business impact changed (R-14);
    support agrees it with :func:`case_agree_severity`."""
    require_customer_side_or_staff(actor, case, at=at, doing="ask to change a case's severity")
    _severity(severity, get_policy())
    text = _reason(reason)
    case = _locked(case, expected_version)
    if severity == case.severity:
        raise ValidationError({"severity": [f"The case is at Severity {severity} already."]})
    before = snapshot(case, ("requested_severity", "version"))
    case.requested_severity = severity
    change = SeverityChange.objects.create(
        case=case,
        kind=SeverityChangeKind.REQUESTED,
        from_severity=case.severity,
        to_severity=severity,
        reason=text,
        by=actor if isinstance(actor, User) else None,
        at=at,
        due_before=case.first_response_due_at,
        due_after=case.first_response_due_at,
    )
    _save(case, ["requested_severity"], at)
    changes = diff(before, snapshot(case, ("requested_severity", "version")))
    changes["reason"] = [None, text]
    _audit(actor, case, "case.severity_request", changes, at)
    return change


SEVERITY_FIELDS = (
    "severity",
    "requested_severity",
    "severity_agreed_at",
    "round_the_clock",
    "target_minutes",
    "first_response_due_at",
    "first_response_reasons",
    "policy_version",
    "policy_sha256",
    "version",
)


@transaction.atomic
def case_agree_severity(
    *,
    actor: Actor,
    case: Case,
    severity: int,
    reason: str = "",
    expected_version: int,
    at: datetime,
) -> SeverityChange:
    """Support agrees the severity with the customer (R-14): the proposed one at first, a
    requested or a new one later (a change needs a reason). Before the first response, a
    change re-bases the first-response clock from the opening (R-16); the audit event and the
    SeverityChange record the old and the new due time and why."""
    require_staff(actor, case, at=at, refusal="Only support staff agree a case's severity (R-14).")
    policy = get_policy()
    _severity(severity, policy)
    case = _locked(case, expected_version)
    changing = severity != case.severity
    text = _reason(reason) if changing else (reason or "").strip()
    before = snapshot(case, SEVERITY_FIELDS)
    due_before = case.first_response_due_at
    rebase = ""
    if changing and case.first_responded_at is None:
        clock = _first_response_clock(
            policy,
            program=case.program or None,
            severity=severity,
            kind=case.kind,
            opened_at=case.opened_at,
            time_zone=case.time_zone,
            country=case.country,
            subdivision=case.subdivision,
            no_program_reasons=tuple(case.first_response_reasons),
        )
        case.target_minutes = clock.target_minutes
        case.first_response_due_at = clock.due_at
        case.first_response_reasons = clock.reasons
        case.policy_version, case.policy_sha256 = policy.version, policy.sha256
        rebase = (
            f"Severity {case.severity} → {severity} before the first response: the clock "
            "is re-based from the opening on the new target (R-14, R-16)."
        )
    case.severity = severity
    case.requested_severity = None
    case.severity_agreed_at = at
    case.round_the_clock = _round_the_clock(
        policy, case.program, severity, case.technical_contact_available
    )
    change = SeverityChange.objects.create(
        case=case,
        kind=SeverityChangeKind.AGREED,
        from_severity=before["severity"],
        to_severity=severity,
        reason=text,
        by=actor if isinstance(actor, User) else None,
        at=at,
        due_before=due_before,
        due_after=case.first_response_due_at,
    )
    _save(case, [f for f in SEVERITY_FIELDS if f != "version"], at)
    changes = diff(before, snapshot(case, SEVERITY_FIELDS))
    changes["reason"] = [None, text]
    if rebase:
        changes["rebase"] = [None, rebase]
        sla_alerts_schedule(case=case)  # the checks of the old deadline will find nothing
    _audit(actor, case, "case.severity_agree", changes, at)
    return change


@transaction.atomic
def case_set_technical_contact(
    *, actor: Actor, case: Case, available: bool, expected_version: int, at: datetime
) -> Case:
    """Whether the customer has a technical person available; a Severity 1 case on a
    round-the-clock program is worked around the clock only while one is (R-15)."""
    require_customer_side_or_staff(actor, case, at=at, doing="say who is available")
    case = _locked(case, expected_version)
    fields = ("technical_contact_available", "round_the_clock", "version")
    before = snapshot(case, fields)
    case.technical_contact_available = available
    case.round_the_clock = _round_the_clock(get_policy(), case.program, case.severity, available)
    _save(case, ["technical_contact_available", "round_the_clock"], at)
    _audit(actor, case, "case.technical_contact", diff(before, snapshot(case, fields)), at)
    return case


# --- contact attempts (R-29) ------------------------------------------------------------------


def _local(instant: datetime, case: Case) -> str:
    """``instant`` on the customer's clock, as the customer is told it."""
    return instant.astimezone(zone(case.time_zone)).strftime("%a %d %b %Y %H:%M %Z")


def _attempt_status(case: Case, outcome: str) -> str:
    """The status an attempt leaves the case in: an unanswered attempt waits for the customer,
    reaching them ends the wait; refused naming ``status`` where the table has no such move."""
    waiting, working = CaseStatus.WAITING_FOR_CUSTOMER, CaseStatus.IN_PROGRESS
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"status": [f"Case {case.number} is closed: open a new one."]})
    target = case.status
    if not answered(outcome) and case.status != waiting:
        target = waiting
    elif answered(outcome) and case.status == waiting:
        target = working
    if target != case.status:
        try:
            transition(case.status, target, "engineer")
        except InputError as exc:
            raise ValidationError(
                {"status": [f"No contact attempt on a case that is {case.status}: {exc.message}"]}
            ) from None
    return target


@transaction.atomic
def contact_attempt_log(
    *,
    actor: Actor,
    case: Case,
    channel: str,
    outcome: str,
    note: str = "",
    made_at: datetime | None = None,
    expected_version: int,
    at: datetime,
) -> ContactAttempt:
    """Support logs an attempt to reach the customer, with its channel and outcome (R-29).

    An unanswered attempt puts the case in waiting_for_customer; reaching the customer takes
    it back to in_progress. Once the attempts count on three different business days of the
    customer (:mod:`supportdesk.policy.contact_attempts`), the worker is told to close the case
    from the moment it may be closed; the customer is told of every unanswered attempt."""
    engineer = _user(actor)
    require_staff(actor, case, at=at, refusal="Only support staff log contact attempts (R-29).")
    try:
        check_attempt(channel, outcome)
    except InputError as exc:
        raise ValidationError({exc.field: [exc.message]}) from None
    made = made_at or at
    if made.tzinfo is None:
        raise ValidationError({"made_at": ["Give the time with its offset (such as +01:00)."]})
    if made > at:
        raise ValidationError({"made_at": ["An attempt is logged once it is made, not before."]})
    if made < case.opened_at:
        raise ValidationError({"made_at": [f"Case {case.number} was not open yet then."]})
    case = _locked(case, expected_version)
    fields = ("status", "contact_closable_at", "version")
    before = snapshot(case, fields)
    status = _attempt_status(case, outcome)
    attempt = ContactAttempt.objects.create(
        case=case,
        channel=channel,
        outcome=outcome,
        note=(note or "").strip(),
        made_by=engineer,
        made_at=made,
        logged_at=at,
    )
    count = contact_attempt_count(case)
    judged = next(j for j in count.judged if j.attempt.at == made and j.attempt.outcome == outcome)
    case.status = status
    waiting = status == CaseStatus.WAITING_FOR_CUSTOMER
    case.contact_closable_at = count.closable_from if waiting else None
    _save(case, ["status", "contact_closable_at"], at)
    changes = diff(before, snapshot(case, fields))
    changes["contact_attempt"] = [
        None,
        {
            "id": attempt.pk,
            "channel": channel,
            "outcome": outcome,
            "made_at": made.isoformat(),
            "counted": judged.counted,
            "why": judged.why,
        },
    ]
    _audit(actor, case, "case.contact_attempt", changes, at)
    if not answered(outcome):
        closable = case.contact_closable_at
        customer_notice(
            case=case,
            template="contact_attempt",
            context={
                "channel": ContactChannel(channel).label,
                "outcome": ContactOutcome(outcome).label.lower(),
                "made_at_local": _local(made, case),
                "summary": count.summary(),
                "closable_from_local": _local(closable, case) if closable else "",
            },
            key=f"contact_attempt:{attempt.pk}",
            at=at,
        )
    if case.contact_closable_at is not None:
        # a row in the same database, committed with the attempt or not at all
        case_contact_close.using(run_after=case.contact_closable_at).enqueue(case.pk)
    return attempt


@transaction.atomic
def case_close_unreachable(*, case_id: int, at: datetime) -> Case | None:
    """The worker closes a case whose customer could not be reached on three different
    business days (R-29), telling the customer why and that a new case may follow this one.

    Nothing happens (None) when the case is no longer waiting for the customer, the customer
    answered since, or the time has not come yet (then the worker is asked again for then)."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or case.status != CaseStatus.WAITING_FOR_CUSTOMER:
        return None
    count = contact_attempt_count(case)
    if not count.may_close(at):
        if count.closable_from is not None:
            case_contact_close.using(run_after=count.closable_from).enqueue(case.pk)
        return None
    transition(case.status, CaseStatus.CLOSED, "system")
    fields = ("status", "closed_at", "contact_closable_at", "close_reason", "version")
    before = snapshot(case, fields)
    days = ", ".join(d.strftime("%a %d %b %Y") for d in count.days)
    case.status = CaseStatus.CLOSED
    case.closed_at = at
    case.contact_closable_at = None
    case.close_reason = (
        f"Case {case.number} is closed: we tried to reach you on {count.count} different "
        f"business days ({days}) and had no answer (R-29)."
    )
    _save(case, ["status", "closed_at", "contact_closable_at", "close_reason"], at)
    changes = diff(before, snapshot(case, fields))
    changes["attempt_days"] = [None, [d.isoformat() for d in count.days]]
    _audit(None, case, "case.close_unreachable", changes, at)
    survey_invite(case=case, at=at)
    customer_notice(
        case=case,
        template="case_closed_unreachable",
        context={"reason": case.close_reason},
        key="closed_unreachable",
        at=at,
    )
    return case


# --- resolutions (R-30, R-31) -------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneIn:
    """A milestone of an action plan: what, by when, waiting for what (R-30)."""

    title: str
    due_on: date
    depends_on: str = ""


def _milestones(milestones: Sequence[MilestoneIn]) -> list[MilestoneIn]:
    errors: dict[str, list[str]] = {}
    out: list[MilestoneIn] = []
    for n, m in enumerate(milestones):
        title = (m.title or "").strip()
        if not title:
            errors[f"milestones.{n}.title"] = ["This field is required."]
        elif len(title) > 200:
            errors[f"milestones.{n}.title"] = ["At most 200 characters."]
        if not isinstance(m.due_on, date) or isinstance(m.due_on, datetime):
            errors[f"milestones.{n}.due_on"] = ["A date, such as 2026-12-01."]
        out.append(MilestoneIn(title, m.due_on, (m.depends_on or "").strip()))
    _field_errors(errors)
    return out


def _milestone_context(milestones: Sequence[Milestone]) -> list[dict[str, str]]:
    return [
        {"title": m.title, "due_on": m.due_on.isoformat(), "depends_on": m.depends_on}
        for m in milestones
    ]


@transaction.atomic
def resolution_record(
    *,
    actor: Actor,
    case: Case,
    type: str,
    summary: str,
    new_severity: int | None = None,
    out_of_scope_reason: str = "",
    milestones: Sequence[MilestoneIn] = (),
    expected_version: int,
    at: datetime,
) -> Resolution:
    """Support gives the case a resolution with its effect (R-30, R-31), from
    :func:`supportdesk.policy.resolutions.resolution_effect`: a fix, a permanent workaround, an
    enhancement outside maintenance or an out-of-scope request close the case (with the reason
    the customer is told); a temporary workaround lowers the severity and an action plan, with
    its milestones, may. The customer is told, with the milestones."""
    engineer = _user(actor)
    require_staff(actor, case, at=at, refusal="Only support staff resolve cases (R-30).")
    text = (summary or "").strip()
    if not text:
        raise ValidationError({"summary": ["Say what the resolution is (R-30)."]})
    plan = _milestones(milestones)
    case = _locked(case, expected_version)
    try:
        effect = resolution_effect(
            type,
            status=case.status,
            severity=case.severity,
            new_severity=new_severity,
            milestones=len(plan),
            out_of_scope_reason=out_of_scope_reason,
            lowest_severity=len(get_policy().severities),
        )
    except InputError as exc:
        raise ValidationError({exc.field: [exc.message]}) from None
    fields = ("status", "severity", "closed_at", "close_reason", "contact_closable_at", "version")
    before = snapshot(case, fields)
    resolution = Resolution.objects.create(
        case=case,
        type=type,
        summary=text,
        out_of_scope_reason=out_of_scope_reason,
        explanation=effect.explanation,
        status_before=case.status,
        status_after=effect.status,
        severity_before=case.severity,
        severity_after=effect.severity,
        by=engineer,
        at=at,
    )
    made = Milestone.objects.bulk_create(
        Milestone(
            resolution=resolution,
            position=n,
            title=m.title,
            due_on=m.due_on,
            depends_on=m.depends_on,
        )
        for n, m in enumerate(plan, start=1)
    )
    if effect.severity != case.severity:
        SeverityChange.objects.create(
            case=case,
            kind=SeverityChangeKind.LOWERED,
            from_severity=case.severity,
            to_severity=effect.severity,
            reason=f"{ResolutionType(type).label}: {text}",
            by=engineer,
            at=at,
            due_before=case.first_response_due_at,
            due_after=case.first_response_due_at,
        )
    case.status = effect.status
    case.severity = effect.severity
    if effect.status == CaseStatus.CLOSED:  # a final state: closed once
        case.closed_at = at
        case.close_reason = effect.explanation
        case.contact_closable_at = None
    _save(case, ["status", "severity", "closed_at", "close_reason", "contact_closable_at"], at)
    changes = diff(before, snapshot(case, fields))
    changes["resolution"] = [
        None,
        {
            "id": resolution.pk,
            "type": type,
            "out_of_scope_reason": out_of_scope_reason,
            "milestones": _milestone_context(made),
        },
    ]
    _audit(actor, case, "case.resolution", changes, at)
    if case.status == CaseStatus.CLOSED:
        survey_invite(case=case, at=at)
    customer_notice(
        case=case,
        template="case_resolution",
        context={
            "type": ResolutionType(type).label,
            "summary": text,
            "explanation": effect.explanation,
            "milestones": _milestone_context(made),
        },
        key=f"resolution:{resolution.pk}",
        at=at,
    )
    return resolution


@transaction.atomic
def milestone_complete(
    *, actor: Actor, milestone: Milestone, expected_version: int, at: datetime
) -> Milestone:
    """Support marks a milestone of an action plan reached; the customer is told (R-30)."""
    case = milestone.resolution.case
    require_staff(actor, case, at=at, refusal="Only support staff track action plans (R-30).")
    case = _locked(case, expected_version)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_at is not None:
        reached = f"Milestone {milestone.position} is reached already."
        raise ValidationError({"milestone": [reached]})
    milestone.done_at = at
    milestone.save(update_fields=["done_at"])
    _save(case, [], at)
    changes: dict[str, Any] = {
        "version": [expected_version, case.version],
        "milestone": [
            None,
            {"id": milestone.pk, "title": milestone.title, "done_at": at.isoformat()},
        ],
    }
    _audit(actor, case, "case.milestone_done", changes, at)
    customer_notice(
        case=case,
        template="case_milestone",
        context={"title": milestone.title, "due_on": milestone.due_on.isoformat()},
        key=f"milestone:{milestone.pk}",
        at=at,
    )
    return milestone


# --- talk to a manager (R-32) ---------------------------------------------------------------------


def _required(value: str, field: str, why: str, limit: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [why]})
    if limit is not None and len(text) > limit:
        raise ValidationError({field: [f"At most {limit} characters."]})
    return text


def is_support_manager(actor: Actor) -> bool:
    return is_staff(actor) and actor.staff_role == StaffRole.SUPPORT_MANAGER  # type: ignore[union-attr]


@transaction.atomic
def manager_request_open(*, actor: Actor, case: Case, reason: str, at: datetime) -> ManagerRequest:
    """A customer unhappy with the handling asks to talk to a manager, at any point of the case
    (R-32); the request waits in the support managers' queue until one answers. One request
    per case is open at a time."""
    person = _user(actor)
    require_customer_side_or_staff(actor, case, at=at, doing="ask to talk to a manager")
    text = _required(reason, "reason", "Say what you are unhappy with (R-32).")
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one open request: in turn
    if ManagerRequest.objects.filter(case=case, status=ManagerRequestStatus.OPEN).exists():
        raise ValidationError(
            {"reason": [f"A manager has yet to answer the open request on {case.number}."]}
        )
    request = ManagerRequest.objects.create(
        case=case, reason=text, requested_by=person, requested_at=at
    )
    _audit(
        actor,
        case,
        "case.manager_request",
        {"manager_request": [None, {"id": request.pk, "reason": text}]},
        at,
    )
    return request


@transaction.atomic
def manager_request_answer(
    *,
    actor: Actor,
    request: ManagerRequest,
    answer: str,
    resources_adjusted: str = "",
    at: datetime,
) -> ManagerRequest:
    """A support manager answers a "Talk to a manager" request and says what resources, if any,
    they adjusted (R-32); the customer is told."""
    manager = _user(actor)
    case = request.case
    require_staff(actor, case, at=at, refusal="Only support managers answer (R-32).")
    if not is_support_manager(manager):
        raise PermissionDenied("Only support managers answer (R-32).")
    text = _required(answer, "answer", "Give the customer an answer (R-32).")
    request = ManagerRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ManagerRequestStatus.OPEN:
        raise ValidationError({"answer": ["This request is answered already."]})
    fields = ("status", "answer", "resources_adjusted", "answered_by", "answered_at")
    before = snapshot(request, fields)
    request.status = ManagerRequestStatus.ANSWERED
    request.answer = text
    request.resources_adjusted = (resources_adjusted or "").strip()
    request.answered_by = manager
    request.answered_at = at
    request.save(update_fields=list(fields))
    changes = {
        "manager_request": [None, {"id": request.pk, **diff(before, snapshot(request, fields))}]
    }
    _audit(actor, case, "case.manager_answer", changes, at)
    customer_notice(
        case=case,
        template="case_manager_answer",
        context={
            "manager": manager.get_full_name() or manager.get_username(),
            "answer": text,
            "resources_adjusted": request.resources_adjusted,
        },
        key=f"manager_request:{request.pk}",
        at=at,
    )
    return request


# --- feature requests (R-33) ----------------------------------------------------------------------


@transaction.atomic
def feature_request_file(
    *,
    actor: Actor,
    case: Case,
    title: str,
    wanted_behaviour: str,
    use_case: str,
    reference: str = "",
    at: datetime,
) -> FeatureRequest:
    """Support files a feature request for the customer from what they described in the case:
    the wanted behaviour and the use case (R-33); the customer is told."""
    engineer = _user(actor)
    require_staff(actor, case, at=at, refusal="Support files feature requests (R-33).")
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for field, value, why in (
        ("title", title, "This field is required."),
        ("wanted_behaviour", wanted_behaviour, "Describe the wanted behaviour (R-33)."),
        ("use_case", use_case, "Describe the use case (R-33)."),
    ):
        values[field] = (value or "").strip()
        if not values[field]:
            errors[field] = [why]
    if len(values["title"]) > 200:
        errors["title"] = ["At most 200 characters."]
    ref = (reference or "").strip()
    if len(ref) > 100:
        errors["reference"] = ["At most 100 characters."]
    _field_errors(errors)
    feature = FeatureRequest.objects.create(
        case=case, reference=ref, filed_by=engineer, filed_at=at, **values
    )
    _audit(
        actor,
        case,
        "case.feature_request",
        {"feature_request": [None, {"id": feature.pk, "title": feature.title, "reference": ref}]},
        at,
    )
    customer_notice(
        case=case,
        template="case_feature_request",
        context={"title": feature.title, "reference": ref},
        key=f"feature_request:{feature.pk}",
        at=at,
    )
    return feature


# --- third-party software (R-35) ------------------------------------------------------------------


@transaction.atomic
def third_party_record(
    *,
    actor: Actor,
    case: Case,
    vendor: str,
    action: str,
    product: str = "",
    reference: str = "",
    note: str = "",
    expected_version: int,
    at: datetime,
) -> ThirdPartyReferral:
    """Record on the case what support did about a third-party product (R-35): suspected it,
    asked to remove it to isolate the issue, contacted its vendor through TSANet (the case then
    waits for the third party) or asked the customer to open a case with the vendor."""
    engineer = _user(actor)
    require_staff(actor, case, at=at, refusal="Support records third-party referrals (R-35).")
    name = _required(vendor, "vendor", "Name the third-party vendor (R-35).", 200)
    if action not in ThirdPartyAction.values:
        raise ValidationError(
            {
                "action": [
                    f"Unknown action {action!r} (one of: {', '.join(ThirdPartyAction.values)})."
                ]
            }
        )
    case = _locked(case, expected_version)
    fields = ("status", "version")
    before = snapshot(case, fields)
    waiting = CaseStatus.WAITING_FOR_THIRD_PARTY
    if action == ThirdPartyAction.TSANET and case.status != waiting:
        try:
            transition(case.status, waiting, "engineer")
        except InputError as exc:
            raise ValidationError({"action": [exc.message]}) from None
        case.status = waiting
    referral = ThirdPartyReferral.objects.create(
        case=case,
        vendor=name,
        product=(product or "").strip()[:200],
        action=action,
        reference=(reference or "").strip()[:100],
        note=(note or "").strip(),
        by=engineer,
        at=at,
    )
    _save(case, ["status"], at)
    changes = diff(before, snapshot(case, fields))
    changes["third_party"] = [
        None,
        {"id": referral.pk, "vendor": name, "action": action, "reference": referral.reference},
    ]
    _audit(actor, case, "case.third_party", changes, at)
    return referral


# --- diagnostics (R-27) ---------------------------------------------------------------------------


@transaction.atomic
def diagnostics_request(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    what: str,
    session_at: datetime | None = None,
    expected_version: int,
    at: datetime,
) -> DiagnosticsRequest:
    """Support asks for diagnostics: a log upload, or a short remote session (at
    ``session_at``) (R-27). The case then waits for the customer, who is told what is needed."""
    engineer = _user(actor)
    require_staff(actor, case, at=at, refusal="Support asks for diagnostics (R-27).")
    if kind not in DiagnosticsKind.values:
        raise ValidationError(
            {"kind": [f"Unknown kind {kind!r} (one of: {', '.join(DiagnosticsKind.values)})."]}
        )
    text = _required(what, "what", "Say which logs or checks are needed (R-27).")
    if session_at is not None and kind != DiagnosticsKind.REMOTE_SESSION:
        raise ValidationError({"session_at": ["Only a remote session has a time."]})
    if session_at is not None and (session_at.tzinfo is None or session_at < at):
        raise ValidationError({"session_at": ["A time to come, with its offset."]})
    case = _locked(case, expected_version)
    fields = ("status", "contact_closable_at", "version")
    before = snapshot(case, fields)
    waiting = CaseStatus.WAITING_FOR_CUSTOMER
    if case.status != waiting:
        try:
            transition(case.status, waiting, "engineer")
        except InputError as exc:
            raise ValidationError({"status": [exc.message]}) from None
        case.status = waiting
    request = DiagnosticsRequest.objects.create(
        case=case,
        kind=kind,
        what=text,
        session_at=session_at,
        requested_by=engineer,
        requested_at=at,
    )
    _save(case, ["status"], at)
    changes = diff(before, snapshot(case, fields))
    changes["diagnostics"] = [None, {"id": request.pk, "kind": kind, "what": text}]
    _audit(actor, case, "case.diagnostics_request", changes, at)
    customer_notice(
        case=case,
        template="case_diagnostics",
        context={
            "kind": DiagnosticsKind(kind).label,
            "what": text,
            "session_at_local": _local(session_at, case) if session_at else "",
        },
        key=f"diagnostics:{request.pk}",
        at=at,
    )
    return request


@transaction.atomic
def diagnostics_fulfil(
    *, actor: Actor, request: DiagnosticsRequest, findings: str, at: datetime
) -> DiagnosticsRequest:
    """Support has the diagnostics (or held the session) and notes what the offline analysis
    found; support then comes back to the customer on the case (R-27)."""
    case = request.case
    require_staff(actor, case, at=at, refusal="Support analyses diagnostics (R-27).")
    text = _required(findings, "findings", "Say what the analysis found (R-27).")
    request = DiagnosticsRequest.objects.select_for_update().get(pk=request.pk)
    if request.fulfilled_at is not None:
        raise ValidationError({"findings": ["These diagnostics are analysed already."]})
    request.fulfilled_at = at
    request.findings = text
    request.save(update_fields=["fulfilled_at", "findings"])
    _audit(
        actor,
        case,
        "case.diagnostics_fulfil",
        {"diagnostics": [None, {"id": request.pk, "fulfilled_at": at.isoformat()}]},
        at,
    )
    return request
