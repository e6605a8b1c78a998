"""The support policy as typed, immutable values (POLICY.md R-5 to R-26).

Instances are built by :mod:`supportdesk.policy.loader` from a policy file; nothing here reads
files or knows about Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Literal

Clock = Literal["business", "24x7", "none"]

WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Hours:
    """When a program's clock runs (R-11, R-12).

    For ``clock == "business"`` the window ``[open_minute, close_minute)`` (minutes after local
    midnight, ``close_minute`` may be 1440) applies on each of ``days`` (0 = Monday) that is not
    a public holiday of the customer (when ``public_holidays`` is true).
    """

    key: str
    label: str
    clock: Clock
    days: frozenset[int] = frozenset()
    open_minute: int = 0
    close_minute: int = 0
    public_holidays: bool = True

    def describe(self) -> str:
        return self.label

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "label": self.label, "clock": _clock_name(self)}
        if self.clock == "business":
            out["days"] = [WEEKDAY_NAMES[d] for d in sorted(self.days)]
            out["open"] = _hhmm(self.open_minute)
            out["close"] = _hhmm(self.close_minute)
            out["public_holidays"] = self.public_holidays
        return out


@dataclass(frozen=True)
class Severity:
    number: int
    label: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "label": self.label, "description": self.description}


@dataclass(frozen=True)
class Program:
    key: str
    label: str
    rank: int
    hours: Hours
    phone: bool
    round_the_clock_severity_1: bool
    dedicated_pdm: bool
    #: first-response target in minutes per severity; ``None`` is "no target" (R-18)
    targets: Mapping[int, int | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "rank": self.rank,
            "hours": self.hours.key,
            "phone": self.phone,
            "round_the_clock_severity_1": self.round_the_clock_severity_1,
            "dedicated_pdm": self.dedicated_pdm,
            "targets": {
                str(sev): {
                    "minutes": minutes,
                    "clock": _clock_name(self.hours) if minutes is not None else "none",
                }
                for sev, minutes in sorted(self.targets.items())
            },
        }


@dataclass(frozen=True)
class CaseKind:
    key: str
    label: str
    first_response_target: bool
    phone: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "first_response_target": self.first_response_target,
            "phone": self.phone,
        }


@dataclass(frozen=True)
class Region:
    key: str
    label: str
    languages: tuple[str, ...]
    #: ISO 3166-1 alpha-2 codes; ``None`` means every country no other region lists
    countries: frozenset[str] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "languages": list(self.languages),
            "countries": "*" if self.countries is None else sorted(self.countries),
        }


@dataclass(frozen=True)
class LanguagePolicy:
    fallback: str
    flagship_hours: Hours
    regions: Mapping[str, Region]
    _by_country: Mapping[str, str] = field(default_factory=dict, repr=False)
    _default_region: str | None = None

    def region_for_country(self, country: str) -> Region:
        key = self._by_country.get(country.upper(), self._default_region)
        if key is None:
            raise KeyError(country)
        return self.regions[key]

    def to_dict(self) -> dict[str, Any]:
        return {
            "fallback": self.fallback,
            "flagship_hours": self.flagship_hours.to_dict(),
            "regions": {key: region.to_dict() for key, region in self.regions.items()},
        }


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    source: str
    sha256: str
    hours: Mapping[str, Hours]
    severities: Mapping[int, Severity]
    programs: Mapping[str, Program]
    case_kinds: Mapping[str, CaseKind]
    languages: LanguagePolicy

    def program(self, key: str) -> Program:
        return self.programs[key]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            # the file's name only: the public API must not show the server's folders
            "source": PurePath(self.source).name,
            "sha256": self.sha256,
            "hours": {key: hours.to_dict() for key, hours in self.hours.items()},
            "severities": {str(n): s.to_dict() for n, s in sorted(self.severities.items())},
            "programs": {key: p.to_dict() for key, p in self.programs.items()},
            "case_kinds": {key: k.to_dict() for key, k in self.case_kinds.items()},
            "languages": self.languages.to_dict(),
        }


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _clock_name(hours: Hours) -> str:
    """The clock as named in the API and CLI: ``24x7``, ``business_hours`` or ``none``."""
    return "business_hours" if hours.clock == "business" else hours.clock
