"""Charts of the reports as SVG made on the server: no JavaScript, no charting library.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(``aria-labelledby``), with a ``<title>`` on every bar and point for a pointer's tooltip; the
page shows the same figures as a table under it. Colours come from CSS classes
(``reports/reports.css``): no style attributes and no inline style, which the Content Security
Policy forbids; geometry uses SVG presentation attributes. Every text is escaped. Figures and
their units are written in the active language (``i18n``); titles and labels come translated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from supportdesk.reports import i18n

WIDTH = 720
LABEL_W = 190  # left column for category labels
BAR_H = 22
GAP = 8
TOP = 36  # legend
BOTTOM = 28  # axis labels


@dataclass(frozen=True)
class Series:
    key: str  # also its CSS class: s-<key>
    label: str
    values: Sequence[float]


def nice_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that is >= ``value`` (1 for nothing)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _fmt(value: float) -> str:
    return i18n.number(value)  # as the active language writes figures


def _open(chart_id: str, title: str, desc: str, height: float) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" id="{cid}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def _legend(series: Sequence[Series]) -> list[str]:
    out = ['<g class="legend" aria-hidden="true">']
    x = 10.0
    for s in series:
        out.append(f'<rect class="s-{escape(s.key)}" x="{x:.0f}" y="8" width="12" height="12"/>')
        out.append(f'<text x="{x + 16:.0f}" y="18">{escape(s.label)}</text>')
        x += 28 + 6.6 * len(s.label)
    out.append("</g>")
    return out


def _x_axis(top: float, bottom: float, left: float, right: float, peak: float) -> list[str]:
    out = ['<g class="axis" aria-hidden="true">']
    for i in range(5):
        value = peak * i / 4
        x = left + (right - left) * i / 4
        out.append(f'<line x1="{x:.1f}" y1="{top:.0f}" x2="{x:.1f}" y2="{bottom:.0f}"/>')
        out.append(
            f'<text x="{x:.1f}" y="{bottom + 16:.0f}" text-anchor="middle">{_fmt(value)}</text>'
        )
    out.append("</g>")
    return out


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    unit: str = "cases",
) -> SafeString:
    """One horizontal bar per category, stacked by series."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    peak = nice_max(max(totals, default=0))
    height = TOP + len(categories) * (BAR_H + GAP) + BOTTOM
    left, right = LABEL_W, WIDTH - 20
    scale = (right - left) / peak
    out = _open(chart_id, title, desc, height)
    out += _legend(series)
    out += _x_axis(TOP - 4, height - BOTTOM, left, right, peak)
    for i, category in enumerate(categories):
        y = TOP + i * (BAR_H + GAP)
        out.append('<g class="bar">')
        short = category if len(category) <= 28 else category[:27] + "…"
        out.append(
            f'<text class="category" x="{left - 8}" y="{y + BAR_H * 0.7:.0f}" '
            f'text-anchor="end">{escape(short)}<title>{escape(category)}</title></text>'
        )
        x = float(left)
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            w = value * scale
            out.append(
                f'<rect class="s-{escape(s.key)}" x="{x:.1f}" y="{y}" width="{w:.1f}" '
                f'height="{BAR_H}"><title>{escape(category)}, {escape(s.label)}: '
                f"{escape(i18n.count(value, unit))}</title></rect>"
            )
            x += w
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("\n".join(out))  # noqa: S308 - every text above is escaped


def lines(
    *,
    chart_id: str,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "cases",
) -> SafeString:
    """One line per series over the x labels (days), with a point per value."""
    height = 300
    left, right, top, bottom = 50, WIDTH - 20, TOP, height - BOTTOM
    peak = nice_max(max((v for s in series for v in s.values), default=0))
    n = len(x_labels)

    def px(i: int) -> float:
        return left + (right - left) * (i / (n - 1) if n > 1 else 0.5)

    def py(v: float) -> float:
        return bottom - (bottom - top) * v / peak

    out = _open(chart_id, title, desc, height)
    out += _legend(series)
    out.append('<g class="axis" aria-hidden="true">')
    for k in range(5):
        value = peak * k / 4
        y = py(value)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value)}</text>')
    step = max(1, math.ceil(n / 8))
    for i in range(0, n, step):
        out.append(
            f'<text x="{px(i):.1f}" y="{bottom + 16}" text-anchor="middle">'
            f"{escape(x_labels[i])}</text>"
        )
    out.append("</g>")
    for s in series:
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(s.values))
        out.append(f'<g class="series s-{escape(s.key)}">')
        out.append(f'<polyline class="line" fill="none" points="{points}"/>')
        if n <= 62:
            for i, v in enumerate(s.values):
                out.append(
                    f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3"><title>'
                    f"{escape(x_labels[i])}, {escape(s.label)}: {escape(i18n.count(v, unit))}"
                    "</title></circle>"
                )
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("\n".join(out))  # noqa: S308 - every text above is escaped
