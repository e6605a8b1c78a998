"""Entitlement rules (R-5 to R-10, R-36, R-37)."""

from __future__ import annotations

from datetime import date

import pytest

from supportdesk.policy import InputError, load_policy
from supportdesk.policy.entitlement import (
    LicenseFacts,
    SocketLine,
    VersionFacts,
    lifecycle_state,
    program_of_lines,
    resolve_entitlement,
)

POLICY = load_policy()
ON = date(2026, 6, 1)


def paid(*lines: SocketLine, maintenance_until: date | None = date(2027, 1, 1)) -> LicenseFacts:
    return LicenseFacts(
        "perpetual", date(2024, 1, 1), None, date(2025, 1, 1), maintenance_until, lines
    )


def test_r7_every_production_socket_at_production_else_basic() -> None:
    lic = paid(SocketLine(6, True, "production"), SocketLine(4, True, "basic"))
    result = resolve_entitlement(POLICY, lic, on=ON)
    assert result.program == "basic"
    assert result.reasons[0] == (
        "Basic: 4 of 10 production sockets/instances are covered at Basic level, so the other "
        "6 do not raise the program (R-7)."
    )
    all_production = paid(SocketLine(10, True, "production"))
    assert resolve_entitlement(POLICY, all_production, on=ON).program == "production"


def test_r7_premium_only_if_all_are_premium_and_non_production_lines_do_not_lower() -> None:
    assert program_of_lines((SocketLine(3, True, "premium"),))[0] == "premium"
    assert (
        program_of_lines((SocketLine(3, True, "premium"), SocketLine(1, True, "production")))[0]
        == "production"
    )
    level, why = program_of_lines((SocketLine(3, True, "premium"), SocketLine(5, False, "basic")))
    assert level == "premium"
    assert "Non-production lines do not lower it." in why
    assert program_of_lines((SocketLine(2, False, "production"),))[0] == "production"
    assert program_of_lines(())[0] == "basic"
    assert (
        program_of_lines((SocketLine(0, True, "basic"), SocketLine(2, True, "premium")))[0]
        == "premium"
    )


def test_r8a_lapsed_maintenance_gives_no_program_but_licensing_cases() -> None:
    lic = paid(SocketLine(2, True, "production"), maintenance_until=date(2026, 5, 31))
    result = resolve_entitlement(POLICY, lic, on=ON)
    assert result.program is None
    assert (result.technical_case_allowed, result.licensing_case_allowed) == (False, True)
    assert result.offers == ("renew_maintenance",)
    assert not result.phone
    assert "lapsed on 2026-05-31" in result.reasons[0]
    # the last day of the contract still counts
    assert resolve_entitlement(POLICY, lic, on=date(2026, 5, 31)).program == "production"


def test_r8_trial_inside_and_outside_its_period() -> None:
    trial = LicenseFacts("trial", date(2026, 5, 1), date(2026, 5, 31), None, None)
    inside = resolve_entitlement(POLICY, trial, on=date(2026, 5, 31))
    assert (inside.program, inside.technical_case_allowed, inside.phone) == ("trial", True, True)
    outside = resolve_entitlement(POLICY, trial, on=ON)
    assert (outside.program, outside.technical_case_allowed) == (None, False)
    assert outside.offers == ("buy_license",)


@pytest.mark.parametrize("kind", ["free", "community", "nfr"])
def test_r9_free_community_nfr(kind: str) -> None:
    result = resolve_entitlement(
        POLICY, LicenseFacts(kind, date(2026, 1, 1), None, None, None), on=ON
    )
    assert (result.program, result.phone, result.hotfix_access) == ("free", False, False)
    elsewhere = resolve_entitlement(
        POLICY,
        LicenseFacts(kind, date(2026, 1, 1), None, None, None),
        on=ON,
        maintained_elsewhere=True,
    )
    assert elsewhere.hotfix_access is True
    assert "another deployment" in elsewhere.reasons[-1]


def test_r36_lifecycle_states() -> None:
    v = VersionFacts(date(2024, 1, 1), date(2025, 1, 1), date(2026, 1, 1), date(2025, 6, 1))
    assert [lifecycle_state(v, d) for d in (date(2023, 12, 31), date(2024, 1, 1), date(2025, 1, 1),
            date(2025, 6, 1), date(2026, 1, 1))] == [
        "unreleased", "ga", "end_of_fix", "end_of_sale", "end_of_support",
    ]  # fmt: skip


def test_r37_version_past_end_of_support_refuses_technical_cases_with_upgrade_offer() -> None:
    lic = paid(SocketLine(1, True, "premium"))
    eos = VersionFacts(date(2020, 1, 1), date(2022, 1, 1), date(2024, 1, 1))
    result = resolve_entitlement(POLICY, lic, on=ON, version=eos)
    assert result.program == "premium"
    assert (result.technical_case_allowed, result.licensing_case_allowed) == (False, True)
    assert result.offers == ("upgrade",)
    assert result.lifecycle == "end_of_support"
    eof = VersionFacts(date(2020, 1, 1), date(2026, 1, 1), date(2028, 1, 1))
    assert resolve_entitlement(POLICY, lic, on=ON, version=eof).technical_case_allowed is True


def test_bad_facts_name_the_field() -> None:
    with pytest.raises(InputError) as caught:
        resolve_entitlement(POLICY, LicenseFacts("gratis", None, None, None, None), on=ON)
    assert caught.value.field == "license_type"
    with pytest.raises(InputError) as caught:
        program_of_lines((SocketLine(1, True, "gold"),))
    assert caught.value.field == "lines[0].level"


def test_to_dict() -> None:
    data = resolve_entitlement(POLICY, paid(SocketLine(1, True, "basic")), on=ON).to_dict()
    assert data["program"] == "basic"
    assert data["offers"] == []
    assert data["lifecycle"] is None
