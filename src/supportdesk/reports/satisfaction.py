"""Satisfaction (R-34): response rate and the scores of the four questions, aggregated in the
database, with the free-text comments.

The report reads the satisfaction surveys of ``supportdesk.surveys`` through this interface,
the only thing it assumes of them: a model ``surveys.Survey`` with

- ``case`` (the closed case it asks about), ``created_at`` (when it was sent),
  ``answered_at`` (empty until answered);
- ``resolution``, ``professionalism``, ``knowledge``, ``overall``: scores 1 to 5, empty until
  answered (R-34: case resolution, professionalism, the analyst's knowledge, overall);
- ``comment``: the free text.

Where the surveys app is not installed, :func:`survey_model` answers None and the report says
so instead of guessing. By engineer is by the case's assignee when it was closed (a survey is
sent when the case closes, and closed is final, so ``Case.assignee`` is that engineer): the
engineer who worked the case to its end, not the one who happened to answer first. By queue is
the case's queue when it was closed. Both are shown by name.

The period covers the surveys *sent* in it; a month is the viewer's month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth

from supportdesk.cases.models import Case
from supportdesk.reports.selectors import Filters, Period, _labels

QUESTIONS: tuple[str, ...] = ("resolution", "professionalism", "knowledge", "overall")
QUESTION_LABELS = {
    "resolution": "Case resolution",
    "professionalism": "Professionalism",
    "knowledge": "Analyst's knowledge",
    "overall": "Overall satisfaction",
}
DIMENSIONS: tuple[str, ...] = ("program", "month", "engineer", "queue")
SURVEY_MODEL = "surveys.Survey"
_CASE_FIELD = {"engineer": "assignee", "queue": "queue"}


def survey_model() -> type[models.Model] | None:
    """The surveys app's Survey model, or None where it is not installed."""
    if not apps.is_installed("supportdesk.surveys"):
        return None
    app_label, name = SURVEY_MODEL.split(".")
    return apps.get_model(app_label, name)


def available_dimensions() -> tuple[str, ...]:
    return tuple(d for d in DIMENSIONS if d not in _CASE_FIELD or _case_has(_CASE_FIELD[d]))


def _case_has(name: str) -> bool:
    try:
        Case._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


@dataclass(frozen=True)
class SatisfactionRow:
    key: str
    label: str
    sent: int
    answered: int
    means: dict[str, float | None]  # per question, 1 to 5, two decimals

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.sent, 1) if self.sent else None


@dataclass(frozen=True)
class SurveyComment:
    case: str
    answered_at: datetime
    overall: int | None
    text: str


@dataclass(frozen=True)
class Satisfaction:
    by: str
    rows: list[SatisfactionRow]
    all: SatisfactionRow
    comments: list[SurveyComment]  # the latest first, at most ``limit``
    comment_count: int


def _aggregates() -> dict[str, Any]:
    answered = Q(answered_at__isnull=False)
    out: dict[str, Any] = {
        "sent": Count("pk"),
        "answered": Count("pk", filter=answered),
    }
    for q in QUESTIONS:
        out[q] = Avg(q, filter=answered)
    return out


def _row(key: str, label: str, values: dict[str, Any]) -> SatisfactionRow:
    return SatisfactionRow(
        key=key,
        label=label,
        sent=values["sent"],
        answered=values["answered"],
        means={q: None if values[q] is None else round(float(values[q]), 2) for q in QUESTIONS},
    )


def _engineer_labels(keys: list[Any]) -> dict[Any, str]:
    """Each engineer's full name (their user name if they have none)."""
    from supportdesk.accounts.models import User

    names = {
        pk: (f"{first} {last}".strip() or username)
        for pk, first, last, username in User.objects.filter(
            pk__in=[k for k in keys if k]
        ).values_list("pk", "first_name", "last_name", "username")
    }
    return {k: names.get(k, str(k)) if k else "Nobody assigned" for k in keys}


def satisfaction(*, period: Period, by: str, filters: Filters, limit: int = 50) -> Satisfaction:
    model = survey_model()
    if model is None:
        raise LookupError("Satisfaction surveys are not part of this installation yet (R-34).")
    if by not in DIMENSIONS:
        raise ValidationError(
            {"by": [f"Unknown dimension {by!r} (one of: {', '.join(DIMENSIONS)})."]}
        )
    if by not in available_dimensions():
        raise ValidationError(
            {
                "by": [
                    f"Cases do not record their {by} yet: "
                    f"group by {', '.join(available_dimensions())}."
                ]
            }
        )
    surveys = model._default_manager.filter(
        filters.q("case__"), created_at__gte=period.start, created_at__lt=period.end
    ).order_by()
    if by == "month":
        column = "month"
        surveys = surveys.annotate(month=TruncMonth("created_at", tzinfo=period.tz))
    elif by == "program":
        column = "case__program"
    else:
        column = f"case__{_CASE_FIELD[by]}"
    grouped = list(surveys.values(column).annotate(**_aggregates()).order_by(column))
    keys = [g[column] for g in grouped]
    if by == "month":
        labels = {k: k.astimezone(period.tz).strftime("%Y-%m") if k else "—" for k in keys}
    elif by == "program":
        labels = _labels("program", keys)
    elif by == "queue":
        labels = _labels("queue", keys)
    else:
        labels = _engineer_labels(keys)
    rows = [
        _row(str(labels[g[column]] if by == "month" else g[column]), labels[g[column]], g)
        for g in grouped
    ]
    total = _row("all", "All surveys", surveys.aggregate(**_aggregates()))
    commented = surveys.filter(answered_at__isnull=False).exclude(comment="")
    comments = [
        SurveyComment(case=number, answered_at=at, overall=overall, text=text)
        for number, at, overall, text in commented.order_by("-answered_at", "-pk").values_list(
            "case__number", "answered_at", "overall", "comment"
        )[:limit]
    ]
    return Satisfaction(
        by=by, rows=rows, all=total, comments=comments, comment_count=commented.count()
    )
