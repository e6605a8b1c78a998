"""Each report as a table: the table view under every chart and the CSV export share it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from supportdesk.policy.reporting import AGE_BUCKETS, OUTCOME_LABELS
from supportdesk.reports import work
from supportdesk.reports.exports import Cell
from supportdesk.reports.satisfaction import QUESTION_LABELS, QUESTIONS, Satisfaction
from supportdesk.reports.selectors import Attainment, Backlog, Breaches, Distribution, Flow


@dataclass(frozen=True)
class Table:
    caption: str
    header: Sequence[str]
    rows: list[Sequence[Cell]]


def attainment_table(report: Attainment) -> Table:
    header = [report.by, *OUTCOME_LABELS.values(), "Total", "Attainment %"]
    rows: list[Sequence[Cell]] = [
        [r.label, r.met, r.missed, r.pending, r.no_target, r.total, r.attainment]
        for r in [*report.rows, report.all]
    ]
    return Table(f"First-response attainment by {report.by}", header, rows)


def distribution_table(report: Distribution) -> Table:
    rows: list[Sequence[Cell]] = [["met", b.label, b.count] for b in report.spare]
    rows += [["missed", b.label, b.count] for b in report.late]
    return Table("First responses against their due time", ["Outcome", "When", "Cases"], rows)


def breaches_table(report: Breaches, tz: ZoneInfo) -> Table:
    header = [
        "Case",
        "Organization",
        "Program",
        "Severity",
        "Opened",
        "Due",
        "Answered",
        "Late (min)",
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
    return Table(f"Missed first responses ({report.total} in all, latest first)", header, rows)


def backlog_table(report: Backlog) -> Table:
    header = ["State", *(b.label for b in AGE_BUCKETS), "Total"]
    rows: list[Sequence[Cell]] = [
        [r.label, *(r.by_age[b.key] for b in AGE_BUCKETS), r.total] for r in report.rows
    ]
    rows.append(["All open", *(a.count for a in report.ages), sum(a.count for a in report.ages)])
    return Table("Open cases by state and age", header, rows)


def flow_table(report: Flow) -> Table:
    rows: list[Sequence[Cell]] = [[d.day, d.arrivals, d.closures] for d in report.days]
    return Table("Arrivals and closures per day", ["Day", "Opened", "Closed"], rows)


def satisfaction_table(report: Satisfaction) -> Table:
    header = [
        report.by,
        "Sent",
        "Answered",
        "Response rate %",
        *(QUESTION_LABELS[q] for q in QUESTIONS),
    ]
    rows: list[Sequence[Cell]] = [
        [r.label, r.sent, r.answered, r.response_rate, *(r.means[q] for q in QUESTIONS)]
        for r in [*report.rows, report.all]
    ]
    return Table(f"Satisfaction by {report.by} (scores 1 to 5)", header, rows)


def comments_table(report: Satisfaction, tz: ZoneInfo) -> Table:
    rows: list[Sequence[Cell]] = [
        [c.case, c.answered_at.astimezone(tz), c.overall, c.text] for c in report.comments
    ]
    return Table(
        f"Comments ({report.comment_count} in all, latest first)",
        ["Case", "Answered", "Overall", "Comment"],
        rows,
    )


# --- working a case (supportdesk.reports.work) -------------------------------------------------


def contact_closures_table(report: work.ContactClosures) -> Table:
    rows: list[Sequence[Cell]] = [[d.day.isoformat(), d.count] for d in report.days]
    rows.append(["All days", report.total])
    rows.append(["Every case closed in the period", report.all_closures])
    rows.append(["Share closed for want of an answer %", report.share])
    rows += [[f"Contact attempts: {b.label}", b.count] for b in report.attempts]
    return Table(
        "Cases closed for want of an answer (R-29), per day, and the contact attempts",
        ["Day", "Cases"],
        rows,
    )


def resolutions_table(report: work.Resolutions) -> Table:
    rows: list[Sequence[Cell]] = [[r.label, r.count, r.closed, r.lowered] for r in report.rows]
    rows.append(
        [
            "All resolutions",
            report.total,
            sum(r.closed for r in report.rows),
            sum(r.lowered for r in report.rows),
        ]
    )
    rows += [[f"Out of scope: {b.label}", b.count, "", ""] for b in report.out_of_scope]
    return Table(
        "Resolutions given, by type (R-30), and out-of-scope closures by reason (R-31)",
        ["Resolution", "Given", "Closed the case", "Lowered the severity"],
        rows,
    )


def escalations_table(report: work.Escalations) -> Table:
    rows: list[Sequence[Cell]] = [[d.isoformat(), t, m] for d, t, m in report.days]
    rows.append(["All days", report.tier_total, report.manager_total])
    rows += [[f"Tier escalations: {b.label}", b.count, ""] for b in report.tiers]
    rows += [[f"Talk to a manager: {b.label}", "", b.count] for b in report.manager_requests]
    return Table(
        'Tier escalations (R-21) and "talk to a manager" requests (R-32), per day',
        ["Day", "Tier escalations", "Manager requests"],
        rows,
    )


def language_routing_table(report: work.LanguageRouting) -> Table:
    header = ["Customer language", *(label for _, label in work.ROUTING_OUTCOMES), "Total"]
    rows: list[Sequence[Cell]] = [
        [r.language, *(r.counts[k] for k, _ in work.ROUTING_OUTCOMES), r.total]
        for r in [*report.rows, report.all]
    ]
    return Table("How cases were routed against the customer's language (R-20)", header, rows)
