"""Public portal pages. Views parse input, call the policy core or one service, and render."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from supportdesk.policy import InputError, first_response, get_policy, zone
from supportdesk.portal.forms import FirstResponseForm
from supportdesk.routing.phone import directory

DEFAULT_TZ = "Europe/Prague"
DEFAULTS: dict[str, object] = {
    "program": "basic",
    "severity": 2,
    "country": "CZ",
    "timezone": DEFAULT_TZ,
}


@require_GET
def when(request: HttpRequest) -> HttpResponse:
    """ "When will we answer?": pick a program, severity, country and time; see the due time
    of the first response and why (R-11, R-16 to R-19)."""
    context: dict[str, Any] = {"title": _("When will we answer?"), "policy": get_policy()}
    if "program" in request.GET:
        form = FirstResponseForm(request.GET)
        if form.is_valid():
            context["result"] = _answer(form)
    else:
        tz = ZoneInfo(DEFAULT_TZ)
        now = dj_timezone.now().astimezone(tz).replace(second=0, microsecond=0, tzinfo=None)
        form = FirstResponseForm(initial={**DEFAULTS, "opened_at": now})
    context["form"] = form
    partial = bool(request.headers.get("HX-Request"))
    template = "portal/partials/when_result.html" if partial else "portal/pages/when.html"
    # an htmx swap needs a 200 to show the field errors; a plain form post-back says 422
    status = 422 if (form.is_bound and form.errors and not partial) else 200
    return render(request, template, context, status=status)


def _answer(form: FirstResponseForm) -> dict[str, Any] | None:
    data = form.cleaned_data
    tz_name = data["timezone"]
    opened: datetime = data["opened_at"]
    # the form reads the time as the customer's local wall time, whatever Django's zone is
    local = opened.replace(tzinfo=None) if opened.tzinfo else opened
    try:
        result = first_response(
            get_policy(),
            program=data["program"],
            severity=data["severity"],
            opened_at=local.replace(tzinfo=zone(tz_name)),
            timezone=tz_name,
            country=data["country"],
            subdivision=data["subdivision"] or None,
            explain=True,
        )
    except InputError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    viewer = None
    viewer_name = data.get("viewer_tz") or ""
    if viewer_name and viewer_name != tz_name:
        try:
            viewer = zone(viewer_name)
        except InputError:
            viewer = None
    return {
        "answer": result,
        "due_viewer": result.due_at.astimezone(viewer) if (viewer and result.due_at) else None,
        "viewer_tz": viewer.key if viewer else None,
        "segments": result.segments or (),
    }


@require_GET
def support_numbers(request: HttpRequest) -> HttpResponse:
    """The support numbers to call, per country: toll-free or local, as dialled from abroad
    and inside the country (R-26). Public: a caller needs them before signing in."""
    language = (request.LANGUAGE_CODE or "en").split("-")[0]
    return render(
        request,
        "portal/pages/phone.html",
        {"title": _("Call support"), "countries": directory(language=language)},
    )
