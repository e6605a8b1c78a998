"""The reports' words on a page in the viewer's language.

The selectors, the JSON API and the CSV exports keep their English labels and keys (machine
readable, stable); the pages translate them when they show them. The labels the reports take
from the policy core (pure Python, no Django) are listed here so that ``make messages``
collects them.
"""

from __future__ import annotations

import re
from datetime import date

from django.utils import formats
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext, pgettext_lazy

#: Labels made in English by the policy core and the selectors (reporting outcomes, duration
#: buckets, case states, routing outcomes, survey questions, the rows of all cases).
LABELS = (
    # supportdesk.policy.reporting.OUTCOME_LABELS
    gettext_noop("Met"),
    gettext_noop("Missed"),
    gettext_noop("Not answered yet, not due"),
    gettext_noop("No target (R-18, R-19)"),
    # AGE_BUCKETS, LATENESS_BUCKETS, SPARE_BUCKETS
    gettext_noop("under 1 day"),
    gettext_noop("1 to 3 days"),
    gettext_noop("3 to 7 days"),
    gettext_noop("7 to 30 days"),
    gettext_noop("30 days or more"),
    gettext_noop("under 15 min"),
    gettext_noop("15 min to 1 h"),
    gettext_noop("1 to 4 h"),
    gettext_noop("4 to 24 h"),
    gettext_noop("1 day or more"),
    gettext_noop("under 15 min to spare"),
    gettext_noop("15 min to 1 h to spare"),
    gettext_noop("1 to 4 h to spare"),
    gettext_noop("4 h or more to spare"),
    # supportdesk.policy.case_states.STATE_LABELS
    gettext_noop("New"),
    gettext_noop("In progress"),
    gettext_noop("Waiting for customer"),
    gettext_noop("Waiting for third party"),
    gettext_noop("Resolved"),
    gettext_noop("Closed"),
    # supportdesk.reports.work.ROUTING_OUTCOMES
    gettext_noop("Routed in the customer's language"),
    gettext_noop("English instead of the customer's language"),
    gettext_noop("The customer's language is English"),
    gettext_noop("No routing recorded"),
    # supportdesk.reports.satisfaction.QUESTION_LABELS
    gettext_noop("Case resolution"),
    gettext_noop("Professionalism"),
    gettext_noop("Analyst's knowledge"),
    gettext_noop("Overall satisfaction"),
    # the rows of every case (selectors, satisfaction, work)
    gettext_noop("All cases"),
    gettext_noop("No queue"),
    gettext_noop("all"),  # the language routing's row of every language
)


def label(text: str) -> str:
    """One of LABELS, or a severity row ("Severity 2"), in the active language (other texts,
    names of programs, products or queues, are data and are shown as they are)."""
    if text in _KNOWN:
        return gettext(text)
    severity = _SEVERITY.fullmatch(text)
    if severity:
        return gettext("Severity %(n)s") % {"n": severity[1]}
    return text


_SEVERITY = re.compile(r"Severity (\d)")  # the selectors' label of a severity


_KNOWN = frozenset(LABELS)

#: The dimensions a report groups by: the key (English, also the CSV's first header), and its
#: name on a page.
DIMENSIONS = {
    "program": pgettext_lazy("report dimension", "program"),
    "severity": pgettext_lazy("report dimension", "severity"),
    "product": pgettext_lazy("report dimension", "product"),
    "region": pgettext_lazy("report dimension", "region"),
    "language": pgettext_lazy("report dimension", "language"),
    "kind": pgettext_lazy("report dimension", "kind"),
    "queue": pgettext_lazy("report dimension", "queue"),
    "month": pgettext_lazy("report dimension", "month"),
    "engineer": pgettext_lazy("report dimension", "engineer"),
}


def dimension(key: str) -> str:
    """A dimension's name in the active language; in English, its key itself."""
    return str(DIMENSIONS[key]) if key in DIMENSIONS else key


def day(value: date) -> str:
    """A day on a chart's axis, short ("02 Jun" in English)."""
    return formats.date_format(value, pgettext("chart axis day, date format", "d M"))


def long_day(value: date) -> str:
    """A day in a sentence (a chart's description)."""
    return formats.date_format(value, "DATE_FORMAT")


def number(value: float) -> str:
    """A figure as the active language writes it: whole numbers plain, others to one decimal."""
    if float(value).is_integer():
        return formats.number_format(int(value))
    return formats.number_format(value, 1)


def count(value: float, unit: str) -> str:
    """A figure with its unit, the plural the active language wants ("1 case", "3 cases")."""
    n = number(value)
    whole = int(value) if float(value).is_integer() else 5  # a fraction takes the many form
    if unit == "resolutions":
        return ngettext("%(n)s resolution", "%(n)s resolutions", whole) % {"n": n}
    if unit == "surveys":
        return ngettext("%(n)s survey", "%(n)s surveys", whole) % {"n": n}
    if unit == "of 5":
        return gettext("%(n)s of 5") % {"n": n}
    return ngettext("%(n)s case", "%(n)s cases", whole) % {"n": n}
