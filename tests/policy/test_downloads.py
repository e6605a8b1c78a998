"""Downloads and fixes in the policy core: who may download what (R-9), what may still be
published (R-36), and the upgrade path (R-37)."""

from __future__ import annotations

from datetime import date

import pytest

from supportdesk.policy import InputError, VersionFacts
from supportdesk.policy.entitlement import may_download, may_publish, upgrade_target


@pytest.mark.parametrize(
    ("kind", "licensed", "hotfix_access", "allowed"),
    [
        ("ga_release", True, False, True),
        ("maintenance_release", True, False, True),
        ("hotfix", True, True, True),
        ("hotfix", True, False, False),
        ("ga_release", False, False, False),
        ("hotfix", False, True, False),
    ],
)
def test_who_may_download(kind: str, licensed: bool, hotfix_access: bool, allowed: bool) -> None:
    assert may_download(kind, licensed=licensed, hotfix_access=hotfix_access).allowed is allowed


def test_a_hotfix_without_maintenance_says_why() -> None:
    assert may_download("hotfix", licensed=True, hotfix_access=False).reason == (
        "A hotfix needs an active maintenance contract for at least one deployment of the "
        "product; without one, fixes come with the generally available releases (R-9)."
    )


@pytest.mark.parametrize(
    ("kind", "lifecycle", "allowed"),
    [
        ("ga_release", "unreleased", True),
        ("hotfix", "unreleased", False),
        ("ga_release", "ga", True),
        ("maintenance_release", "ga", True),
        ("hotfix", "ga", True),
        ("hotfix", "end_of_fix", False),
        ("maintenance_release", "end_of_fix", False),
        ("hotfix", "end_of_support", False),
        ("ga_release", "end_of_sale", False),
    ],
)
def test_what_may_still_be_published(kind: str, lifecycle: str, allowed: bool) -> None:
    assert may_publish(kind, lifecycle).allowed is allowed


def test_no_new_fixes_past_end_of_fix_says_why() -> None:
    assert may_publish("hotfix", "end_of_fix").reason == (
        "The version is past End of Fix: no new releases or fixes; the existing ones stay "
        "available (R-36, R-37)."
    )


def test_unknown_kinds_and_states_name_the_field() -> None:
    with pytest.raises(InputError) as kind:
        may_download("patch", licensed=True, hotfix_access=True)
    with pytest.raises(InputError) as state:
        may_publish("hotfix", "beta")
    assert (kind.value.field, state.value.field) == ("kind", "lifecycle")


def test_the_upgrade_path_is_the_newest_current_version_after_it() -> None:
    on = date(2026, 11, 25)
    versions = {
        "11": VersionFacts(ga=date(2021, 1, 1), end_of_support=date(2025, 1, 1)),
        "12": VersionFacts(ga=date(2023, 1, 1), end_of_fix=date(2026, 1, 1)),
        "12.3": VersionFacts(ga=date(2025, 1, 1)),
        "13": VersionFacts(ga=date(2026, 6, 1)),
        "14": VersionFacts(ga=date(2027, 1, 1)),  # not out yet
    }

    assert upgrade_target(versions["11"], versions, on=on) == "13"
    assert upgrade_target(versions["13"], versions, on=on) is None
    assert upgrade_target(versions["11"], {"11": versions["11"]}, on=on) is None
