"""Each report as a table: the table view under every chart and the CSV export share it.

Captions, headings and the labels of rows are in the active language; the CSV export builds
its table in English (``views.csv_export``), so its columns stay stable for the machines that
read them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from supportdesk.policy.reporting import AGE_BUCKETS, OUTCOME_LABELS
from supportdesk.reports import i18n, work
from supportdesk.reports.exports import Cell
from supportdesk.reports.satisfaction import QUESTION_LABELS, QUESTIONS, Satisfaction
from supportdesk.reports.selectors import Attainment, Backlog, Breaches, Distribution, Flow


@dataclass(frozen=True)
class Table:
    caption: str
    header: Sequence[str]
    rows: list[Sequence[Cell]]


def attainment_table(report: Attainment) -> Table:
    header = [
        i18n.dimension(report.by),
        *(i18n.label(o) for o in OUTCOME_LABELS.values()),
        _("Total"),
        _("Attainment %"),
    ]
    rows: list[Sequence[Cell]] = [
        [i18n.label(r.label), r.met, r.missed, r.pending, r.no_target, r.total, r.attainment]
        for r in report.rows
    ]
    a = report.all
    rows.append(
        [i18n.label(a.label), a.met, a.missed, a.pending, a.no_target, a.total, a.attainment]
    )
    return Table(
        _("First-response attainment by %(by)s") % {"by": i18n.dimension(report.by)}, header, rows
    )


def distribution_table(report: Distribution) -> Table:
    met, missed = _("met"), _("missed")
    rows: list[Sequence[Cell]] = [[met, i18n.label(b.label), b.count] for b in report.spare]
    rows += [[missed, i18n.label(b.label), b.count] for b in report.late]
    return Table(
        _("First responses against their due time"), [_("Outcome"), _("When"), _("Cases")], rows
    )


def breaches_table(report: Breaches, tz: ZoneInfo) -> Table:
    header = [
        _("Case"),
        _("Organization"),
        _("Program"),
        _("Severity"),
        _("Opened"),
        _("Due"),
        _("Answered"),
        _("Late (min)"),
    ]
    rows: list[Sequence[Cell]] = [
        [
            b.number,
            b.organization,
            b.program,
            b.severity,
            b.opened_at.astimezone(tz),
            b.due_at.astimezone(tz),
            b.responded_at.astimezone(tz) if b.responded_at else None,
            b.late_by,
        ]
        for b in report.worst
    ]
    caption = _("Missed first responses (%(n)s in all, latest first)") % {
        "n": i18n.number(report.total)
    }
    return Table(caption, header, rows)


def backlog_table(report: Backlog) -> Table:
    header = [_("State"), *(i18n.label(b.label) for b in AGE_BUCKETS), _("Total")]
    rows: list[Sequence[Cell]] = [
        [i18n.label(r.label), *(r.by_age[b.key] for b in AGE_BUCKETS), r.total] for r in report.rows
    ]
    ages = [a.count for a in report.ages]
    rows.append([_("All open"), *ages, sum(ages)])
    return Table(_("Open cases by state and age"), header, rows)


def flow_table(report: Flow) -> Table:
    rows: list[Sequence[Cell]] = [[d.day, d.arrivals, d.closures] for d in report.days]
    return Table(_("Arrivals and closures per day"), [_("Day"), _("Opened"), _("Closed")], rows)


def satisfaction_table(report: Satisfaction) -> Table:
    header = [
        i18n.dimension(report.by),
        _("Sent"),
        _("Answered"),
        _("Response rate %"),
        *(i18n.label(QUESTION_LABELS[q]) for q in QUESTIONS),
    ]
    rows: list[Sequence[Cell]] = [
        [r.label, r.sent, r.answered, r.response_rate, *(r.means[q] for q in QUESTIONS)]
        for r in report.rows
    ]
    a = report.all
    rows.append(
        [i18n.label(a.label), a.sent, a.answered, a.response_rate, *(a.means[q] for q in QUESTIONS)]
    )
    caption = _("Satisfaction by %(by)s (scores 1 to 5)") % {"by": i18n.dimension(report.by)}
    return Table(caption, header, rows)


def comments_table(report: Satisfaction, tz: ZoneInfo) -> Table:
    rows: list[Sequence[Cell]] = [
        [c.case, c.answered_at.astimezone(tz), c.overall, c.text] for c in report.comments
    ]
    return Table(
        _("Comments (%(n)s in all, latest first)") % {"n": i18n.number(report.comment_count)},
        [_("Case"), _("Answered"), _("Overall"), _("Comment")],
        rows,
    )


# --- working a case (supportdesk.reports.work) -------------------------------------------------


def contact_closures_table(report: work.ContactClosures) -> Table:
    rows: list[Sequence[Cell]] = [[d.day.isoformat(), d.count] for d in report.days]
    rows.append([_("All days"), report.total])
    rows.append([_("Every case closed in the period"), report.all_closures])
    rows.append([_("Share closed for want of an answer %"), report.share])
    rows += [
        [_("Contact attempts: %(outcome)s") % {"outcome": b.label}, b.count]
        for b in report.attempts
    ]
    return Table(
        _("Cases closed for want of an answer (R-29), per day, and the contact attempts"),
        [_("Day"), _("Cases")],
        rows,
    )


def resolutions_table(report: work.Resolutions) -> Table:
    rows: list[Sequence[Cell]] = [[r.label, r.count, r.closed, r.lowered] for r in report.rows]
    rows.append(
        [
            _("All resolutions"),
            report.total,
            sum(r.closed for r in report.rows),
            sum(r.lowered for r in report.rows),
        ]
    )
    rows += [
        [_("Out of scope: %(reason)s") % {"reason": b.label}, b.count, "", ""]
        for b in report.out_of_scope
    ]
    return Table(
        _("Resolutions given, by type (R-30), and out-of-scope closures by reason (R-31)"),
        [_("Resolution"), _("Given"), _("Closed the case"), _("Lowered the severity")],
        rows,
    )


def escalations_table(report: work.Escalations) -> Table:
    rows: list[Sequence[Cell]] = [[d.isoformat(), t, m] for d, t, m in report.days]
    rows.append([_("All days"), report.tier_total, report.manager_total])
    rows += [
        [_("Tier escalations: %(tier)s") % {"tier": b.label}, b.count, ""] for b in report.tiers
    ]
    rows += [
        [_("Talk to a manager: %(status)s") % {"status": b.label}, "", b.count]
        for b in report.manager_requests
    ]
    return Table(
        _('Tier escalations (R-21) and "talk to a manager" requests (R-32), per day'),
        [_("Day"), _("Tier escalations"), _("Manager requests")],
        rows,
    )


def language_routing_table(report: work.LanguageRouting) -> Table:
    keys = [key for key, _label in work.ROUTING_OUTCOMES]
    header = [
        _("Customer language"),
        *(i18n.label(label) for _key, label in work.ROUTING_OUTCOMES),
        _("Total"),
    ]
    rows: list[Sequence[Cell]] = [
        [i18n.label(r.language), *(r.counts[k] for k in keys), r.total]
        for r in [*report.rows, report.all]
    ]
    return Table(_("How cases were routed against the customer's language (R-20)"), header, rows)
