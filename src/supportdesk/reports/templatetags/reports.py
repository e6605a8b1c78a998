"""How a report's table shows a cell: times in the zone the report was asked in (the table
already holds them there), durations in minutes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django import template

register = template.Library()


@register.filter
def cell(value: object) -> object:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M %Z")  # not converted to the active zone again
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.total_seconds() / 60:.0f} min"
    return value
