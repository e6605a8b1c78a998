"""Reads of the licensing app, and entitlement resolution: the one place that turns a Support
ID into what its customer is entitled to (R-2, R-5 to R-10, R-20, R-36, R-37).

Which licenses and Support IDs a person may see is decided in
:mod:`supportdesk.accounts.permissions`; callers check that first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from supportdesk.accounts.models import Organization, User
from supportdesk.licensing import support_ids
from supportdesk.licensing.models import License, LicenseLine, Product, ProductVersion, SupportId
from supportdesk.policy import (
    LanguageAvailability,
    Policy,
    Program,
    get_policy,
    support_languages,
    zone,
)
from supportdesk.policy.entitlement import Entitlement, lifecycle_state, resolve_entitlement


def customer_today(organization: Organization, at: datetime) -> date:
    """The date at the customer at instant ``at``: licenses and lifecycles change on the
    customer's own calendar days."""
    return at.astimezone(zone(organization.time_zone)).date()


def support_id_get(code: str, *, within: QuerySet[SupportId] | None = None) -> SupportId:
    """The Support ID a person typed (any spelling :func:`support_ids.normalise` reads), among
    ``within`` (what the person may see); ``SupportId.DoesNotExist`` otherwise."""
    canonical = support_ids.normalise(code)
    if canonical is None:
        raise SupportId.DoesNotExist("No such Support ID.")
    found = (within if within is not None else SupportId.objects.all()).filter(code=canonical)
    sid = (
        found.order_by()  # codes are unique: no ordering (and none of its joins) needed
        .select_related("license__organization__pdm", "license__product")
        .prefetch_related(Prefetch("license__lines", queryset=LicenseLine.objects.order_by("pk")))
        .first()
    )
    if sid is None:
        raise SupportId.DoesNotExist("No such Support ID.")
    return sid


def version_lifecycle(version: ProductVersion, on: date) -> str:
    return lifecycle_state(version.facts(), on)


def versions_of(product: Product) -> QuerySet[ProductVersion]:
    return product.versions.order_by("ga", "version")


@dataclass(frozen=True)
class EntitlementAnswer:
    """What a Support ID entitles its customer to, at an instant, with what follows from the
    program: hours, first-response targets, phone, languages and the PDM."""

    support_id: SupportId
    license: License
    organization: Organization
    product: Product
    version: ProductVersion | None
    at: datetime
    on: date
    entitlement: Entitlement
    program: Program | None
    languages: LanguageAvailability
    pdm: User | None
    policy: Policy

    def to_dict(self) -> dict[str, Any]:
        org, lic, program = self.organization, self.license, self.program
        return {
            "support_id": self.support_id.code,
            "at": self.at.isoformat(),
            "on": self.on.isoformat(),
            "organization": {
                "id": org.pk,
                "name": org.name,
                "country": org.country,
                "subdivision": org.subdivision or None,
                "time_zone": org.time_zone,
                "region": org.region,
            },
            "license": {
                "id": lic.pk,
                "license_type": lic.license_type,
                "valid_from": _iso(lic.valid_from),
                "valid_until": _iso(lic.valid_until),
                "maintenance_from": _iso(lic.maintenance_from),
                "maintenance_until": _iso(lic.maintenance_until),
                "lines": [
                    {"count": line.count, "production": line.production, "level": line.level}
                    for line in lic.lines.all()
                ],
            },
            "product": {
                "code": self.product.code,
                "name": self.product.name,
                "is_flagship": self.product.is_flagship,
            },
            "version": (
                {
                    "version": self.version.version,
                    "ga": _iso(self.version.ga),
                    "end_of_fix": _iso(self.version.end_of_fix),
                    "end_of_support": _iso(self.version.end_of_support),
                    "end_of_sale": _iso(self.version.end_of_sale),
                }
                if self.version is not None
                else None
            ),
            **self.entitlement.to_dict(),
            "program_label": program.label if program else None,
            "hours": program.hours.label if program else None,
            "targets": (
                {str(sev): minutes for sev, minutes in sorted(program.targets.items())}
                if program
                else None
            ),
            "dedicated_pdm": bool(program and program.dedicated_pdm),
            "pdm": (
                {"username": self.pdm.username, "name": self.pdm.get_full_name() or None}
                if self.pdm is not None
                else None
            ),
            "languages": self.languages.to_dict(),
            "policy_version": self.policy.version,
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def entitlement_for(
    *,
    support_id: str | SupportId,
    version: str | None = None,
    at: datetime,
    within: QuerySet[SupportId] | None = None,
) -> EntitlementAnswer:
    """What ``support_id`` entitles its customer to at instant ``at`` (for ``version`` of the
    license's product when given): loads the facts and asks the policy core.

    Raises ``SupportId.DoesNotExist`` for an unknown Support ID (or one outside ``within``),
    and ``ValidationError`` naming ``support_id`` for a revoked one or ``version`` for a
    version the product does not have.
    """
    if at.tzinfo is None:
        raise ValidationError({"at": ["Give a time with its UTC offset."]})
    sid = (
        support_id
        if isinstance(support_id, SupportId)
        else support_id_get(support_id, within=within)
    )
    if sid.revoked_at is not None and sid.revoked_at <= at:
        raise ValidationError(
            {
                "support_id": [
                    f"{sid.code} was revoked on {sid.revoked_at.date().isoformat()}: use the "
                    "license's current Support ID."
                ]
            }
        )
    license = sid.license
    organization, product = license.organization, license.product
    on = customer_today(organization, at)
    version_row = _version(product, version)
    policy = get_policy()
    # hotfix access through maintenance in force on another license of the same product
    others = (
        License.objects.filter(organization=organization, product=product)
        .exclude(pk=license.pk)
        .order_by()  # any order will do for any()
        .prefetch_related("lines")
    )
    maintained_elsewhere = any(
        resolve_entitlement(policy, other.facts(), on=on).maintenance_active for other in others
    )
    entitlement = resolve_entitlement(
        policy,
        license.facts(),
        on=on,
        version=version_row.facts() if version_row else None,
        maintained_elsewhere=maintained_elsewhere,
    )
    program = policy.programs[entitlement.program] if entitlement.program else None
    languages = support_languages(
        policy,
        flagship=product.is_flagship,
        at=at,
        timezone=organization.time_zone,
        country=organization.country,
        subdivision=organization.subdivision or None,
    )
    return EntitlementAnswer(
        support_id=sid,
        license=license,
        organization=organization,
        product=product,
        version=version_row,
        at=at,
        on=on,
        entitlement=entitlement,
        program=program,
        languages=languages,
        pdm=organization.pdm if program is not None and program.dedicated_pdm else None,
        policy=policy,
    )


def _version(product: Product, version: str | None) -> ProductVersion | None:
    if version is None or not version.strip():
        return None
    found = product.versions.filter(version=version.strip()).order_by().first()
    if found is None:
        known = ", ".join(versions_of(product).values_list("version", flat=True)) or "none yet"
        raise ValidationError(
            {"version": [f"{product} has no version {version.strip()!r} (known: {known})."]}
        )
    return found
