"""Which languages first-line support speaks to a customer right now (R-20, R-21)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from .calendar import business_calendar, check_country, zone
from .errors import InputError
from .model import Policy, Region

Tier = Literal["L1", "L2", "L3"]


@dataclass(frozen=True)
class LanguageAvailability:
    languages: tuple[str, ...]
    region: Region
    in_language_hours: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "languages": list(self.languages),
            "region": self.region.key,
            "in_language_hours": self.in_language_hours,
            "reasons": list(self.reasons),
        }


def region_for(policy: Policy, country: str) -> Region:
    cc, _ = check_country(country, None)
    try:
        return policy.languages.region_for_country(cc)
    except KeyError:
        raise InputError("country", f"{cc} belongs to no region of the policy") from None


def support_languages(
    policy: Policy,
    *,
    flagship: bool,
    at: datetime,
    timezone: str,
    country: str,
    subdivision: str | None = None,
    tier: Tier = "L1",
) -> LanguageAvailability:
    """The languages support is offered in at instant ``at`` for a customer (R-20, R-21)."""
    if tier not in ("L1", "L2", "L3"):
        raise InputError("tier", f"must be L1, L2 or L3, not {tier!r}")
    if at.tzinfo is None:
        raise InputError("at", "must carry a UTC offset")
    tz = zone(timezone)
    cc, sd = check_country(country, subdivision)
    region = region_for(policy, cc)
    fallback = policy.languages.fallback
    hours = policy.languages.flagship_hours
    open_now = business_calendar(hours, tz.key, cc, sd).is_open(at)
    if tier != "L1":
        return LanguageAvailability(
            (fallback,), region, open_now, (f"{tier} support is in English only (R-21).",)
        )
    if not flagship:
        return LanguageAvailability(
            (fallback,), region, open_now,
            ("L1 support for products other than the flagship is in English only (R-21).",),
        )  # fmt: skip
    window = f"{hours.open_minute // 60:02d}:{hours.open_minute % 60:02d}-" \
             f"{hours.close_minute // 60:02d}:{hours.close_minute % 60:02d}"  # fmt: skip
    if not open_now:
        return LanguageAvailability(
            (fallback,), region, False,
            (f"Outside the customer's local language hours ({window} on business days, "
             f"{tz.key}): L1 support is in English (R-21).",),
        )  # fmt: skip
    return LanguageAvailability(
        region.languages, region, True,
        (f"Flagship product, {region.label}, inside local language hours ({window} on "
         f"business days, {tz.key}): L1 in {', '.join(region.languages)} (R-20).",),
    )  # fmt: skip
