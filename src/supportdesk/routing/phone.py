"""Phone support (R-25, R-26): the support-numbers directory per country, and where the
telephony platform sends a call about a case. The decisions are the policy core's
(:func:`supportdesk.policy.phone.phone_route`); this module gathers the facts."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Actor, is_staff
from supportdesk.audit.services import audit_event_record, audited_delete, created, snapshot
from supportdesk.cases.models import Case, Comment
from supportdesk.policy import InputError, get_policy, support_languages
from supportdesk.policy.phone import PhoneRoute, phone_route
from supportdesk.policy.shifts import on_shift, parse_shifts
from supportdesk.routing.choices import NumberKind
from supportdesk.routing.models import EngineerProfile, SupportNumber
from supportdesk.routing.permissions import require_manager

NUMBER_FIELDS = ("country", "number", "kind", "label")


def e164(text: str, country: str | None) -> str | None:
    """The number in E.164 read in ``country`` unless it starts with +; None if it is not a
    valid number."""
    try:
        parsed = phonenumbers.parse((text or "").strip(), country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display(number: str) -> str:
    """E.164 as people dial it from abroad, such as +49 800 1234567."""
    parsed = phonenumbers.parse(number, None)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# --- the directory (R-26) ------------------------------------------------------------------


@transaction.atomic
def support_number_create(
    *, actor: Actor, country: str, number: str, kind: str, label: str = "", at: datetime
) -> SupportNumber:
    """List a support number for a country: valid for that country, and toll-free when said
    so (checked with the phonenumbers metadata)."""
    require_manager(actor, "maintain the support numbers")
    cc = (country or "").strip().upper()
    errors: dict[str, list[str]] = {}
    normalised = e164(number, cc or None)
    if normalised is None:
        errors["number"] = [f"{number!r} is not a valid phone number for {cc or 'any country'}."]
    else:
        parsed = phonenumbers.parse(normalised, None)
        region = phonenumbers.region_code_for_number(parsed)
        if region != cc:
            errors["number"] = [f"{display(normalised)} is a number of {region}, not of {cc}."]
        elif kind == NumberKind.TOLL_FREE and phonenumbers.number_type(parsed) != (
            phonenumbers.PhoneNumberType.TOLL_FREE
        ):
            errors["kind"] = [f"{display(normalised)} is not a toll-free number."]
    if errors or normalised is None:
        raise ValidationError(errors)
    row = SupportNumber(country=cc, number=normalised, kind=kind, label=(label or "").strip())
    row.full_clean()
    row.save()
    audit_event_record(
        actor=actor if isinstance(actor, User) else None,
        action="support_number.create",
        target=row,
        changes=created(snapshot(row, NUMBER_FIELDS)),
        at=at,
    )
    return row


@transaction.atomic
def support_number_delete(*, actor: Actor, number: SupportNumber, at: datetime) -> None:
    require_manager(actor, "maintain the support numbers")
    audited_delete(
        actor=actor if isinstance(actor, User) else None,
        instance=number,
        before=snapshot(number, NUMBER_FIELDS),
        action="support_number.delete",
        at=at,
    )


def support_numbers(country: str | None = None) -> QuerySet[SupportNumber]:
    rows = SupportNumber.objects.all()
    if country:
        rows = rows.filter(country=country.strip().upper())
    return rows.order_by("country", "kind", "number")


@dataclass(frozen=True)
class DirectoryEntry:
    """One support number as a caller reads it (R-26)."""

    kind: str  # toll_free or local
    international: str  # +49 800 1234567: to dial from abroad
    national: str  # 0800 1234567: to dial inside the country
    uri: str  # tel:+498001234567
    label: str


@dataclass(frozen=True)
class DirectoryCountry:
    country: str
    name: str
    numbers: tuple[DirectoryEntry, ...]


@cache
def _country_names() -> dict[str, dict[str, str]]:
    """phonenumbers' table of country names per language (``geodata.locale``).

    Importing it the usual way (``phonenumbers.geocoder``) first loads the package
    ``phonenumbers.geodata``: every number prefix's place names, 4 s of import in every
    process that imports this module (the server, the worker, each command). The table is a
    module of its own; it is read alone, once, when a directory is first shown (0.2 s), and
    through the geocoder if the package's layout ever differs."""
    spec = importlib.util.find_spec("phonenumbers")
    path = Path(spec.origin).parent / "geodata" / "locale.py" if spec and spec.origin else None
    if path is not None and path.is_file():
        module_spec = importlib.util.spec_from_file_location("phonenumbers.geodata.locale", path)
        if module_spec is not None and module_spec.loader is not None:
            module: Any = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
            return dict(module.LOCALE_DATA)
    from phonenumbers.geodata.locale import LOCALE_DATA

    return dict(LOCALE_DATA)


def country_name(country: str, language: str) -> str:
    """``country`` (ISO 3166-1) named in ``language`` where phonenumbers knows the name, else
    the code; a name given as ``*xx`` is the one in language ``xx`` (the table's own
    convention, as phonenumbers' geocoder reads it)."""
    names = _country_names().get(country.upper(), {})
    name = names.get(language.split("-")[0].lower(), "") or names.get("en", "")
    if name.startswith("*"):
        name = names.get(name[1:], "")
    return name or country


def directory(*, language: str = "en") -> list[DirectoryCountry]:
    """The support numbers per country, toll-free first, formatted as dialled from abroad and
    inside the country, the country named in ``language`` where phonenumbers knows the name
    (in English otherwise): one query."""
    countries: dict[str, list[DirectoryEntry]] = {}
    names: dict[str, str] = {}
    for row in support_numbers():
        parsed = phonenumbers.parse(row.number, None)
        names.setdefault(row.country, country_name(row.country, language))
        countries.setdefault(row.country, []).append(
            DirectoryEntry(
                kind=row.kind,
                international=display(row.number),
                national=phonenumbers.format_number(
                    parsed, phonenumbers.PhoneNumberFormat.NATIONAL
                ),
                uri=f"tel:{row.number}",
                label=row.label,
            )
        )
    return [
        DirectoryCountry(
            code, names[code], tuple(sorted(rows, key=lambda e: e.kind != "toll_free"))
        )
        for code, rows in sorted(countries.items())
    ]


# --- the telephony webhook (R-25, R-26) ------------------------------------------------------


@dataclass(frozen=True)
class CallRoute:
    decision: PhoneRoute
    case: Case | None
    engineer: User | None


def _caller_is_contact(case: Case, caller: str) -> bool:
    """The caller's number is the case's contact phone, or the contact phone of another case
    of the same organization."""
    number = e164(caller, case.country or None)
    if number is None:
        return False
    if number == case.contact_phone:
        return True
    return Case.objects.filter(organization_id=case.organization_id, contact_phone=number).exists()


def _last_engineer(case: Case) -> User | None:
    """The support person who last wrote on the case, else the one it is assigned to."""
    last = (
        Comment.objects.filter(case=case, author__is_staff=True)
        .select_related("author")
        .order_by("-created_at", "-pk")
        .first()
    )
    return last.author if last is not None else case.assignee


def call_route(*, actor: Actor, case_number: str, caller_number: str, at: datetime) -> CallRoute:
    """Where the telephony platform sends a call (read-only; the platform's service account
    is support staff)."""
    if not is_staff(actor):
        raise PermissionDenied("Only the telephony platform's staff account routes calls.")
    number = (case_number or "").strip().upper()
    if not number:
        raise ValidationError({"case_number": ["Give the case number (R-25)."]})
    if not (caller_number or "").strip():
        raise ValidationError({"caller_number": ["Give the caller's number."]})
    policy = get_policy()
    case = (
        Case.objects.select_related("organization", "product", "assignee")
        .filter(number=number)
        .first()
    )
    if case is None:
        decision = phone_route(
            policy,
            case_found=False,
            program=None,
            case_kind=None,
            caller_is_contact=False,
            case_language="",
            languages_now=(),
            last_engineer=None,
            last_engineer_on_shift=False,
            queue=None,
        )
        return CallRoute(decision, None, None)
    engineer = _last_engineer(case)
    shift = False
    if engineer is not None:
        profile = EngineerProfile.objects.filter(user=engineer).first()
        shift = profile is not None and on_shift(
            parse_shifts(profile.shifts), timezone=profile.time_zone, at=at
        )
    try:
        languages = support_languages(
            policy,
            flagship=case.product.is_flagship,
            at=at,
            timezone=case.time_zone,
            country=case.country,
            subdivision=case.subdivision or None,
            tier=case.tier,  # type: ignore[arg-type]
        ).languages
    except InputError:
        languages = (policy.languages.fallback,)
    decision = phone_route(
        policy,
        case_found=True,
        program=case.program or None,
        case_kind=case.kind,
        caller_is_contact=_caller_is_contact(case, caller_number),
        case_language=case.language or policy.languages.fallback,
        languages_now=languages,
        last_engineer=engineer.pk if engineer is not None else None,
        last_engineer_on_shift=shift,
        queue=case.queue_id,
    )
    return CallRoute(decision, case, engineer if decision.target == "engineer" else None)
