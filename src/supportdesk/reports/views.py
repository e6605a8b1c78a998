"""The report pages for support staff: charts (SVG made on the server), the same figures as
tables, and CSV exports. Views parse the request, call the selectors and render; days and times
are the viewer's (their time zone, or ``tz``). Pages are in the viewer's language; the CSV
exports stay in English (stable columns for the programs that read them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from supportdesk.accounts.choices import Region
from supportdesk.accounts.models import User
from supportdesk.cases.choices import CaseKind
from supportdesk.policy import get_policy
from supportdesk.policy.reporting import AGE_BUCKETS, OUTCOME_LABELS, OUTCOMES
from supportdesk.reports import (
    charts,
    exports,
    i18n,
    params,
    satisfaction,
    selectors,
    tables,
    work,
)
from supportdesk.reports.charts import Series
from supportdesk.reports.permissions import (
    can_view_satisfaction,
    require_reports,
    require_satisfaction,
)

FILTERS = ("since", "until", "tz", "by", "program", "severity", "product", "region", "kind")
DIMENSION_LABELS = {
    "program": gettext_lazy("Program"),
    "severity": gettext_lazy("Severity"),
    "product": gettext_lazy("Product"),
    "region": gettext_lazy("Region"),
    "language": gettext_lazy("Customer language"),
    "kind": gettext_lazy("Case kind"),
    "queue": gettext_lazy("Queue"),
}


def _parse(request: HttpRequest, *, sla_by: bool = True) -> tuple[params.ReportRequest, Any]:
    user = request.user
    require_reports(user)
    assert isinstance(user, User)
    now = timezone.now()
    g = request.GET
    req = params.parse(
        since=g.get("since"),
        until=g.get("until"),
        tz=g.get("tz"),
        viewer_tz=user.time_zone,
        now=now,
        by=g.get("by") if sla_by else None,
        program=g.get("program"),
        severity=g.get("severity"),
        product=g.get("product"),
        region=g.get("region"),
        kind=g.get("kind"),
    )
    return req, now


def _context(request: HttpRequest, title: str) -> dict[str, Any]:
    query = {k: request.GET[k] for k in FILTERS if request.GET.get(k)}
    return {
        "title": title,
        "query": query,
        "querystring": urlencode(query),
        "dimensions": DIMENSION_LABELS,
        "programs": [(p.key, p.label) for p in get_policy().programs.values()],
        "regions": Region.choices,
        "kinds": CaseKind.choices,
        "can_view_satisfaction": can_view_satisfaction(request.user),
        "satisfaction_dimensions": [
            (key, i18n.dimension(key)) for key in satisfaction.available_dimensions()
        ],
        "since": "",
        "until": "",
        "by": query.get("by", "program"),
        "show_by": False,
    }


def _page(
    request: HttpRequest,
    title: str,
    template: str,
    build: Callable[..., dict[str, Any]],
    *,
    sla_by: bool = True,
) -> HttpResponse:
    context = _context(request, title)
    try:
        req, now = _parse(request, sla_by=sla_by)
        built = build(req, now)
    except ValidationError as refused:
        context["errors"] = [
            f"{field}: {message}"
            for field, msgs in refused.message_dict.items()
            for message in msgs
        ]
        return render(request, template, context, status=400)
    days = req.period.days()
    context.update(
        since=days[0], until=days[-1], tz=req.period.tz.key, at=now.astimezone(req.period.tz)
    )
    context.update(built)
    return render(request, template, context)


@login_required
@require_GET
def sla(request: HttpRequest) -> HttpResponse:
    def build(req: params.ReportRequest, now: Any) -> dict[str, Any]:
        att = selectors.sla_attainment(period=req.period, by=req.by, at=now, filters=req.filters)
        dist = selectors.first_response_distribution(period=req.period, at=now, filters=req.filters)
        br = selectors.breaches(period=req.period, at=now, filters=req.filters)
        by = i18n.dimension(req.by)
        rows = [*att.rows, att.all]
        days = req.period.days()
        return {
            "by": req.by,
            "show_by": True,
            "attainment": att,
            "attainment_chart": charts.stacked_bars(
                chart_id="chart-attainment",
                title=_("First responses by %(by)s: met, missed, pending, no target") % {"by": by},
                desc=_(
                    "Cases opened from %(since)s to %(until)s; %(met)s met, %(missed)s missed, "
                    "%(pending)s pending, %(no_target)s without a target. The table below has "
                    "the figures."
                )
                % {
                    "since": i18n.long_day(days[0]),
                    "until": i18n.long_day(days[-1]),
                    "met": i18n.number(att.all.met),
                    "missed": i18n.number(att.all.missed),
                    "pending": i18n.number(att.all.pending),
                    "no_target": i18n.number(att.all.no_target),
                },
                categories=[i18n.label(r.label) for r in rows],
                series=[
                    Series(o, i18n.label(OUTCOME_LABELS[o]), [getattr(r, o) for r in rows])
                    for o in OUTCOMES
                ],
            ),
            "attainment_table": tables.attainment_table(att),
            "distribution_chart": charts.stacked_bars(
                chart_id="chart-distribution",
                title=_("First responses against their due time"),
                desc=_(
                    "Met first responses by time to spare, and late ones by how late. "
                    "The table below has the figures."
                ),
                categories=[i18n.label(b.label) for b in [*dist.spare, *dist.late]],
                series=[
                    Series("met", _("Met"), [b.count for b in dist.spare] + [0] * len(dist.late)),
                    Series(
                        "missed", _("Late"), [0] * len(dist.spare) + [b.count for b in dist.late]
                    ),
                ],
            ),
            "distribution_table": tables.distribution_table(dist),
            "breaches_chart": charts.stacked_bars(
                chart_id="chart-breaches",
                title=_("Missed first responses by how late"),
                desc=_("%(n)s missed first responses; unanswered ones count how late so far.")
                % {"n": i18n.number(br.total)},
                categories=[i18n.label(b.label) for b in br.by_lateness],
                series=[Series("missed", _("Missed"), [b.count for b in br.by_lateness])],
            ),
            "breaches": br,
            "breaches_table": tables.breaches_table(br, req.period.tz),
        }

    return _page(request, _("SLA attainment"), "reports/pages/sla.html", build)


@login_required
@require_GET
def backlog(request: HttpRequest) -> HttpResponse:
    def build(req: params.ReportRequest, now: Any) -> dict[str, Any]:
        bl = selectors.backlog(at=now, filters=req.filters)
        fl = selectors.flow(period=req.period, filters=req.filters)
        open_total = sum(a.count for a in bl.ages)
        return {
            "backlog_chart": charts.stacked_bars(
                chart_id="chart-backlog",
                title=_("Open cases by state and age"),
                desc=_("%(n)s open cases now, by state, stacked by how long they are open.")
                % {"n": i18n.number(open_total)},
                categories=[i18n.label(r.label) for r in bl.rows],
                series=[
                    Series(b.key, i18n.label(b.label), [r.by_age[b.key] for r in bl.rows])
                    for b in AGE_BUCKETS
                ],
            ),
            "backlog_table": tables.backlog_table(bl),
            "flow_chart": charts.lines(
                chart_id="chart-flow",
                title=_("Cases opened and closed per day"),
                desc=_(
                    "%(opened)s opened and %(closed)s closed from %(since)s to %(until)s, "
                    "days in %(tz)s."
                )
                % {
                    "opened": i18n.number(fl.arrivals),
                    "closed": i18n.number(fl.closures),
                    "since": i18n.long_day(fl.days[0].day),
                    "until": i18n.long_day(fl.days[-1].day),
                    "tz": req.period.tz.key,
                },
                x_labels=[i18n.day(d.day) for d in fl.days],
                series=[
                    Series("arrivals", _("Opened"), [d.arrivals for d in fl.days]),
                    Series("closures", _("Closed"), [d.closures for d in fl.days]),
                ],
            ),
            "flow_table": tables.flow_table(fl),
            "flow": fl,
        }

    return _page(request, _("Backlog and flow"), "reports/pages/backlog.html", build)


@login_required
@require_GET
def work_page(request: HttpRequest) -> HttpResponse:
    """Working a case: closures for want of an answer (R-29), resolution types (R-30, R-31),
    escalations (R-21, R-32) and language routing (R-20)."""

    def build(req: params.ReportRequest, now: Any) -> dict[str, Any]:
        p, f = req.period, req.filters
        cc = work.contact_closures(period=p, filters=f)
        rs = work.resolutions(period=p, filters=f)
        es = work.escalations(period=p, filters=f)
        lr = work.language_routing(period=p, filters=f)
        day_labels = [i18n.day(d) for d in p.days()]
        routing_rows = [*lr.rows, lr.all]
        return {
            "contact_closures": cc,
            "contact_closures_chart": charts.lines(
                chart_id="chart-contact-closures",
                title=_("Cases closed for want of an answer, per day"),
                desc=_(
                    "%(n)s of %(all)s cases closed in the period were closed after three "
                    "unanswered contact attempts (R-29)."
                )
                % {"n": i18n.number(cc.total), "all": i18n.number(cc.all_closures)},
                x_labels=day_labels,
                series=[Series("closures", _("Closed unreachable"), [d.count for d in cc.days])],
            ),
            "contact_closures_table": tables.contact_closures_table(cc),
            "resolutions": rs,
            "resolutions_chart": charts.stacked_bars(
                chart_id="chart-resolutions",
                title=_("Resolutions by type: closing the case or not"),
                desc=_("%(n)s resolutions given in the period. The table has the figures.")
                % {"n": i18n.number(rs.total)},
                categories=[r.label for r in rs.rows],
                series=[
                    Series("met", _("Closed the case"), [r.closed for r in rs.rows]),
                    Series("pending", _("Left it open"), [r.count - r.closed for r in rs.rows]),
                ],
                unit="resolutions",
            ),
            "resolutions_table": tables.resolutions_table(rs),
            "escalations": es,
            "escalations_chart": charts.lines(
                chart_id="chart-escalations",
                title=_("Tier escalations and manager requests per day"),
                desc=_(
                    '%(tier)s tier escalations and %(manager)s "talk to a manager" requests in '
                    "the period."
                )
                % {"tier": i18n.number(es.tier_total), "manager": i18n.number(es.manager_total)},
                x_labels=day_labels,
                series=[
                    Series("arrivals", _("Tier escalations"), [t for _d, t, _m in es.days]),
                    Series("closures", _("Manager requests"), [m for _d, _t, m in es.days]),
                ],
            ),
            "escalations_table": tables.escalations_table(es),
            "language_routing": lr,
            "language_routing_chart": charts.stacked_bars(
                chart_id="chart-language-routing",
                title=_("Cases by the customer's language: routed in it, or in English"),
                desc=_(
                    "Of the cases whose customer speaks another language than English, "
                    "%(percent)s %% were routed in that language. The table has the figures."
                )
                % {
                    "percent": "—"
                    if lr.in_language_percent is None
                    else i18n.number(lr.in_language_percent)
                },
                categories=[i18n.label(r.language) for r in routing_rows],
                series=[
                    Series(css, i18n.label(label), [r.counts[key] for r in routing_rows])
                    for (key, label), css in zip(
                        work.ROUTING_OUTCOMES,
                        ("met", "missed", "pending", "no_target"),
                        strict=True,
                    )
                ],
            ),
            "language_routing_table": tables.language_routing_table(lr),
        }

    return _page(request, _("Working cases"), "reports/pages/work.html", build, sla_by=False)


@login_required
@require_GET
def satisfaction_page(request: HttpRequest) -> HttpResponse:
    """Survey response rate and mean scores (R-34), with the comments: support managers only."""
    require_satisfaction(request.user)

    def build(req: params.ReportRequest, now: Any) -> dict[str, Any]:
        by = request.GET.get("by") or "program"
        report = satisfaction.satisfaction(period=req.period, by=by, filters=req.filters)
        rows = [*report.rows, report.all]
        return {
            "satisfaction": report,
            "responses_chart": charts.stacked_bars(
                chart_id="chart-responses",
                title=_("Surveys answered by %(by)s") % {"by": i18n.dimension(by)},
                desc=_(
                    "%(answered)s of %(sent)s surveys sent in the period were answered. "
                    "The table below has the figures."
                )
                % {
                    "answered": i18n.number(report.all.answered),
                    "sent": i18n.number(report.all.sent),
                },
                categories=[i18n.label(r.label) for r in rows],
                series=[
                    Series("responses", _("Answered"), [r.answered for r in rows]),
                    Series("no_target", _("Not answered"), [r.sent - r.answered for r in rows]),
                ],
                unit="surveys",
            ),
            "score_chart": charts.stacked_bars(
                chart_id="chart-scores",
                title=_("Overall satisfaction by %(by)s, mean score of 5")
                % {"by": i18n.dimension(by)},
                desc=_("The mean answer to the overall question, 1 (worst) to 5 (best)."),
                categories=[i18n.label(r.label) for r in rows],
                series=[Series("score", _("Overall"), [r.means["overall"] or 0 for r in rows])],
                unit="of 5",
            ),
            "satisfaction_table": tables.satisfaction_table(report),
            "comments_table": tables.comments_table(report, req.period.tz),
        }

    try:
        return _page(
            request, _("Satisfaction"), "reports/pages/satisfaction.html", build, sla_by=False
        )
    except LookupError as missing:
        context = _context(request, _("Satisfaction"))
        context["errors"] = [str(missing)]
        return render(request, "reports/pages/satisfaction.html", context, status=404)


def _table(name: str, req: params.ReportRequest, now: Any, by: str) -> tables.Table:
    f, p = req.filters, req.period
    if name == "satisfaction":
        return tables.satisfaction_table(satisfaction.satisfaction(period=p, by=by, filters=f))
    if name == "comments":
        report = satisfaction.satisfaction(period=p, by="program", filters=f)
        return tables.comments_table(report, p.tz)
    if name == "sla":
        return tables.attainment_table(
            selectors.sla_attainment(period=p, by=req.by, at=now, filters=f)
        )
    if name == "distribution":
        return tables.distribution_table(
            selectors.first_response_distribution(period=p, at=now, filters=f)
        )
    if name == "breaches":
        return tables.breaches_table(selectors.breaches(period=p, at=now, filters=f), p.tz)
    if name == "backlog":
        return tables.backlog_table(selectors.backlog(at=now, filters=f))
    if name == "flow":
        return tables.flow_table(selectors.flow(period=p, filters=f))
    if name == "contact-closures":
        return tables.contact_closures_table(work.contact_closures(period=p, filters=f))
    if name == "resolutions":
        return tables.resolutions_table(work.resolutions(period=p, filters=f))
    if name == "escalations":
        return tables.escalations_table(work.escalations(period=p, filters=f))
    if name == "language-routing":
        return tables.language_routing_table(work.language_routing(period=p, filters=f))
    raise Http404(name)


CSV_REPORTS = (
    "sla",
    "distribution",
    "breaches",
    "backlog",
    "flow",
    "satisfaction",
    "comments",
    "contact-closures",
    "resolutions",
    "escalations",
    "language-routing",
)


@login_required
@require_GET
def csv_export(request: HttpRequest, name: str) -> HttpResponse:
    """The table of one report as CSV, safe to open in a spreadsheet."""
    if name not in CSV_REPORTS:
        raise Http404(name)
    if name in ("satisfaction", "comments"):
        require_satisfaction(request.user)
    by = request.GET.get("by") or "program"
    try:
        req, now = _parse(request, sla_by=name not in ("satisfaction", "comments"))
        with translation.override("en"):  # stable English columns and labels, any viewer
            table = _table(name, req, now, by)
    except ValidationError as refused:
        text = "; ".join(f"{k}: {' '.join(v)}" for k, v in refused.message_dict.items())
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    except LookupError as missing:
        raise Http404(str(missing)) from None
    days = req.period.days()
    response = HttpResponse(
        exports.to_csv(table.header, table.rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"{name}-{days[0]}-{days[-1]}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
