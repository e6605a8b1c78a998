"""Portal pages of cases (R-3): the home page with the open cases, the case list, a case with
its public comments and first-response clock, and the forms that reply, ask for another
severity and move the case through its state machine.

Views parse, call one selector or service, and render; the services decide and refuse.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import can_open_cases, is_staff, organizations_visible_to
from supportdesk.attachments import selectors as attachment_selectors
from supportdesk.cases import selectors, services
from supportdesk.cases.models import Case
from supportdesk.cases.permissions import side_of
from supportdesk.errors import Conflict
from supportdesk.policy.case_states import OPEN_STATES, next_states
from supportdesk.portal.case_forms import (
    KIND_LABELS,
    STATUS_LABELS,
    CaseFilterForm,
    CommentForm,
    ManagerRequestForm,
    SeverityRequestForm,
    TransitionForm,
    refusals_onto,
)
from supportdesk.surveys import services as survey_services

PAGE_SIZE = 20


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # behind login_required
    return user


def _visible(request: HttpRequest) -> QuerySet[Case]:
    return selectors.case_list(
        viewer=_user(request), at=timezone.now(), filters=selectors.CaseFilters()
    )


def _case(request: HttpRequest, number: str) -> Case:
    try:
        return selectors.case_get(number, viewer=_user(request), at=timezone.now())
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None


def _decorate(cases: Any) -> list[dict[str, Any]]:
    """Rows for the case tables: the case and its first-response clock in the viewer's zone."""
    tz = timezone.get_current_timezone_name()
    now = timezone.now()
    return [
        {
            "case": case,
            "status": STATUS_LABELS.get(case.status, case.status),
            "clock": selectors.first_response_view(case, time_zone=tz, at=now),
        }
        for case in cases
    ]


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The open cases of the organizations the person sees, soonest due first."""
    user = _user(request)
    now = timezone.now()
    open_cases = _visible(request).filter(status__in=OPEN_STATES)
    count = open_cases.count()
    soonest = open_cases.order_by(
        "first_responded_at", "first_response_due_at", "-opened_at", "-pk"
    )[:PAGE_SIZE]
    may_open = is_staff(user) or any(
        can_open_cases(user, org, at=now) for org in _openable_candidates(user)
    )
    return render(
        request,
        "portal/pages/home.html",
        {
            "title": _("Your support"),
            "rows": _decorate(soonest),
            "count": count,
            "may_open": may_open,
            "time_zone": timezone.get_current_timezone_name(),
        },
    )


def _openable_candidates(user: User) -> Any:
    return organizations_visible_to(user, at=timezone.now()).filter(kind="customer")[:50]


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Every case the person sees, filtered by status, severity and words, a page at a time."""
    form = CaseFilterForm(request.GET or None)
    cases = _visible(request)
    state = "open"
    if form.is_valid():
        state = form.cleaned_data["state"] or "open"
        if form.cleaned_data["severity"]:
            cases = cases.filter(severity=form.cleaned_data["severity"])
        if words := form.cleaned_data["q"].strip():
            cases = cases.filter(Q(number__icontains=words) | Q(subject__icontains=words))
    if state == "open":
        cases = cases.filter(status__in=OPEN_STATES)
    elif state == "done":
        cases = cases.exclude(status__in=OPEN_STATES)
    elif state != "all":
        cases = cases.filter(status=state)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/pages/cases.html",
        {
            "title": _("Cases"),
            "form": form,
            "page": page,
            "rows": _decorate(page),
            "query": query.urlencode(),
        },
        status=422 if form.errors else 200,
    )


def _may_work(user: User, case: Case) -> bool:
    """Whether the portal offers the forms that write (the services check again)."""
    return is_staff(user) or can_open_cases(user, case.organization, at=timezone.now())


def _transitions(case: Case, user: User) -> list[tuple[str, str]]:
    """The moves the state machine allows this person now, as buttons people understand."""
    labels = {
        ("resolved", "closed"): _("Confirm the resolution and close the case"),
        ("resolved", "in_progress"): _("Reopen: the problem is back"),
        ("waiting_for_customer", "in_progress"): _("I have answered: back to support"),
    }
    moves = []
    for target in next_states(case.status, side_of(user)):  # type: ignore[arg-type]
        label = labels.get((case.status, target))
        if label is None:
            label = (
                _("Withdraw and close the case")
                if target == "closed"
                else _("Move to: %(status)s") % {"status": STATUS_LABELS.get(target, target)}
            )
        moves.append((target, label))
    return moves


@login_required
def case_detail(
    request: HttpRequest,
    number: str,
    *,
    forms: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """A case: its facts, its public comments, its first-response clock in the viewer's
    zone with the policy core's explanation, and what the viewer may do next."""
    user = _user(request)
    case = _case(request, number)
    now = timezone.now()
    forms = forms or {}
    may_work = _may_work(user, case)
    comments = selectors.comments_of(case, viewer=user, at=now).filter(internal=False)
    context = {
        "title": f"{case.number} · {case.subject}",
        "case": case,
        "kind": KIND_LABELS.get(case.kind, case.kind),
        "status_label": STATUS_LABELS.get(case.status, case.status),
        "open": case.status in OPEN_STATES,
        "clock": selectors.first_response_view(
            case, time_zone=timezone.get_current_timezone_name(), at=now
        ),
        "comments": comments,
        "may_work": may_work,
        "transitions": _transitions(case, user) if may_work else [],
        "comment_form": forms.get("comment")
        or CommentForm(initial={"expected_version": case.version}),
        "severity_form": forms.get("severity")
        or SeverityRequestForm(initial={"expected_version": case.version}),
        "transition_errors": forms["transition"].errors if "transition" in forms else None,
        "severity_changes": case.severity_changes.select_related("by").order_by("at", "pk"),
        "manager_form": forms.get("manager") or ManagerRequestForm(),
        "manager_requests": case.manager_requests.order_by("requested_at", "pk"),
        "attachments": attachment_selectors.attachments_of(case, viewer=user, at=now),
        "may_attach": may_work and case.status != "closed",
        "upload_chunk_bytes": settings.SUPPORTDESK_PORTAL_UPLOAD_CHUNK_BYTES,
        "survey": _survey_state(case, user, now),
    }
    return render(request, "portal/pages/case.html", context, status=status)


def _survey_state(case: Case, user: User, now: Any) -> str:
    """Whether the closed case's survey (R-34) waits for this person: "open", "answered",
    or "" (no survey of theirs, or the case is not closed)."""
    if case.status != "closed":
        return ""
    try:
        survey_services.survey_of_case(case=case, email=user.email, at=now)
    except survey_services.SurveyAnswered:
        return "answered"
    except (survey_services.SurveyNotFound, survey_services.SurveyExpired):
        return ""
    return "open"


def _refused(
    request: HttpRequest, number: str, name: str, form: Form, exc: Exception
) -> HttpResponse:
    """Show the case again with the service's refusal on the form that caused it."""
    if isinstance(exc, Conflict):
        form.add_error(None, _("Someone changed this case meanwhile: reload it and try again."))
        return case_detail(request, number, forms={name: form}, status=409)
    assert isinstance(exc, ValidationError)
    refusals_onto(form, exc)
    return case_detail(request, number, forms={name: form}, status=422)


def _back(number: str, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("portal:case", args=[number]) + anchor)


@login_required
@require_POST
def case_comment(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return case_detail(request, number, forms={"comment": form}, status=422)
    try:
        services.case_comment_add(
            actor=_user(request),
            case=case,
            body=form.cleaned_data["body"],
            expected_version=form.cleaned_data["expected_version"],
            at=timezone.now(),
        )
    except (ValidationError, Conflict) as exc:
        return _refused(request, number, "comment", form, exc)
    messages.success(request, _("Your reply is on the case."))
    return _back(case.number, "#comments")


@login_required
@require_POST
def case_severity(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    form = SeverityRequestForm(request.POST)
    if not form.is_valid():
        return case_detail(request, number, forms={"severity": form}, status=422)
    try:
        services.case_request_severity(
            actor=_user(request),
            case=case,
            severity=form.cleaned_data["severity"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["expected_version"],
            at=timezone.now(),
        )
    except (ValidationError, Conflict) as exc:
        return _refused(request, number, "severity", form, exc)
    messages.success(
        request,
        _("You asked for Severity %(n)d. Support will agree it with you.")
        % {"n": form.cleaned_data["severity"]},
    )
    return _back(case.number)


@login_required
@require_POST
def case_transition(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return case_detail(request, number, forms={"transition": form}, status=422)
    try:
        services.case_transition(
            actor=_user(request),
            case=case,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["expected_version"],
            at=timezone.now(),
        )
    except (ValidationError, Conflict) as exc:
        return _refused(request, number, "transition", form, exc)
    except ObjectDoesNotExist:  # pragma: no cover - the case was read just above
        raise Http404 from None
    messages.success(
        request,
        _("The case is now: %(status)s.")
        % {"status": STATUS_LABELS.get(form.cleaned_data["status"], "")},
    )
    return _back(case.number)


@login_required
@require_POST
def case_manager(request: HttpRequest, number: str) -> HttpResponse:
    """ "Talk to a manager" (R-32): the request waits in the support managers' queue."""
    case = _case(request, number)
    form = ManagerRequestForm(request.POST)
    if not form.is_valid():
        return case_detail(request, number, forms={"manager": form}, status=422)
    try:
        services.manager_request_open(
            actor=_user(request), case=case, reason=form.cleaned_data["reason"], at=timezone.now()
        )
    except ValidationError as exc:
        return _refused(request, number, "manager", form, exc)
    messages.success(request, _("A support manager will answer you."))
    return _back(case.number, "#manager")
