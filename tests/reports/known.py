"""The seeded dataset of the report tests: saved once per test, tallied while generated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from supportdesk.cases.models import Case
from supportdesk.reports.dataset import Answers, Org, generate
from supportdesk.reports.selectors import Period
from tests.accounts.factories import OrganizationFactory, PersonFactory
from tests.licensing.factories import ProductFactory

#: The viewer's zone: its days differ from UTC's, and the period crosses the US change to
#: summer time (Sunday 8 March 2026).
VIEWER = ZoneInfo("America/New_York")
FIRST, LAST = date(2026, 3, 1), date(2026, 3, 30)
PERIOD = Period.of_days(FIRST, LAST, VIEWER)
AT = PERIOD.end + timedelta(days=6)
SEED, COUNT = 8, 600


@dataclass
class Known:
    answers: Answers
    period: Period
    at: datetime
    products: list[int]


def known_dataset() -> Known:
    orgs = [
        OrganizationFactory.create(region=region, language=language, country=country, time_zone=tz)
        for region, language, country, tz in (
            ("emea", "de", "DE", "Europe/Berlin"),
            ("us", "en", "US", "America/Chicago"),
            ("apac", "ja", "JP", "Asia/Tokyo"),
            ("latam", "pt", "BR", "America/Sao_Paulo"),
        )
    ]
    products = [ProductFactory.create().pk for _ in range(3)]
    answers = Answers()
    rows = generate(
        seed=SEED,
        count=COUNT,
        start=PERIOD.start,
        end=PERIOD.end,
        at=AT,
        orgs=[Org(o.pk, o.region, o.language, o.country, o.time_zone) for o in orgs],
        products=products,
        opened_by=PersonFactory.create().pk,
        viewer_tz=VIEWER,
        answers=answers,
    )
    Case.objects.bulk_create(Case(**row) for row in rows)
    return Known(answers=answers, period=PERIOD, at=AT, products=products)
