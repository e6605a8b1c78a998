"""Value types the API's schemas share."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

from supportdesk.policy.sla import FIRST_YEAR, LAST_YEAR


def _within_the_calendar(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"give a time between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


#: An instant with its UTC offset, within the years the support calendar computes in.
Instant = Annotated[AwareDatetime, AfterValidator(_within_the_calendar)]
