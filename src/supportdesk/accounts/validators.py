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
