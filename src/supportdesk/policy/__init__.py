"""The support policy as pure computation: no Django, no database, time passed in.

Everything of POLICY.md that is a computation lives here: programs, severities, first-response
targets, hours and business calendars, SLA clocks, language availability and phone eligibility.
"""

from .calendar import BusinessCalendar, Segment, business_calendar, check_country, zone
from .entitlement import (
    Entitlement,
    LicenseFacts,
    SocketLine,
    VersionFacts,
    lifecycle_state,
    resolve_entitlement,
)
from .errors import InputError, PolicyError
from .languages import LanguageAvailability, region_for, support_languages
from .loader import clear_policy_cache, default_policy_path, get_policy, load_policy, parse_policy
from .model import CaseKind, Hours, LanguagePolicy, Policy, Program, Region, Severity
from .phone import Decision, phone_eligibility
from .sla import FirstResponse, clock_for, first_response, parse_instant

__all__ = [
    "BusinessCalendar",
    "CaseKind",
    "Decision",
    "Entitlement",
    "FirstResponse",
    "Hours",
    "InputError",
    "LanguageAvailability",
    "LanguagePolicy",
    "LicenseFacts",
    "Policy",
    "PolicyError",
    "Program",
    "Region",
    "Segment",
    "Severity",
    "SocketLine",
    "VersionFacts",
    "business_calendar",
    "check_country",
    "clear_policy_cache",
    "clock_for",
    "default_policy_path",
    "first_response",
    "get_policy",
    "lifecycle_state",
    "load_policy",
    "parse_instant",
    "parse_policy",
    "phone_eligibility",
    "region_for",
    "resolve_entitlement",
    "support_languages",
    "zone",
]
