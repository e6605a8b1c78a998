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

from supportdesk import rows
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
    organization: Organization | None = None,
) -> EntitlementAnswer:
    """What ``support_id`` entitles its customer to at instant ``at`` (for ``version`` of the
    license's product when given): loads the facts and asks the policy core. ``organization``
    (instead of ``within``) takes only that organization's Support IDs, read in one statement
    with the license, its lines, the product and the version (opening a case asks this).

    Raises ``SupportId.DoesNotExist`` for an unknown Support ID (or one outside ``within``),
    and ``ValidationError`` naming ``support_id`` for a revoked one or ``version`` for a
    version the product does not have.
    """
    if at.tzinfo is None:
        raise ValidationError({"at": ["Give a time with its UTC offset."]})
    loaded: tuple[ProductVersion | None] | None = None
    others: list[License] | None = None
    if organization is not None and isinstance(support_id, str) and within is None:
        sid, version_found, others = _support_id_of(support_id, organization, version)
        loaded = (version_found,)
    else:
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
    version_row = _version(product, version, *(loaded or ()))
    policy = get_policy()
    # hotfix access through maintenance in force on another license of the same product
    if others is None:
        others = _other_licenses(license)
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


_NOT_READ = object()


def _version(
    product: Product, version: str | None, found: ProductVersion | object | None = _NOT_READ
) -> ProductVersion | None:
    """The product's ``version`` (``found`` when it was read already, None for none such)."""
    if version is None or not version.strip():
        return None
    if found is _NOT_READ:
        found = product.versions.filter(version=version.strip()).order_by().first()
    if found is None:
        known = ", ".join(versions_of(product).values_list("version", flat=True)) or "none yet"
        raise ValidationError(
            {"version": [f"{product} has no version {version.strip()!r} (known: {known})."]}
        )
    return found  # type: ignore[return-value]


# --- the reads of opening a case, each one statement made once per process (supportdesk.rows)


def _with_lines(license: License, lines: list[LicenseLine]) -> None:
    """Put ``lines`` on ``license`` as ``prefetch_related("lines")`` does."""
    cached = LicenseLine.objects.all()
    cached._result_cache = lines
    cached._prefetch_done = True  # type: ignore[attr-defined]
    for line in lines:
        line.license = license
    license._prefetched_objects_cache = {"lines": cached}  # type: ignore[attr-defined]


_T = {
    m: m._meta.db_table
    for m in (SupportId, License, Organization, User, Product, ProductVersion, LicenseLine)
}
# the tables' names are the models', fixed in the code: no outside input reaches this text
_SUPPORT_ID_OF = (
    f'FROM "{_T[SupportId]}" s '
    f'INNER JOIN "{_T[License]}" l ON l."id" = s."license_id" '
    f'INNER JOIN "{_T[Organization]}" o ON o."id" = l."organization_id" '
    f'LEFT JOIN "{_T[User]}" p ON p."id" = o."pdm_id" '
    f'INNER JOIN "{_T[Product]}" pr ON pr."id" = l."product_id" '
    f'LEFT JOIN "{_T[ProductVersion]}" v ON v."product_id" = pr."id" AND v."version" = %s '
    f'LEFT JOIN "{_T[LicenseLine]}" ll ON ll."license_id" = l."id" '
    'WHERE s."code" = %s AND l."organization_id" = %s ORDER BY ll."id"'
)
_SUPPORT_ID_PARTS = (
    (SupportId, "s"),
    (License, "l"),
    (Organization, "o"),
    (User, "p"),
    (Product, "pr"),
    (ProductVersion, "v"),
    (LicenseLine, "ll"),
)


def _support_id_of(
    code: str, organization: Organization, version: str | None
) -> tuple[SupportId, ProductVersion | None, list[License]]:
    """``organization``'s Support ID ``code`` (any spelling) with its license, the license's
    organization (and PDM), product and lines, and the product's ``version`` when it has it
    (None otherwise); and the customer's other licenses of that product (R-9). Two
    statements sent together (one round trip on PostgreSQL). ``SupportId.DoesNotExist``
    when it is not one of the organization's."""
    canonical = support_ids.normalise(code)
    if canonical is None:
        raise SupportId.DoesNotExist("No such Support ID.")
    found, others = rows.select_together(
        (_SUPPORT_ID_PARTS, _SUPPORT_ID_OF, [(version or "").strip(), canonical, organization.pk]),
        (_LICENSE_PARTS, _OTHER_LICENSES_OF_SUPPORT_ID, [canonical, organization.pk]),
    )
    if not found:
        raise SupportId.DoesNotExist("No such Support ID.")
    sid, license, org, pdm, product, version_row, _ = found[0]
    org.pdm = pdm
    license.organization = org
    license.product = product
    _with_lines(license, [row[6] for row in found if row[6] is not None])
    sid.license = license
    return sid, version_row, _licenses_of(others)


_LICENSE_PARTS = ((License, "l"), (LicenseLine, "ll"))
_OTHER_LICENSES = (
    f'FROM "{_T[License]}" l '
    f'LEFT JOIN "{_T[LicenseLine]}" ll ON ll."license_id" = l."id" '
    'WHERE l."organization_id" = %s AND l."product_id" = %s AND l."id" <> %s '
    'ORDER BY l."id", ll."id"'
)
# the same, for the license of a Support ID (by its code) not read yet
_OTHER_LICENSES_OF_SUPPORT_ID = (
    f'FROM "{_T[SupportId]}" s '
    f'INNER JOIN "{_T[License]}" sl ON sl."id" = s."license_id" '
    f'INNER JOIN "{_T[License]}" l ON l."organization_id" = sl."organization_id" '
    'AND l."product_id" = sl."product_id" AND l."id" <> sl."id" '
    f'LEFT JOIN "{_T[LicenseLine]}" ll ON ll."license_id" = l."id" '
    'WHERE s."code" = %s AND sl."organization_id" = %s '
    'ORDER BY l."id", ll."id"'
)


def _other_licenses(license: License) -> list[License]:
    """The customer's other licenses of the same product, with their lines: one statement."""
    found = rows.select(
        _LICENSE_PARTS,
        _OTHER_LICENSES,
        [license.organization_id, license.product_id, license.pk],
    )
    return _licenses_of(found)


def _licenses_of(found: list[list[Any]]) -> list[License]:
    """Licenses from rows of (license, line or None), ordered by the license."""
    out: dict[int, tuple[License, list[LicenseLine]]] = {}
    for other, line in found:
        entry = out.setdefault(other.pk, (other, []))
        if line is not None:
            entry[1].append(line)
    for other, lines in out.values():
        _with_lines(other, lines)
    return [other for other, _ in out.values()]
