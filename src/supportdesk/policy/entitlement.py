"""Entitlement: which support program a license gives, and what follows (R-5 to R-10, R-36,
R-37).

Pure rules over plain facts: the licensing app loads a license, its socket/instance lines and
the product version from the database and asks :func:`resolve_entitlement`.  Every decision
comes with human-readable reasons that cite the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import InputError
from .model import Policy

PAID_TYPES = ("perpetual", "subscription")
TRIAL_TYPES = ("trial",)
FREE_TYPES = ("free", "community", "nfr")
LICENSE_TYPES = PAID_TYPES + TRIAL_TYPES + FREE_TYPES

#: support levels a socket/instance line can be covered at, lowest first (R-7)
LEVELS = ("basic", "production", "premium")

LIFECYCLE_STATES = ("unreleased", "ga", "end_of_fix", "end_of_support", "end_of_sale")
_LIFECYCLE_LABEL = {
    "unreleased": "not yet generally available",
    "ga": "GA/current",
    "end_of_fix": "End of Fix",
    "end_of_support": "End of Support",
    "end_of_sale": "End of Sale",
}
_TYPE_LABEL = {
    "perpetual": "perpetual",
    "subscription": "subscription",
    "trial": "trial",
    "free": "Free",
    "community": "Community",
    "nfr": "NFR",
}


@dataclass(frozen=True)
class SocketLine:
    """A socket/instance line of a license: how many, whether production, covered at what."""

    count: int
    production: bool
    level: str


@dataclass(frozen=True)
class LicenseFacts:
    license_type: str
    valid_from: date | None
    valid_until: date | None
    maintenance_from: date | None
    maintenance_until: date | None
    lines: tuple[SocketLine, ...] = ()


@dataclass(frozen=True)
class VersionFacts:
    ga: date | None
    end_of_fix: date | None = None
    end_of_support: date | None = None
    end_of_sale: date | None = None


@dataclass(frozen=True)
class Entitlement:
    program: str | None
    license_active: bool
    maintenance_active: bool
    hotfix_access: bool
    phone: bool
    lifecycle: str | None
    technical_case_allowed: bool
    licensing_case_allowed: bool
    offers: tuple[str, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "license_active": self.license_active,
            "maintenance_active": self.maintenance_active,
            "hotfix_access": self.hotfix_access,
            "phone": self.phone,
            "lifecycle": self.lifecycle,
            "technical_case_allowed": self.technical_case_allowed,
            "licensing_case_allowed": self.licensing_case_allowed,
            "offers": list(self.offers),
            "reasons": list(self.reasons),
        }


def _within(on: date, start: date | None, end: date | None) -> bool:
    """``on`` lies in [start, end], both inclusive; a missing end is open."""
    return (start is None or start <= on) and (end is None or on <= end)


def lifecycle_state(version: VersionFacts, on: date) -> str:
    """The lifecycle state of a product version on a date (R-36).

    End of Support and End of Sale both end support; when both have passed, End of Support
    (the stronger statement) is named."""
    if version.end_of_support is not None and version.end_of_support <= on:
        return "end_of_support"
    if version.end_of_sale is not None and version.end_of_sale <= on:
        return "end_of_sale"
    if version.end_of_fix is not None and version.end_of_fix <= on:
        return "end_of_fix"
    if version.ga is not None and version.ga <= on:
        return "ga"
    return "unreleased"


def program_of_lines(lines: tuple[SocketLine, ...]) -> tuple[str, str]:
    """The program a paid license's lines give and why (R-6, R-7).

    The lowest level held by any production line wins (Premium only if all are Premium);
    non-production lines do not lower it.  A license without production lines takes the
    lowest level of its lines; one without lines has the Basic of R-6."""
    for i, line in enumerate(lines):
        if line.level not in LEVELS:
            raise InputError(f"lines[{i}].level", f"must be one of {', '.join(LEVELS)}")
        if line.count < 0:
            raise InputError(f"lines[{i}].count", "must not be negative")
    counted = [line for line in lines if line.count > 0]
    production = [line for line in counted if line.production]
    if not counted:
        return (
            "basic",
            "Basic: the license has no socket/instance lines; every purchase includes Basic (R-6).",
        )
    pool = production or counted
    kind = (
        "production sockets/instances" if production else "sockets/instances (none is production)"
    )
    total = sum(line.count for line in pool)
    lowest = min(LEVELS.index(line.level) for line in pool)
    level = LEVELS[lowest]
    at_lowest = sum(line.count for line in pool if LEVELS.index(line.level) == lowest)
    label = level.capitalize()
    if at_lowest == total:
        reason = f"{label}: all {total} {kind} are covered at {label} level (R-7)."
    else:
        higher = total - at_lowest
        reason = (
            f"{label}: {at_lowest} of {total} {kind} are covered at {label} level, so the other "
            f"{higher} do not raise the program (R-7)."
        )
    if production and len(production) < len(counted):
        reason += " Non-production lines do not lower it."
    return level, reason


def resolve_entitlement(
    policy: Policy,
    license: LicenseFacts,
    *,
    on: date,
    version: VersionFacts | None = None,
    maintained_elsewhere: bool = False,
) -> Entitlement:
    """What a license gives on a date, for a product version if one is named."""
    if license.license_type not in LICENSE_TYPES:
        raise InputError("license_type", f"must be one of {', '.join(LICENSE_TYPES)}")
    reasons: list[str] = []
    offers: list[str] = []
    kind = license.license_type
    license_active = _within(on, license.valid_from, license.valid_until)
    maintenance_active = license.maintenance_from is not None and _within(
        on, license.maintenance_from, license.maintenance_until
    )
    program: str | None
    if not license_active:
        program = None
        if kind in TRIAL_TYPES:
            reasons.append("No support: the trial period is over (R-8).")
            offers.append("buy_license")
        else:
            reasons.append(
                f"No support: the {_TYPE_LABEL[kind]} license is not valid on {on.isoformat()}."
            )
            offers.append("renew_license")
    elif kind in TRIAL_TYPES:
        program = "trial"
        until = f" until {license.valid_until.isoformat()}" if license.valid_until else ""
        reasons.append(
            f"Trial: a valid trial license{until}, best effort at Basic-like targets (R-8)."
        )
    elif kind in FREE_TYPES:
        program = "free"
        reasons.append(
            f"Free: a {_TYPE_LABEL[kind]} license gets web and e-mail support, best effort, "
            "no response target and no phone (R-5, R-9)."
        )
    elif not maintenance_active:
        program = None
        lapsed = (
            f"lapsed on {license.maintenance_until.isoformat()}"
            if license.maintenance_until is not None and license.maintenance_until < on
            else "not in force"
        )
        reasons.append(
            f"No support program: the maintenance contract is {lapsed}; technical cases are "
            "refused with an offer to renew, licensing cases stay open to you (R-8a)."
        )
        offers.append("renew_maintenance")
    else:
        program, why = program_of_lines(license.lines)
        reasons.append(why)

    if program is not None and program not in policy.programs:
        raise InputError("program", f"the policy has no program {program!r}")

    hotfix_access = maintenance_active or maintained_elsewhere
    if hotfix_access:
        where = "this license" if maintenance_active else "another deployment of the product"
        reasons.append(
            f"Hotfixes and patches: available through the maintenance contract of {where} (R-9)."
        )
    else:
        reasons.append(
            "Hotfixes and patches: only through generally available releases, no maintenance "
            "contract is in force for this product (R-9)."
        )

    phone = program is not None and policy.programs[program].phone
    lifecycle = lifecycle_state(version, on) if version is not None else None
    technical = program is not None
    if lifecycle is not None:
        label = _LIFECYCLE_LABEL[lifecycle]
        if lifecycle in ("end_of_support", "end_of_sale"):
            technical = False
            reasons.append(
                f"The version is past {label}: technical cases are refused; known workarounds, "
                "existing fixes and help to upgrade to a supported version remain (R-36, R-37)."
            )
            offers.append("upgrade")
        elif lifecycle == "unreleased":
            technical = False
            reasons.append("The version is not generally available yet: no support for it (R-36).")
        elif lifecycle == "end_of_fix":
            reasons.append(
                f"The version is at {label}: support is given with existing fixes, "
                "no new fixes (R-36)."
            )
        else:
            reasons.append("The version is GA/current: full support, updates and fixes (R-36).")
    return Entitlement(
        program=program,
        license_active=license_active,
        maintenance_active=maintenance_active,
        hotfix_access=hotfix_access,
        phone=phone,
        lifecycle=lifecycle,
        technical_case_allowed=technical,
        licensing_case_allowed=True,
        offers=tuple(dict.fromkeys(offers)),
        reasons=tuple(reasons),
    )


# --- downloads and fixes (R-9, R-36 to R-38) ---------------------------------------------------

#: What the vendor publishes for a product version: the version's first generally available
#: release, maintenance releases (also generally available), and hotfixes (patches).
RELEASE_KINDS = ("ga_release", "maintenance_release", "hotfix")
GENERALLY_AVAILABLE = ("ga_release", "maintenance_release")
#: Which release kinds may still be published for a version in each lifecycle state (R-36):
#: no new fixes or enhancements from End of Fix on, nothing once support has ended.
_PUBLISHABLE: dict[str, tuple[str, ...]] = {
    "unreleased": ("ga_release",),
    "ga": RELEASE_KINDS,
    "end_of_fix": (),
    "end_of_support": (),
    "end_of_sale": (),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


def check_release_kind(kind: str) -> str:
    if kind not in RELEASE_KINDS:
        raise InputError("kind", f"must be one of {', '.join(RELEASE_KINDS)}")
    return kind


def may_download(kind: str, *, licensed: bool, hotfix_access: bool) -> Decision:
    """Whether a customer may download a release of a product (R-9): generally available
    releases for everyone who holds a license of the product (even one without maintenance);
    hotfixes and patches only with a maintenance contract in force for at least one
    deployment of it."""
    check_release_kind(kind)
    if not licensed:
        return Decision(False, "Downloads are for holders of a license of the product.")
    if kind in GENERALLY_AVAILABLE:
        return Decision(True, "A generally available release: open to every license holder (R-9).")
    if hotfix_access:
        return Decision(
            True, "A hotfix: your maintenance contract for this product is in force (R-9)."
        )
    return Decision(
        False,
        "A hotfix needs an active maintenance contract for at least one deployment of the "
        "product; without one, fixes come with the generally available releases (R-9).",
    )


def may_publish(kind: str, lifecycle: str) -> Decision:
    """Whether the vendor may still publish a release of ``kind`` for a version in
    ``lifecycle`` (R-36): existing fixes stay available, new ones stop at End of Fix."""
    check_release_kind(kind)
    if lifecycle not in _PUBLISHABLE:
        raise InputError("lifecycle", f"must be one of {', '.join(LIFECYCLE_STATES)}")
    if kind in _PUBLISHABLE[lifecycle]:
        return Decision(True, f"The version is {_LIFECYCLE_LABEL[lifecycle]}.")
    if lifecycle == "unreleased":
        return Decision(False, "The version is not generally available yet: publish its GA first.")
    return Decision(
        False,
        f"The version is past {_LIFECYCLE_LABEL[lifecycle]}: no new releases or fixes; the "
        "existing ones stay available (R-36, R-37).",
    )


def upgrade_target(
    current: VersionFacts, versions: dict[str, VersionFacts], *, on: date
) -> str | None:
    """The version to upgrade to from ``current`` (R-37): the newest GA/current version that
    came out after it; None when there is none (``current`` is the newest, or none is
    current)."""
    newer = [
        (facts.ga, name)
        for name, facts in versions.items()
        if facts.ga is not None
        and lifecycle_state(facts, on) == "ga"
        and (current.ga is None or facts.ga > current.ga)
    ]
    return max(newer)[1] if newer else None
