"""Reading and checking a policy file.

The default policy ships in the package (``default_policy.toml``); ``SUPPORTDESK_POLICY`` names
an operator's own file.  Every problem is reported as a :class:`PolicyError` naming the file,
the dotted key and what is wrong, so a broken file is refused at start with a clear message.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import PolicyError
from .model import (
    WEEKDAY_NAMES,
    CaseKind,
    Hours,
    LanguagePolicy,
    Policy,
    Program,
    Region,
    Severity,
)

ENV_VAR = "SUPPORTDESK_POLICY"
DEFAULT_POLICY_NAME = "default_policy.toml"

_DURATION_RE = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$")
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})$")
_LANG_RE = re.compile(r"^[a-z]{2,3}$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


@functools.cache  # where the package's file lies does not change while the process runs
def default_policy_path() -> str:
    return str(resources.files("supportdesk.policy").joinpath(DEFAULT_POLICY_NAME))


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """Load and check a policy file (the shipped default when ``path`` is None)."""
    file = str(path) if path is not None else default_policy_path()
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        raise PolicyError(file, "", f"cannot read the file ({exc.strerror or exc})") from None
    return parse_policy(data, file)


def parse_policy(data: bytes, file: str = "<policy>") -> Policy:
    """Check the bytes of a policy file and build the :class:`Policy`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(file, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(file, "", f"not valid TOML: {exc}") from None
    return _Reader(file).policy(doc, hashlib.sha256(data).hexdigest())


_cache: dict[str, Policy] = {}


def get_policy() -> Policy:
    """The policy in force: ``SUPPORTDESK_POLICY`` if set, else the default (cached per path)."""
    path = os.environ.get(ENV_VAR) or default_policy_path()
    policy = _cache.get(path)
    if policy is None:
        policy = load_policy(path)
        _cache.clear()
        _cache[path] = policy
    return policy


def clear_policy_cache() -> None:
    _cache.clear()


class _Reader:
    """Walks the TOML document, checking each key and building the model."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, problem: str) -> PolicyError:
        return PolicyError(self.file, key, problem)

    # -- generic helpers ------------------------------------------------------------------

    def table(self, parent: Mapping[str, Any], name: str, key: str) -> Mapping[str, Any]:
        if name not in parent:
            raise self.fail(key, "is missing")
        value = parent[name]
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, not {_kind(value)}")
        return value

    def only(self, table: Mapping[str, Any], key: str, allowed: set[str]) -> None:
        for name in table:
            if name not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.fail(
                    _join(key, name), f"is not a known key (expected one of: {expected})"
                )

    def value(self, table: Mapping[str, Any], name: str, key: str, kind: type) -> Any:
        full = _join(key, name)
        if name not in table:
            raise self.fail(full, "is missing")
        value = table[name]
        # bool is a subclass of int: never accept one for the other
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(full, f"must be {_kind_name(kind)}, not {_kind(value)}")
        return value

    def optional(
        self, table: Mapping[str, Any], name: str, key: str, kind: type, default: Any
    ) -> Any:
        if name not in table:
            return default
        return self.value(table, name, key, kind)

    def text(self, table: Mapping[str, Any], name: str, key: str) -> str:
        value: str = self.value(table, name, key, str)
        if not value.strip():
            raise self.fail(_join(key, name), "must not be empty")
        return value

    # -- sections -------------------------------------------------------------------------

    def policy(self, doc: Mapping[str, Any], sha256: str) -> Policy:
        self.only(doc, "", {"policy", "hours", "severities", "programs", "case_kinds", "languages"})
        meta = self.table(doc, "policy", "policy")
        self.only(meta, "policy", {"name", "version"})
        name = self.text(meta, "name", "policy")
        version = self.text(meta, "version", "policy")

        hours_doc = self.table(doc, "hours", "hours")
        if not hours_doc:
            raise self.fail("hours", "must define at least one set of hours")
        hours = {k: self.hours(v, f"hours.{k}", k) for k, v in hours_doc.items()}

        severities = self.severities(self.table(doc, "severities", "severities"))
        programs = self.programs(self.table(doc, "programs", "programs"), hours, severities)
        case_kinds = self.case_kinds(self.table(doc, "case_kinds", "case_kinds"))
        languages = self.languages(self.table(doc, "languages", "languages"))
        return Policy(
            name=name,
            version=version,
            source=self.file,
            sha256=sha256,
            hours=hours,
            severities=severities,
            programs=programs,
            case_kinds=case_kinds,
            languages=languages,
        )

    def hours(self, doc: Any, key: str, name: str, *, business_only: bool = False) -> Hours:
        if not isinstance(doc, dict):
            raise self.fail(key, f"must be a table, not {_kind(doc)}")
        if business_only:
            self.only(doc, key, {"days", "open", "close", "public_holidays"})
            clock = "business"
            label = "Language hours"
        else:
            self.only(doc, key, {"label", "clock", "days", "open", "close", "public_holidays"})
            label = self.text(doc, "label", key)
            clock = self.value(doc, "clock", key, str)
            if clock not in ("business", "24x7", "none"):
                raise self.fail(
                    f"{key}.clock", f"must be one of business, 24x7, none, not {clock!r}"
                )
        if clock != "business":
            extra = sorted(set(doc) & {"days", "open", "close", "public_holidays"})
            if extra:
                raise self.fail(f"{key}.{extra[0]}", f"has no meaning for clock {clock!r}")
            return Hours(key=name, label=label, clock="24x7" if clock == "24x7" else "none")

        days_raw = self.value(doc, "days", key, list)
        if not days_raw:
            raise self.fail(f"{key}.days", "must list at least one day")
        days: set[int] = set()
        for i, day in enumerate(days_raw):
            if not isinstance(day, str) or day.lower() not in WEEKDAY_NAMES:
                raise self.fail(
                    f"{key}.days[{i}]", f"must be one of {', '.join(WEEKDAY_NAMES)}, not {day!r}"
                )
            if WEEKDAY_NAMES.index(day.lower()) in days:
                raise self.fail(f"{key}.days[{i}]", f"lists {day!r} twice")
            days.add(WEEKDAY_NAMES.index(day.lower()))
        open_minute = self.clock_time(doc, "open", key, allow_midnight_end=False)
        close_minute = self.clock_time(doc, "close", key, allow_midnight_end=True)
        if close_minute <= open_minute:
            raise self.fail(
                f"{key}.close",
                "must be later than open (hours that cross midnight are not supported)",
            )
        public_holidays = self.optional(doc, "public_holidays", key, bool, True)
        return Hours(
            key=name,
            label=label,
            clock="business",
            days=frozenset(days),
            open_minute=open_minute,
            close_minute=close_minute,
            public_holidays=public_holidays,
        )

    def clock_time(
        self, doc: Mapping[str, Any], name: str, key: str, *, allow_midnight_end: bool
    ) -> int:
        raw = self.value(doc, name, key, str)
        match = _TIME_RE.match(raw)
        problem = (
            f"must be a time HH:MM{' (24:00 allowed)' if allow_midnight_end else ''}, not {raw!r}"
        )
        if not match:
            raise self.fail(_join(key, name), problem)
        hh, mm = int(match[1]), int(match[2])
        if mm > 59 or hh > 24 or (hh == 24 and (mm or not allow_midnight_end)):
            raise self.fail(_join(key, name), problem)
        return hh * 60 + mm

    def severities(self, doc: Mapping[str, Any]) -> dict[int, Severity]:
        if not doc:
            raise self.fail("severities", "must define at least one severity")
        out: dict[int, Severity] = {}
        for raw_key, entry in doc.items():
            key = f"severities.{raw_key}"
            if not raw_key.isdigit() or not 1 <= int(raw_key) <= 9:
                raise self.fail(key, "severity keys must be whole numbers from 1 to 9")
            if not isinstance(entry, dict):
                raise self.fail(key, f"must be a table, not {_kind(entry)}")
            self.only(entry, key, {"label", "description"})
            number = int(raw_key)
            out[number] = Severity(
                number=number,
                label=self.text(entry, "label", key),
                description=self.text(entry, "description", key),
            )
        expected = list(range(1, len(out) + 1))
        if sorted(out) != expected:
            raise self.fail("severities", f"must be numbered 1 to {len(out)} without gaps")
        return dict(sorted(out.items()))

    def programs(
        self,
        doc: Mapping[str, Any],
        hours: Mapping[str, Hours],
        severities: Mapping[int, Severity],
    ) -> dict[str, Program]:
        if not doc:
            raise self.fail("programs", "must define at least one program")
        out: dict[str, Program] = {}
        ranks: dict[int, str] = {}
        allowed = {
            "label", "rank", "hours", "phone", "round_the_clock_severity_1", "dedicated_pdm",
            "targets",
        }  # fmt: skip
        for name, entry in doc.items():
            key = f"programs.{name}"
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise self.fail(key, "program keys must be lower-case identifiers")
            if not isinstance(entry, dict):
                raise self.fail(key, f"must be a table, not {_kind(entry)}")
            self.only(entry, key, allowed)
            rank = self.value(entry, "rank", key, int)
            if rank in ranks:
                raise self.fail(f"{key}.rank", f"is the same as programs.{ranks[rank]}.rank")
            ranks[rank] = name
            hours_key = self.value(entry, "hours", key, str)
            if hours_key not in hours:
                raise self.fail(
                    f"{key}.hours",
                    f"names unknown hours {hours_key!r} (defined: {', '.join(hours)})",
                )
            program_hours = hours[hours_key]
            targets_doc = self.table(entry, "targets", f"{key}.targets")
            targets: dict[int, int | None] = {}
            for sev_key, raw in targets_doc.items():
                tkey = f"{key}.targets.{sev_key}"
                if not sev_key.isdigit() or int(sev_key) not in severities:
                    raise self.fail(tkey, f"is not a defined severity (1 to {len(severities)})")
                minutes = self.duration(raw, tkey)
                if minutes is not None and program_hours.clock == "none":
                    raise self.fail(
                        tkey, f"a target needs a clock, but hours {hours_key!r} have none"
                    )
                targets[int(sev_key)] = minutes
            missing = [str(s) for s in severities if s not in targets]
            if missing:
                raise self.fail(
                    f"{key}.targets", f"has no target for severity {', '.join(missing)}"
                )
            out[name] = Program(
                key=name,
                label=self.text(entry, "label", key),
                rank=rank,
                hours=program_hours,
                phone=self.value(entry, "phone", key, bool),
                round_the_clock_severity_1=self.optional(
                    entry, "round_the_clock_severity_1", key, bool, False
                ),
                dedicated_pdm=self.optional(entry, "dedicated_pdm", key, bool, False),
                targets=dict(sorted(targets.items())),
            )
        return out

    def duration(self, raw: Any, key: str) -> int | None:
        if raw == "none":
            return None
        if not isinstance(raw, str):
            raise self.fail(
                key, f'must be a duration such as "30m" or "8h", or "none", not {_kind(raw)}'
            )
        match = _DURATION_RE.match(raw)
        if not match or not (match[1] or match[2]):
            raise self.fail(
                key, f'must be a duration such as "30m", "8h" or "1h30m", or "none", not {raw!r}'
            )
        minutes = int(match[1] or 0) * 60 + int(match[2] or 0)
        if minutes <= 0:
            raise self.fail(key, 'must be longer than zero (use "none" for no target)')
        if minutes > 366 * 24 * 60:
            raise self.fail(key, "must be at most a year")
        return minutes

    def case_kinds(self, doc: Mapping[str, Any]) -> dict[str, CaseKind]:
        if not doc:
            raise self.fail("case_kinds", "must define at least one case kind")
        out: dict[str, CaseKind] = {}
        for name, entry in doc.items():
            key = f"case_kinds.{name}"
            if not isinstance(entry, dict):
                raise self.fail(key, f"must be a table, not {_kind(entry)}")
            self.only(entry, key, {"label", "first_response_target", "phone"})
            out[name] = CaseKind(
                key=name,
                label=self.text(entry, "label", key),
                first_response_target=self.value(entry, "first_response_target", key, bool),
                phone=self.value(entry, "phone", key, bool),
            )
        return out

    def languages(self, doc: Mapping[str, Any]) -> LanguagePolicy:
        self.only(doc, "languages", {"fallback", "flagship_hours", "regions"})
        fallback = self.value(doc, "fallback", "languages", str)
        if not _LANG_RE.match(fallback):
            raise self.fail(
                "languages.fallback", f"must be a language code such as 'en', not {fallback!r}"
            )
        flagship_hours = self.hours(
            self.table(doc, "flagship_hours", "languages.flagship_hours"),
            "languages.flagship_hours",
            "languages",
            business_only=True,
        )
        regions_doc = self.table(doc, "regions", "languages.regions")
        if not regions_doc:
            raise self.fail("languages.regions", "must define at least one region")
        regions: dict[str, Region] = {}
        by_country: dict[str, str] = {}
        default_region: str | None = None
        for name, entry in regions_doc.items():
            key = f"languages.regions.{name}"
            if not isinstance(entry, dict):
                raise self.fail(key, f"must be a table, not {_kind(entry)}")
            self.only(entry, key, {"label", "languages", "countries"})
            langs = self.value(entry, "languages", key, list)
            if not langs:
                raise self.fail(f"{key}.languages", "must list at least one language")
            for i, lang in enumerate(langs):
                if not isinstance(lang, str) or not _LANG_RE.match(lang):
                    raise self.fail(
                        f"{key}.languages[{i}]",
                        f"must be a language code such as 'en', not {lang!r}",
                    )
            countries_raw = entry.get("countries")
            countries: frozenset[str] | None
            if countries_raw == "*":
                if default_region is not None:
                    raise self.fail(
                        f"{key}.countries",
                        f'"*" is already used by languages.regions.{default_region}',
                    )
                default_region = name
                countries = None
            elif isinstance(countries_raw, list):
                for i, cc in enumerate(countries_raw):
                    if not isinstance(cc, str) or not _COUNTRY_RE.match(cc):
                        raise self.fail(
                            f"{key}.countries[{i}]",
                            f"must be an ISO 3166 alpha-2 code such as 'DE', not {cc!r}",
                        )
                    if cc in by_country:
                        raise self.fail(
                            f"{key}.countries[{i}]",
                            f"{cc} is already in languages.regions.{by_country[cc]}",
                        )
                    by_country[cc] = name
                countries = frozenset(countries_raw)
            elif countries_raw is None:
                raise self.fail(f"{key}.countries", "is missing")
            else:
                raise self.fail(
                    f"{key}.countries",
                    f'must be a list of country codes or "*", not {_kind(countries_raw)}',
                )
            regions[name] = Region(
                key=name,
                label=self.text(entry, "label", key),
                languages=tuple(langs),
                countries=countries,
            )
        return LanguagePolicy(
            fallback=fallback,
            flagship_hours=flagship_hours,
            regions=regions,
            _by_country=by_country,
            _default_region=default_region,
        )


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _kind_name(kind: type) -> str:
    return {
        bool: "true or false",
        int: "a whole number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(kind, kind.__name__)
