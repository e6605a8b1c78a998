"""The console's case rows are built in Python (console/rows.py) rather than through the
template engine: they must read exactly as the template's filters would have written them, and
escape every value that comes from a customer or an engineer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from supportdesk.accounts.models import Organization, User
from supportdesk.cases.models import Case
from supportdesk.console.rows import RowBuilder
from supportdesk.licensing.models import Product
from supportdesk.routing.models import Queue
from supportdesk.routing.selectors import CaseLine

AT = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # the weekend Europe moves to summer time


class Cells(HTMLParser):
    """The row's class, its cells' text and the attributes of its elements."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.attrs: dict[str, dict[str, str | None]] = {}
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs.setdefault(tag, dict(attrs))
        if tag == "td":
            self.cells.append("")
            self.attrs[f"td{len(self.cells)}"] = dict(attrs)
            self.inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.cells[-1] += data


def parse(html: str) -> Cells:
    cells = Cells()
    cells.feed(html)
    return cells


def a_case(**kw: object) -> CaseLine:
    values: dict[str, object] = {
        "number": "C-2026-000042",
        "subject": "Backups fail",
        "severity": 2,
        "program": "production",
        "status": "in_progress",
        "tier": "L2",
        "language": "de",
        "first_response_due_at": AT + timedelta(hours=1, minutes=5, seconds=30),
        "first_responded_at": None,
        "organization": Organization(name="Acme"),
        "product": Product(code="BR"),
        "queue": Queue(code="l1-emea"),
        "assignee": User(username="eva"),
    }
    values.update(kw)
    return CaseLine.of(Case(**values))


@pytest.mark.parametrize("language", ["en", "cs"])
@pytest.mark.parametrize(
    "zone", ["UTC", "Europe/Prague", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
)
def test_the_due_time_reads_as_the_date_filter_in_the_viewers_zone_and_language(
    language: str, zone: str
) -> None:
    # every weekday and month, both sides of the daylight-saving changes, half-hour zones
    instants = [AT + timedelta(days=d, hours=h) for d in range(0, 400, 9) for h in (0, 7, 23)]
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        builder = RowBuilder(AT)
        for due in instants:
            expected = date_format(timezone.localtime(due), "D d M H:i T")
            assert builder.due_text(due) == expected, due


def test_a_row_holds_the_cells_of_the_queue_table() -> None:
    with translation.override("en"), timezone.override(ZoneInfo("Europe/Prague")):
        row = RowBuilder(AT).row(a_case())
    cells = parse(row.html)
    assert cells.attrs["tr"]["class"] == "sev-2"
    assert cells.attrs["a"]["href"] == "/console/cases/C-2026-000042/"
    assert cells.cells == [
        "C-2026-000042",
        "Backups fail",
        "Acme",
        "BR",
        "S2",
        "production",
        "In progress",
        "L2 · de",
        "l1-emea",
        "eva",
        "Sat 28 Mar 14:05 CET",
        "in 1 h 05 min",
    ]
    assert cells.attrs["time"]["datetime"] == "2026-03-28T14:05:30+01:00"
    assert cells.attrs["td12"] == {"class": "countdown", "data-due": "2026-03-28T14:05:30+01:00"}
    assert (row.countdown, row.overdue) == ("in 1 h 05 min", False)


def test_overdue_answered_unassigned_and_round_the_clock_rows() -> None:
    with translation.override("cs"), timezone.override(ZoneInfo("UTC")):
        builder = RowBuilder(AT)
        late = builder.row(
            a_case(
                severity=1,
                round_the_clock=True,
                first_response_due_at=AT - timedelta(minutes=12),
                queue=None,
                assignee=None,
                language="",
            )
        )
        answered = builder.row(a_case(first_responded_at=AT - timedelta(hours=1)))
        no_target = builder.row(a_case(first_response_due_at=None))
    cells = parse(late.html)
    assert cells.attrs["tr"]["class"] == "sev-1 round-the-clock overdue"
    assert cells.attrs["span"]["class"] == "badge badge-red"
    assert cells.cells[4] == "S1 24\u00d77"  # the Czech catalogue: a multiplication sign
    assert cells.cells[6] == "Řeší se"
    assert cells.cells[7:10] == ["L2 · en", "—", "—"]
    assert late.overdue
    assert cells.cells[11] == late.countdown == "po termínu o 12 min"
    answered_cells = parse(answered.html)
    assert answered_cells.cells[10:] == ["zodpovězeno", ""]
    assert "data-due" not in answered_cells.attrs["td12"]
    assert not answered.overdue
    assert parse(no_target.html).cells[10:] == ["bez lhůty", ""]


def test_every_value_from_a_person_is_escaped() -> None:
    hostile = "<script>alert(\"x\")</script> & 'quoted'"
    case = a_case(
        subject=hostile,
        organization=Organization(name=hostile),
        queue=Queue(code=hostile),
        assignee=User(username=hostile),
        program=hostile,
        tier=hostile,
        language=hostile,
    )
    with translation.override("en"):
        html = RowBuilder(AT).row(case).html
    assert "<script>" not in html
    cells = parse(html)
    assert cells.cells[1] == cells.cells[2] == cells.cells[5] == cells.cells[8] == hostile
    assert cells.cells[9] == hostile
    assert cells.cells[7] == f"{hostile} · {hostile}"
    assert "script" not in cells.attrs
