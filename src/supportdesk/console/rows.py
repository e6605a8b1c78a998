"""The console's case rows (my cases, team queues, the manager's lists), built in Python.

A queue page is 50 rows of twelve cells; through the template engine each cell is a variable
lookup, a filter or a tag, and the rows were three quarters of the page's time. Here the
per-request parts (the translated words, the case link's prefix, the month and weekday names in
the viewer's language) are worked out once, and each row is one ``format_html`` that escapes
every value (the standard library's ``html.escape``, which Django's ``escape`` wraps), as
Django's admin builds its change-list rows. The markup is the one the
``console/partials/queue_rows.html`` template places; the due time reads as the ``date``
filter's ``"D d M H:i T"`` in the viewer's zone (a test holds the two equal)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from supportdesk.cases.choices import CaseStatus
from supportdesk.cases.models import Case
from supportdesk.routing.selectors import CaseLine

_PLACEHOLDER = "C-0"

_ROW = (
    '<tr class="{classes}">'
    '<td><a href="{href}">{number}</a></td>'
    "<td>{subject}</td>"
    "<td>{customer}</td>"
    "<td>{product}</td>"
    "<td>S{severity}{badge}</td>"
    "<td>{program}</td>"
    "<td>{status}</td>"
    "<td>{tier} · {language}</td>"
    "<td>{queue}</td>"
    "<td>{engineer}</td>"
    "<td>{due}</td>"
    '<td class="countdown"{due_attribute}>{countdown}</td>'
    "</tr>"
)


def countdown(due: datetime | None, at: datetime) -> str:
    """'in 1 h 05 min', 'overdue by 12 min' or '' (no target), in the viewer's language;
    console.js keeps it live with the same words (the page's data-countdown-* attributes)."""
    if due is None:
        return ""
    seconds = int((due - at).total_seconds())
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    text = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    return (
        gettext("in %(span)s") % {"span": text}
        if seconds >= 0
        else gettext("overdue by %(span)s") % {"span": text}
    )


@dataclass(frozen=True)
class Row:
    case: CaseLine
    countdown: str
    overdue: bool
    html: SafeString


class RowBuilder:
    """Builds the rows of one response: in the language and time zone active when made."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.zone = timezone.get_current_timezone()
        self.href = reverse("console:case", args=[_PLACEHOLDER]).replace(_PLACEHOLDER, "{}")
        self.weekdays = [str(WEEKDAYS_ABBR[day]) for day in range(7)]
        self.months = [str(MONTHS_3[month]).title() for month in range(1, 13)]
        self.statuses = {value: gettext(label) for value, label in CaseStatus.choices}
        self.answered = escape(gettext("answered"))
        self.no_target = escape(gettext("no target"))
        self.badge = f' <span class="badge badge-red">{escape(gettext("24x7"))}</span>'

    def due_text(self, due: datetime) -> str:
        """The ``date`` filter's ``"D d M H:i T"`` of ``due`` in the viewer's zone."""
        return self._local_text(timezone.localtime(due, self.zone))

    def _local_text(self, local: datetime) -> str:
        return (
            f"{self.weekdays[local.weekday()]} {local.day:02d} {self.months[local.month - 1]} "
            f"{local.hour:02d}:{local.minute:02d} {local.tzname() or ''}"
        ).rstrip()

    def row(self, case: CaseLine) -> Row:
        at = self.at
        due = case.first_response_due_at
        unanswered = case.first_responded_at is None
        overdue = unanswered and due is not None and due < at
        left = countdown(due if unanswered else None, at)
        classes = f"sev-{case.severity}"
        if case.round_the_clock:
            classes += " round-the-clock"
        if overdue:
            classes += " overdue"
        local = timezone.localtime(due, self.zone) if due is not None else None
        local_iso = local.isoformat() if local is not None else ""
        if not unanswered:
            when = self.answered
        elif local is not None:
            when = f'<time datetime="{local_iso}">{escape(self._local_text(local))}</time>'
        else:
            when = self.no_target
        html = _ROW.format(
            classes=classes,
            href=escape(self.href.format(quote(case.number))),
            number=escape(case.number),
            subject=escape(case.subject),
            customer=escape(case.organization_name),
            product=escape(case.product_code),
            severity=int(case.severity),
            badge=self.badge if case.round_the_clock else "",
            program=escape(case.program),
            status=escape(self.statuses.get(case.status, case.status)),
            tier=escape(case.tier),
            language=escape(case.language or "en"),
            queue=escape(case.queue_code or "—"),
            engineer=escape(case.assignee_username or "—"),
            due=when,
            due_attribute=f' data-due="{local_iso}"' if left else "",
            countdown=escape(left),
        )
        return Row(case, left, overdue, mark_safe(html))  # noqa: S308  (every value escaped)

    def rows(self, cases: Iterable[Case | CaseLine]) -> list[Row]:
        return [self.row(c if isinstance(c, CaseLine) else CaseLine.of(c)) for c in cases]


def case_rows(cases: Iterable[Case | CaseLine], at: datetime) -> list[Row]:
    return RowBuilder(at).rows(cases)
