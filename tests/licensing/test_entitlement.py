"""entitlement_for: the facts loaded from the database and what the policy core makes of them
(R-2, R-5 to R-10, R-20, R-21, R-36, R-37)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from supportdesk.licensing.models import License, SupportId
from supportdesk.licensing.selectors import customer_today, entitlement_for
from tests.accounts.factories import OrganizationFactory, PdmFactory
from tests.licensing.factories import (
    LicenseFactory,
    LicenseLineFactory,
    ProductFactory,
    ProductVersionFactory,
    SupportIdFactory,
)

pytestmark = pytest.mark.django_db

# Monday 15 June 2026, 10:00 in Berlin: inside every business window
AT = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)


def _sid(license: License, code: str = "SID-AAAA-BBBB-CCCC") -> SupportId:
    return SupportIdFactory.create(license=license, code=code)


def _license(lines: Sequence[tuple[int, bool, str]] = (), **fields: object) -> License:
    license = LicenseFactory.create(**fields)
    for count, production, level in lines:
        LicenseLineFactory.create(license=license, count=count, production=production, level=level)
    return license


@pytest.mark.parametrize(
    ("lines", "program"),
    [
        ([(10, True, "production")], "production"),
        ([(6, True, "production"), (4, True, "basic")], "basic"),
        ([(8, True, "premium"), (2, True, "premium"), (4, False, "basic")], "premium"),
        ([(8, True, "premium"), (2, True, "production")], "production"),
        ([], "basic"),
    ],
)
def test_the_program_is_the_lowest_level_of_the_production_lines_r7(
    lines: list[tuple[int, bool, str]], program: str
) -> None:
    _sid(_license(lines))

    answer = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=AT)

    assert answer.entitlement.program == program


def test_a_mixed_socket_license_falls_back_to_basic_with_its_hours_and_targets() -> None:
    _sid(_license([(6, True, "production"), (4, True, "basic")]))

    answer = entitlement_for(support_id="sid-aaaa-bbbb-cccc", at=AT).to_dict()

    assert answer["program"] == "basic"
    assert answer["program_label"] == "Basic"
    assert answer["hours"] == "Mon-Fri 08:00-20:00, customer's local business days"
    assert answer["targets"] == {"1": 120, "2": 480, "3": 720, "4": 1440}
    assert answer["phone"] is True
    assert answer["reasons"][0] == (
        "Basic: 4 of 10 production sockets/instances are covered at Basic level, so the "
        "other 6 do not raise the program (R-7)."
    )


def test_the_whole_answer() -> None:
    org = OrganizationFactory.create(
        name="Acme", country="DE", subdivision="BY", time_zone="Europe/Berlin", region="emea"
    )
    product = ProductFactory.create(code="VBR", name="Backup & Replication", is_flagship=True)
    ProductVersionFactory.create(product=product, version="12", ga=date(2024, 1, 1))
    license = _license(
        [(10, True, "production")],
        organization=org,
        product=product,
        valid_from=date(2025, 1, 1),
        maintenance_from=date(2025, 1, 1),
        maintenance_until=date(2026, 12, 31),
    )
    _sid(license)

    answer = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", version="12", at=AT).to_dict()

    assert answer == {
        "support_id": "SID-AAAA-BBBB-CCCC",
        "at": "2026-06-15T08:00:00+00:00",
        "on": "2026-06-15",
        "organization": {
            "id": org.pk,
            "name": "Acme",
            "country": "DE",
            "subdivision": "BY",
            "time_zone": "Europe/Berlin",
            "region": "emea",
        },
        "license": {
            "id": license.pk,
            "license_type": "perpetual",
            "valid_from": "2025-01-01",
            "valid_until": None,
            "maintenance_from": "2025-01-01",
            "maintenance_until": "2026-12-31",
            "lines": [{"count": 10, "production": True, "level": "production"}],
        },
        "product": {"code": "VBR", "name": "Backup & Replication", "is_flagship": True},
        "version": {
            "version": "12",
            "ga": "2024-01-01",
            "end_of_fix": None,
            "end_of_support": None,
            "end_of_sale": None,
        },
        "program": "production",
        "license_active": True,
        "maintenance_active": True,
        "hotfix_access": True,
        "phone": True,
        "lifecycle": "ga",
        "technical_case_allowed": True,
        "licensing_case_allowed": True,
        "offers": [],
        "reasons": [
            "Production: all 10 production sockets/instances are covered at Production level "
            "(R-7).",
            "Hotfixes and patches: available through the maintenance contract of this license "
            "(R-9).",
            "The version is GA/current: full support, updates and fixes (R-36).",
        ],
        "program_label": "Production",
        "hours": "24x7",
        "targets": {"1": 60, "2": 180, "3": 360, "4": 480},
        "dedicated_pdm": False,
        "pdm": None,
        "languages": {
            "languages": ["en", "de", "fr", "ru", "es", "it"],
            "region": "emea",
            "in_language_hours": True,
            "reasons": [
                "Flagship product, Europe, Middle East, Africa, inside local language hours "
                "(08:00-18:00 on business days, Europe/Berlin): L1 in en, de, fr, ru, es, it "
                "(R-20)."
            ],
        },
        "policy_version": "2026.1",
    }


def test_premium_names_the_customers_pdm_r10() -> None:
    pdm = PdmFactory.create(username="paula", first_name="Paula", last_name="Novak")
    _sid(_license([(4, True, "premium")], organization__pdm=pdm))

    answer = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=AT)

    assert answer.entitlement.program == "premium"
    assert answer.pdm == pdm
    assert answer.to_dict()["pdm"] == {"username": "paula", "name": "Paula Novak"}
    assert answer.to_dict()["targets"] == {"1": 30, "2": 30, "3": 30, "4": 30}


def test_a_pdm_is_not_named_below_premium() -> None:
    _sid(_license([(4, True, "production")], organization__pdm=PdmFactory.create()))

    assert entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=AT).pdm is None


def test_lapsed_maintenance_gives_no_program_but_licensing_cases_r8a() -> None:
    _sid(_license([(4, True, "production")], maintenance_until=date(2026, 5, 31)))

    answer = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=AT).to_dict()

    assert (answer["program"], answer["maintenance_active"], answer["phone"]) == (
        None,
        False,
        False,
    )
    assert (answer["technical_case_allowed"], answer["licensing_case_allowed"]) == (False, True)
    assert answer["offers"] == ["renew_maintenance"]
    assert (answer["targets"], answer["hours"], answer["program_label"]) == (None, None, None)


def test_maintenance_of_another_deployment_opens_hotfixes_r9() -> None:
    lapsed = _license([(4, True, "basic")], maintenance_until=date(2026, 5, 31))
    _sid(lapsed)
    LicenseFactory.create(
        organization=lapsed.organization, product=lapsed.product, maintenance_until=date(2027, 1, 1)
    )

    answer = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=AT)

    assert (answer.entitlement.program, answer.entitlement.hotfix_access) == (None, True)


def test_another_customers_or_products_maintenance_does_not_count_r9() -> None:
    lapsed = _license([(4, True, "basic")], maintenance_until=date(2026, 5, 31))
    _sid(lapsed)
    LicenseFactory.create(product=lapsed.product)  # another customer
    LicenseFactory.create(organization=lapsed.organization)  # another product

    assert (
        entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=AT).entitlement.hotfix_access is False
    )


@pytest.mark.parametrize(
    ("valid_until", "program", "offers"),
    [(date(2026, 6, 30), "trial", []), (date(2026, 6, 14), None, ["buy_license"])],
)
def test_a_trial_inside_and_outside_its_period_r8(
    valid_until: date, program: str | None, offers: list[str]
) -> None:
    _sid(
        _license(
            license_type="trial",
            valid_from=date(2026, 6, 1),
            valid_until=valid_until,
            maintenance_from=None,
            maintenance_until=None,
        )
    )

    answer = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=AT).to_dict()

    assert (answer["program"], answer["offers"]) == (program, offers)


@pytest.mark.parametrize("license_type", ["free", "community", "nfr"])
def test_free_community_and_nfr_are_best_effort_without_phone_r9(license_type: str) -> None:
    _sid(_license(license_type=license_type, maintenance_from=None, maintenance_until=None))

    answer = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=AT).to_dict()

    assert (answer["program"], answer["phone"], answer["hotfix_access"]) == ("free", False, False)
    assert answer["targets"] == {"1": None, "2": None, "3": None, "4": None}
    assert answer["hours"] == "Best effort, no hours"


@pytest.mark.parametrize(
    ("dates", "lifecycle", "technical", "offers"),
    [
        ({"ga": date(2026, 7, 1)}, "unreleased", False, []),
        ({"ga": date(2024, 1, 1)}, "ga", True, []),
        ({"ga": date(2024, 1, 1), "end_of_fix": date(2026, 1, 1)}, "end_of_fix", True, []),
        (
            {
                "ga": date(2020, 1, 1),
                "end_of_fix": date(2022, 1, 1),
                "end_of_support": date(2026, 6, 15),
            },
            "end_of_support",
            False,
            ["upgrade"],
        ),
        (
            {"ga": date(2020, 1, 1), "end_of_sale": date(2025, 1, 1)},
            "end_of_sale",
            False,
            ["upgrade"],
        ),
    ],
)
def test_the_versions_lifecycle_r36_r37(
    dates: dict[str, date], lifecycle: str, technical: bool, offers: list[str]
) -> None:
    license = _license([(4, True, "production")])
    _sid(license)
    ProductVersionFactory.create(product=license.product, version="9", **dates)

    answer = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", version="9", at=AT).to_dict()

    assert (answer["lifecycle"], answer["technical_case_allowed"]) == (lifecycle, technical)
    assert answer["offers"] == offers
    assert answer["program"] == "production"


def test_an_unknown_version_names_the_known_ones() -> None:
    license = _license(product__name="Backup & Replication")
    _sid(license)
    ProductVersionFactory.create(product=license.product, version="12", ga=date(2024, 1, 1))
    ProductVersionFactory.create(product=license.product, version="11", ga=date(2022, 1, 1))

    with pytest.raises(ValidationError) as error:
        entitlement_for(support_id="SID-AAAA-BBBB-CCCC", version="13", at=AT)

    assert error.value.message_dict == {
        "version": ["Backup & Replication has no version '13' (known: 11, 12)."]
    }


@pytest.mark.parametrize("code", ["SID-ZZZZ-ZZZZ-ZZZZ", "nonsense", ""])
def test_an_unknown_support_id(code: str) -> None:
    _sid(_license())

    with pytest.raises(SupportId.DoesNotExist, match=r"No such Support ID\."):
        entitlement_for(support_id=code, at=AT)


def test_a_support_id_outside_what_the_caller_sees_is_unknown() -> None:
    _sid(_license())

    with pytest.raises(SupportId.DoesNotExist):
        entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=AT, within=SupportId.objects.none())


def test_a_revoked_support_id_says_so() -> None:
    sid = _sid(_license())
    SupportId.objects.filter(pk=sid.pk).update(revoked_at=datetime(2026, 6, 1, tzinfo=UTC))

    with pytest.raises(ValidationError) as error:
        entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=AT)
    before = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=datetime(2026, 5, 1, tzinfo=UTC))

    assert error.value.message_dict == {
        "support_id": [
            "SID-AAAA-BBBB-CCCC was revoked on 2026-06-01: use the license's current Support ID."
        ]
    }
    assert before.entitlement.program == "basic"  # before it was revoked, it answered


def test_dates_are_the_customers_own_r11() -> None:
    # 30 June 23:30 UTC is already 1 July in Tokyo: maintenance that ended on 30 June is over
    tokyo = OrganizationFactory.create(country="JP", time_zone="Asia/Tokyo", region="apac")
    _sid(
        _license([(4, True, "production")], organization=tokyo, maintenance_until=date(2026, 6, 30))
    )
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)

    answer = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=late)

    assert customer_today(tokyo, late) == date(2026, 7, 1)
    assert (answer.on, answer.entitlement.maintenance_active) == (date(2026, 7, 1), False)


def test_other_products_get_english_first_line_support_r21() -> None:
    _sid(_license(product__is_flagship=False))

    answer = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=AT)

    assert answer.languages.languages == ("en",)


def test_outside_language_hours_first_line_support_is_english_r21() -> None:
    _sid(
        _license(
            product__is_flagship=True,
            organization__country="BR",
            organization__time_zone="America/Sao_Paulo",
            organization__region="latam",
        )
    )
    sunday = datetime(2026, 6, 14, 15, 0, tzinfo=UTC)

    answer = entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=sunday)

    assert (answer.languages.languages, answer.languages.in_language_hours) == (("en",), False)
    assert answer.languages.region.key == "latam"


def test_at_must_carry_an_offset() -> None:
    _sid(_license())

    with pytest.raises(ValidationError) as error:
        entitlement_for(support_id="SID-AAAA-BBBB-CCCC", at=datetime(2026, 6, 15))  # noqa: DTZ001

    assert error.value.message_dict == {"at": ["Give a time with its UTC offset."]}
