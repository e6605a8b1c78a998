"""Reads of survey results (R-34: management sees them)."""

from __future__ import annotations

from django.db.models import QuerySet

from supportdesk.surveys.models import Survey


def survey_results() -> QuerySet[Survey]:
    """Answered surveys, newest first, with their case."""
    return (
        Survey.objects.filter(answered_at__isnull=False)
        .select_related("case")
        .order_by("-answered_at", "-pk")
    )
