"""The policy file: the shipped default restates POLICY.md exactly, and every kind of broken
file is refused with the file, the key and the problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.policy import PolicyError, clear_policy_cache, get_policy, load_policy
from supportdesk.policy.loader import default_policy_path, parse_policy

DEFAULT = Path(default_policy_path()).read_text(encoding="utf-8")


def test_default_policy_targets_are_the_table_of_r16() -> None:
    policy = load_policy()
    minutes = {key: dict(p.targets) for key, p in policy.programs.items()}
    assert minutes == {
        "premium": {1: 30, 2: 30, 3: 30, 4: 30},
        "production": {1: 60, 2: 180, 3: 360, 4: 480},
        "basic": {1: 120, 2: 480, 3: 720, 4: 1440},
        "trial": {1: None, 2: 480, 3: 720, 4: 1440},
        "free": {1: None, 2: None, 3: None, 4: None},
    }


def test_default_policy_hours_are_r11() -> None:
    policy = load_policy()
    clocks = {key: p.hours.clock for key, p in policy.programs.items()}
    assert clocks == {
        "premium": "24x7", "production": "24x7", "basic": "business", "trial": "business",
        "free": "none",
    }  # fmt: skip
    basic, trial = policy.programs["basic"].hours, policy.programs["trial"].hours
    assert (basic.days, basic.open_minute, basic.close_minute) == (frozenset(range(5)), 480, 1200)
    assert (trial.days, trial.open_minute, trial.close_minute) == (frozenset(range(5)), 480, 1020)
    assert basic.public_holidays
    assert trial.public_holidays


def test_default_policy_phone_kinds_severities_and_languages() -> None:
    policy = load_policy()
    assert {k: p.phone for k, p in policy.programs.items()} == {
        "premium": True, "production": True, "basic": True, "trial": True, "free": False,
    }  # fmt: skip
    assert [p.key for p in policy.programs.values() if p.round_the_clock_severity_1] == [
        "premium", "production",
    ]  # fmt: skip
    assert [p.key for p in policy.programs.values() if p.dedicated_pdm] == ["premium"]
    assert list(policy.severities) == [1, 2, 3, 4]
    kinds = {k: (c.first_response_target, c.phone) for k, c in policy.case_kinds.items()}
    assert kinds == {
        "technical": (True, True),
        "licensing": (True, True),
        "general_inquiry": (False, False),
        "feature_request": (True, False),
    }
    langs = {k: r.languages for k, r in policy.languages.regions.items()}
    assert langs == {
        "us": ("en", "es"),
        "canada": ("en", "fr"),
        "emea": ("en", "de", "fr", "ru", "es", "it"),
        "apac": ("en", "ja", "zh"),
        "latam": ("en", "es", "pt"),
    }
    fh = policy.languages.flagship_hours
    assert (fh.days, fh.open_minute, fh.close_minute) == (frozenset(range(5)), 480, 1080)
    assert policy.languages.fallback == "en"
    region = policy.languages.region_for_country
    assert [region(c).key for c in ("US", "CA", "DE", "ZA", "AE", "JP", "AU", "BR", "MX")] == [
        "us", "canada", "emea", "emea", "emea", "apac", "apac", "latam", "latam",
    ]  # fmt: skip


def test_policy_to_dict_is_json_ready() -> None:
    import json

    data = load_policy().to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["programs"]["basic"]["targets"]["1"] == {"minutes": 120, "clock": "business_hours"}
    assert data["programs"]["trial"]["targets"]["1"] == {"minutes": None, "clock": "none"}
    assert data["hours"]["basic"]["open"] == "08:00"
    assert len(data["sha256"]) == 64
    assert data["source"] == "default_policy.toml"  # never the server's folders


def test_get_policy_reads_the_operator_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "ours.toml"
    custom.write_text(DEFAULT.replace('version = "2026.1"', 'version = "ops-7"').replace(
        'targets = { 1 = "2h", 2 = "8h", 3 = "12h", 4 = "24h" }',
        'targets = { 1 = "1h30m", 2 = "8h", 3 = "12h", 4 = "24h" }',
    ), encoding="utf-8")  # fmt: skip
    monkeypatch.setenv("SUPPORTDESK_POLICY", str(custom))
    clear_policy_cache()
    try:
        policy = get_policy()
        assert policy.version == "ops-7"
        assert policy.source == str(custom)
        assert policy.programs["basic"].targets[1] == 90
    finally:
        monkeypatch.delenv("SUPPORTDESK_POLICY")
        clear_policy_cache()
    assert get_policy().version == "2026.1"


def _broken(old: str, new: str, count: int = 1) -> str:
    assert old in DEFAULT, old
    return DEFAULT.replace(old, new, count)


# (description, file text, expected key, a phrase the problem must contain)
BROKEN: list[tuple[str, str, str, str]] = [
    ("not TOML", DEFAULT + "\n[programs\n", "", "not valid TOML"),
    ("unknown top-level key", DEFAULT + "\n[extras]\nx = 1\n", "extras", "not a known key"),
    ("missing section", _broken("[policy]\nname", "[meta]\nname"), "meta", "not a known key"),
    (
        "missing policy name",
        _broken('name = "Default support policy"\n', ""),
        "policy.name",
        "is missing",
    ),
    (
        "empty version",
        _broken('version = "2026.1"', 'version = " "'),
        "policy.version",
        "must not be empty",
    ),
    (
        "typo in a program key",
        _broken("dedicated_pdm = true", "dedicated_pmd = true"),
        "programs.premium.dedicated_pmd",
        "not a known key",
    ),
    (
        "bad duration",
        _broken('1 = "2h", 2 = "8h"', '1 = "2 hours", 2 = "8h"'),
        "programs.basic.targets.1",
        "must be a duration",
    ),
    (
        "zero duration",
        _broken('1 = "2h", 2 = "8h"', '1 = "0m", 2 = "8h"'),
        "programs.basic.targets.1",
        "longer than zero",
    ),
    (
        "number as duration",
        _broken('1 = "2h", 2 = "8h"', '1 = 120, 2 = "8h"'),
        "programs.basic.targets.1",
        "not a number",
    ),
    (
        "missing severity target",
        _broken('1 = "2h", 2 = "8h", 3 = "12h", 4 = "24h"', '1 = "2h", 2 = "8h", 3 = "12h"'),
        "programs.basic.targets",
        "no target for severity 4",
    ),
    (
        "target for unknown severity",
        _broken('4 = "24h" }', '4 = "24h", 5 = "48h" }'),
        "programs.basic.targets.5",
        "not a defined severity",
    ),
    (
        "unknown hours",
        _broken('hours = "basic"', 'hours = "office"'),
        "programs.basic.hours",
        "unknown hours 'office'",
    ),
    (
        "duplicate rank",
        _broken("rank = 2", "rank = 3"),
        "programs.basic.rank",
        "same as programs.production.rank",
    ),
    ("rank as text", _broken("rank = 2", 'rank = "2"'), "programs.basic.rank", "whole number"),
    (
        "phone as text",
        _broken("phone = false", 'phone = "no"'),
        "programs.free.phone",
        "true or false",
    ),
    (
        "target on best effort",
        _broken(
            'targets = { 1 = "none", 2 = "none", 3 = "none", 4 = "none" }',
            'targets = { 1 = "none", 2 = "none", 3 = "none", 4 = "1h" }',
        ),
        "programs.free.targets.4",
        "needs a clock",
    ),
    (
        "bad clock",
        _broken('label = "24x7"\nclock = "24x7"', 'label = "24x7"\nclock = "always"'),
        "hours.always.clock",
        "must be one of",
    ),
    (
        "days on a 24x7 clock",
        _broken('label = "24x7"\nclock = "24x7"', 'label = "24x7"\nclock = "24x7"\ndays = ["mon"]'),
        "hours.always.days",
        "no meaning",
    ),
    (
        "bad opening time",
        _broken('open = "08:00"\nclose = "17:00"', 'open = "8am"\nclose = "17:00"'),
        "hours.trial.open",
        "HH:MM",
    ),
    ("hour 25", _broken('close = "17:00"', 'close = "25:00"'), "hours.trial.close", "HH:MM"),
    (
        "24:00 opening",
        _broken('open = "08:00"\nclose = "17:00"', 'open = "24:00"\nclose = "17:00"'),
        "hours.trial.open",
        "HH:MM",
    ),
    (
        "closes before opening",
        _broken('close = "17:00"', 'close = "07:00"'),
        "hours.trial.close",
        "later than open",
    ),
    (
        "unknown day",
        _broken(
            'days = ["mon", "tue", "wed", "thu", "fri"]\nopen = "08:00"\nclose = "17:00"',
            'days = ["mon", "tue", "wed", "thu", "fry"]\nopen = "08:00"\nclose = "17:00"',
        ),
        "hours.trial.days[4]",
        "must be one of",
    ),
    (
        "day twice",
        _broken(
            'days = ["mon", "tue", "wed", "thu", "fri"]\nopen = "08:00"\nclose = "17:00"',
            'days = ["mon", "mon"]\nopen = "08:00"\nclose = "17:00"',
        ),
        "hours.trial.days[1]",
        "twice",
    ),
    (
        "no days",
        _broken(
            'days = ["mon", "tue", "wed", "thu", "fri"]\nopen = "08:00"\nclose = "17:00"',
            'days = []\nopen = "08:00"\nclose = "17:00"',
        ),
        "hours.trial.days",
        "at least one day",
    ),
    (
        "severity gap",
        _broken("[severities.4]", "[severities.5]"),
        "severities",
        "1 to 4 without gaps",
    ),
    (
        "severity not a number",
        _broken("[severities.4]", "[severities.four]"),
        "severities.four",
        "whole numbers",
    ),
    (
        "case kind flag as text",
        _broken(
            'feedback"\nfirst_response_target = false', 'feedback"\nfirst_response_target = "no"'
        ),
        "case_kinds.general_inquiry.first_response_target",
        "true or false",
    ),
    (
        "bad language code",
        _broken('languages = ["en", "ja", "zh"]', 'languages = ["en", "Japanese", "zh"]'),
        "languages.regions.apac.languages[1]",
        "language code",
    ),
    (
        "country in two regions",
        _broken('countries = ["CA"]', 'countries = ["CA", "US"]'),
        "languages.regions.canada.countries[1]",
        "already in languages.regions.us",
    ),
    (
        "bad country code",
        _broken('countries = ["CA"]', 'countries = ["Canada"]'),
        "languages.regions.canada.countries[0]",
        "alpha-2",
    ),
    (
        "two default regions",
        _broken('countries = ["CA"]', 'countries = "*"'),
        "languages.regions.emea.countries",
        "already used by languages.regions.canada",
    ),
    (
        "flagship hours label",
        _broken("flagship_hours = { days", 'flagship_hours = { label = "x", days'),
        "languages.flagship_hours.label",
        "not a known key",
    ),
    (
        "program as a value",
        _broken("[programs.free]\n", "[programs]\nfree = 1\n[programs.x]\n"),
        "programs.free",
        "must be a table",
    ),
]


@pytest.mark.parametrize(
    ("text", "key", "phrase"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_policy_is_refused_naming_file_key_and_problem(
    tmp_path: Path, text: str, key: str, phrase: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    error = caught.value
    assert error.file == str(path)
    assert error.key == key
    assert phrase in error.problem
    assert str(error).startswith(f"{path}: {key + ': ' if key else ''}")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path / "nope.toml")
    assert caught.value.file == str(tmp_path / "nope.toml")
    assert "cannot read the file" in caught.value.problem


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(b"\xff\xfe[policy]")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(path)


def test_toml_error_names_line() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(b"[policy]\nname = \n", "x.toml")
    assert re.search(r"line 2", caught.value.problem)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_give_a_policy_or_a_policy_error(data: bytes) -> None:
    try:
        parse_policy(data, "fuzz.toml")
    except PolicyError as exc:
        error = exc
    else:
        return
    assert error.file == "fuzz.toml"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_mutated_default_gives_a_policy_or_a_policy_error(data: st.DataObject) -> None:
    lines = DEFAULT.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    replacement = data.draw(
        st.sampled_from(
            [
                "x = 1",
                "",
                'open = "99:99"',
                "[hours.x]",
                "rank = 0",
                "targets = {}",
                'clock = "none"',
                'days = "mon"',
            ]
        )
    )
    lines[index] = replacement
    try:
        parse_policy("\n".join(lines).encode(), "mutated.toml")
    except PolicyError as exc:
        error = exc
    else:
        return
    assert error.file == "mutated.toml"
