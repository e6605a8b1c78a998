import re
import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError

# A BCP 47 language tag as people write them: "en", "cs", "pt-BR", "zh-Hant".
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(
            "%(value)s is not an IANA time zone (such as Europe/Prague).",
            code="invalid_time_zone",
            params={"value": value},
        )


def validate_language_tag(value: str) -> None:
    if not _LANGUAGE_TAG.match(value):
        raise ValidationError(
            "%(value)s is not a language tag (such as en, cs or pt-BR).",
            code="invalid_language",
            params={"value": value},
        )


def validate_country(value: str) -> None:
    """An ISO 3166-1 alpha-2 code in upper case that has a public-holiday calendar (R-11)."""
    from supportdesk.policy import InputError, check_country

    try:
        code, _ = check_country(value, None)
    except InputError as exc:
        raise ValidationError(exc.message, code="invalid_country") from None
    if code != value:
        raise ValidationError(
            "%(value)s: write the country code in upper case (%(code)s).",
            code="invalid_country",
            params={"value": value, "code": code},
        )
