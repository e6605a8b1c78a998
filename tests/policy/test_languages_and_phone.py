"""Language availability (R-20, R-21) and phone eligibility (R-25, R-26)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from supportdesk.policy import InputError, load_policy, phone_eligibility, support_languages

POLICY = load_policy()


def langs(at: datetime, tz: str, country: str, *, flagship: bool = True, tier: str = "L1",
          subdivision: str | None = None) -> tuple[str, ...]:  # fmt: skip
    return support_languages(
        POLICY,
        flagship=flagship,
        at=at,
        timezone=tz,
        country=country,
        subdivision=subdivision,
        tier=tier,  # type: ignore[arg-type]
    ).languages


@pytest.mark.parametrize(
    ("tz", "country", "expected"),
    [
        ("America/Chicago", "US", ("en", "es")),
        ("America/Montreal", "CA", ("en", "fr")),
        ("Europe/Berlin", "DE", ("en", "de", "fr", "ru", "es", "it")),
        ("Africa/Nairobi", "KE", ("en", "de", "fr", "ru", "es", "it")),
        ("Asia/Tokyo", "JP", ("en", "ja", "zh")),
        ("America/Sao_Paulo", "BR", ("en", "es", "pt")),
    ],
)
def test_r20_flagship_in_local_business_hours(
    tz: str, country: str, expected: tuple[str, ...]
) -> None:
    at = datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo(tz))  # a Wednesday, 10:00 local
    assert langs(at, tz, country) == expected


def test_r20_window_is_08_to_18_local_on_business_days() -> None:
    tz = ZoneInfo("Europe/Berlin")
    assert langs(datetime(2026, 6, 10, 7, 59, tzinfo=tz), "Europe/Berlin", "DE") == ("en",)
    assert "de" in langs(datetime(2026, 6, 10, 8, 0, tzinfo=tz), "Europe/Berlin", "DE")
    assert "de" in langs(datetime(2026, 6, 10, 17, 59, tzinfo=tz), "Europe/Berlin", "DE")
    assert langs(datetime(2026, 6, 10, 18, 0, tzinfo=tz), "Europe/Berlin", "DE") == ("en",)
    assert langs(datetime(2026, 6, 13, 10, 0, tzinfo=tz), "Europe/Berlin", "DE") == ("en",)  # Sat
    # 3 October, German Unity Day (a Friday in 2025)
    assert langs(datetime(2025, 10, 3, 10, 0, tzinfo=tz), "Europe/Berlin", "DE") == ("en",)


def test_r21_english_for_other_products_and_higher_tiers() -> None:
    at = datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert langs(at, "Europe/Paris", "FR", flagship=False) == ("en",)
    assert langs(at, "Europe/Paris", "FR", tier="L2") == ("en",)
    assert langs(at, "Europe/Paris", "FR", tier="L3") == ("en",)
    with pytest.raises(InputError) as caught:
        langs(at, "Europe/Paris", "FR", tier="L4")
    assert caught.value.field == "tier"


def test_languages_reason_cites_the_rule() -> None:
    result = support_languages(
        POLICY, flagship=True, at=datetime(2026, 6, 10, 20, tzinfo=ZoneInfo("Asia/Tokyo")),
        timezone="Asia/Tokyo", country="JP",
    )  # fmt: skip
    assert result.languages == ("en",)
    assert not result.in_language_hours
    assert "R-21" in result.reasons[0]
    assert result.region.key == "apac"


@pytest.mark.parametrize(
    ("program", "kind", "has_number", "allowed"),
    [
        ("premium", "technical", True, True),
        ("production", "licensing", True, True),
        ("basic", "technical", True, True),
        ("trial", "technical", True, True),
        ("free", "technical", True, False),  # not for Free
        ("basic", "general_inquiry", True, False),
        ("basic", "feature_request", True, False),  # technical and licensing only
        ("premium", "technical", False, False),  # needs a case number
        (None, "licensing", True, False),  # no program in force
    ],
)
def test_phone_eligibility(program: str | None, kind: str, has_number: bool, allowed: bool) -> None:
    decision = phone_eligibility(
        POLICY, program=program, case_kind=kind, has_case_number=has_number
    )
    assert decision.allowed is allowed
    assert decision.reasons
    assert all("R-" in r for r in decision.reasons)


def test_phone_eligibility_bad_input() -> None:
    with pytest.raises(InputError) as caught:
        phone_eligibility(POLICY, program="gold", case_kind="technical", has_case_number=True)
    assert caught.value.field == "program"
    with pytest.raises(InputError) as caught:
        phone_eligibility(POLICY, program="basic", case_kind="chat", has_case_number=True)
    assert caught.value.field == "case_kind"
