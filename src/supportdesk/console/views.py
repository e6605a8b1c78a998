"""The engineer console: my cases, team queues, the case page and its actions, the manager
view. Views parse, call one selector or service, and render; times are in the viewer's zone
(the middleware activates it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import is_staff
from supportdesk.cases import services as case_services
from supportdesk.cases.choices import (
    ContactChannel,
    ContactOutcome,
    DiagnosticsKind,
    OutOfScope,
    ResolutionType,
    ThirdPartyAction,
)
from supportdesk.cases.models import Case
from supportdesk.cases.selectors import first_response_view, manager_requests_open
from supportdesk.console import forms
from supportdesk.console.rows import case_rows, countdown
from supportdesk.errors import Conflict
from supportdesk.licensing.models import Product
from supportdesk.policy import get_policy
from supportdesk.policy.case_states import STATE_LABELS, next_states
from supportdesk.routing import selectors
from supportdesk.routing import services as routing_services
from supportdesk.routing.permissions import console_cases_visible_to, is_manager, queues_of

View = Callable[..., HttpResponse]


def staff_only(view: View) -> View:
    """Anonymous visitors sign in first; customers and partners never see the console."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "portal:login")
        if not is_staff(request.user):
            raise PermissionDenied(_("The console is for support staff."))
        return view(request, *args, **kwargs)

    return wrapped


def _queue_page(request: HttpRequest, *, mine: bool, title: str) -> HttpResponse:
    at = timezone.now()
    queues = selectors.console_queues_for(request.user)
    form = forms.QueueFilterForm(
        request.GET or None,
        queues=[(q.pk, q.name) for q in queues],
        programs=list(get_policy().programs),
        products=list(Product.objects.order_by("name").values_list("code", "name")),
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = selectors.QueueFilters(
        queue=data.get("queue"),
        program=data.get("program") or None,
        severity=data.get("severity"),
        product=data.get("product") or None,
        language=data.get("language") or None,
        breached=data.get("breached"),
        waiting=data.get("waiting"),
        mine=mine,
    )
    rows = case_rows(selectors.console_queue(viewer=request.user, at=at, filters=filters), at)
    context = {"title": title, "form": form, "rows": rows, "at": at, "mine": mine}
    context["rows_id"] = "queue-rows"
    status = 422 if form.is_bound and form.errors else 200
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "queue-rows":
        return render(request, "console/partials/queue_rows.html", context, status=status)
    return render(request, "console/pages/queue.html", context, status=status)


@staff_only
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, mine=True, title=_("My cases"))


@staff_only
@require_GET
def team_queue(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, mine=False, title=_("Team queue"))


def _case(request: HttpRequest, number: str) -> Case:
    try:
        return (
            console_cases_visible_to(request.user)
            .select_related(
                "organization", "product", "product_version", "queue", "assignee", "opened_by"
            )
            .get(number=number.strip().upper())
        )
    except Case.DoesNotExist:
        raise Http404(f"No case {number}.") from None


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    at = timezone.now()
    viewer: User = request.user  # type: ignore[assignment]
    context = {
        "title": f"{case.number} {case.subject}",
        "case": case,
        "at": at,
        "clock": first_response_view(case, time_zone=viewer.time_zone, at=at),
        "countdown": countdown(
            case.first_response_due_at if case.first_responded_at is None else None, at
        ),
        "timeline": selectors.case_timeline(case),
        "hand_over_by": selectors.hand_over_due(case, at=at),
        "choices": {
            "channels": ContactChannel.choices,
            "outcomes": ContactOutcome.choices,
            "diagnostics": DiagnosticsKind.choices,
            "third_party": ThirdPartyAction.choices,
            "resolutions": ResolutionType.choices,
            "out_of_scope": OutOfScope.choices,
        },
        "moves": [(s, STATE_LABELS[s]) for s in next_states(case.status, "engineer")],
        "suggestions": selectors.suggestions_for(case, at=at),
        "engineers": selectors.engineers_for_assignment(),
        "errors": errors or {},
    }
    return render(request, "console/pages/case.html", context, status=status)


@staff_only
@require_GET
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _case_page(request, _case(request, number))


def _act(request: HttpRequest, case: Case, form_class: type[forms.VersionForm]) -> dict[str, Any]:
    form = form_class(request.POST)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.cleaned_data


#: every action of the case page, each a branch of ``_do`` (the security matrix tries each)
CASE_ACTIONS = (
    "take",
    "assign",
    "escalate",
    "transition",
    "comment",
    "severity",
    "contact-attempt",
    "diagnostics",
    "third-party",
    "resolve",
)


def _do(action: str, request: HttpRequest, case: Case, at: datetime) -> None:
    user = request.user
    if action not in CASE_ACTIONS:
        raise Http404(f"No action {action}.")
    if action == "take":
        data = _act(request, case, forms.VersionForm)
        routing_services.case_take(
            actor=user, case=case, expected_version=data["expected_version"], at=at
        )
    elif action == "assign":
        data = _act(request, case, forms.AssignForm)
        assignee = None
        if data["assignee"] is not None:
            assignee = User.objects.filter(pk=data["assignee"], is_staff=True).first()
            if assignee is None:
                raise ValidationError({"assignee": [_("No such support engineer.")]})
        routing_services.case_assign(
            actor=user,
            case=case,
            assignee=assignee,
            note=data["note"],
            expected_version=data["expected_version"],
            at=at,
        )
    elif action == "escalate":
        data = _act(request, case, forms.EscalateForm)
        routing_services.case_escalate(
            actor=user,
            case=case,
            reason=data["reason"],
            expected_version=data["expected_version"],
            at=at,
        )
    elif action == "transition":
        data = _act(request, case, forms.TransitionForm)
        case_services.case_transition(
            actor=user,
            case=case,
            status=data["status"],
            expected_version=data["expected_version"],
            at=at,
        )
    elif action == "comment":
        data = _act(request, case, forms.CommentForm)
        case_services.case_comment_add(
            actor=user,
            case=case,
            body=data["body"],
            internal=data["internal"],
            expected_version=data["expected_version"],
            at=at,
        )
    elif action == "severity":
        data = _act(request, case, forms.SeverityForm)
        case_services.case_agree_severity(
            actor=user,
            case=case,
            severity=data["severity"],
            reason=data["reason"],
            expected_version=data["expected_version"],
            at=at,
        )
    elif action == "contact-attempt":
        data = _act(request, case, forms.ContactAttemptForm)
        case_services.contact_attempt_log(
            actor=user,
            case=case,
            channel=data["channel"],
            outcome=data["outcome"],
            note=data["note"],
            expected_version=data["expected_version"],
            at=at,
        )
    elif action == "diagnostics":
        data = _act(request, case, forms.DiagnosticsForm)
        case_services.diagnostics_request(
            actor=user,
            case=case,
            kind=data["kind"],
            what=data["what"],
            session_at=data["session_at"],
            expected_version=data["expected_version"],
            at=at,
        )
    elif action == "third-party":
        data = _act(request, case, forms.ThirdPartyForm)
        case_services.third_party_record(
            actor=user,
            case=case,
            vendor=data["vendor"],
            action=data["action"],
            product=data["product"],
            reference=data["reference"],
            note=data["note"],
            expected_version=data["expected_version"],
            at=at,
        )
    elif action == "resolve":
        data = _act(request, case, forms.ResolveForm)
        case_services.resolution_record(
            actor=user,
            case=case,
            type=data["type"],
            summary=data["summary"],
            new_severity=data["new_severity"],
            out_of_scope_reason=data["out_of_scope_reason"],
            expected_version=data["expected_version"],
            at=at,
        )
    else:
        raise Http404(f"No action {action}.")


@staff_only
@require_POST
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One action on a case through its service; a refusal re-renders the page naming the
    field (422), a stale version says so (409)."""
    case = _case(request, number)
    try:
        _do(action, request, case, timezone.now())
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return _case_page(request, case, errors=errors, status=422)
    except Conflict as exc:
        return _case_page(request, case, errors={"__all__": [str(exc)]}, status=409)
    except ObjectDoesNotExist:
        raise Http404(f"No case {number}.") from None
    return redirect("console:case", number=case.number)


def _manager_page(
    request: HttpRequest, *, errors: dict[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    if not is_manager(request.user):
        raise PermissionDenied(_("The manager view is for support managers."))
    at = timezone.now()
    context = {
        "title": _("Manager view"),
        "at": at,
        "requests": [
            {**vars(r), "countdown": countdown(r.due_at, at)}
            for r in selectors.manager_requests_waiting(viewer=request.user, at=at)
        ],
        "ack_minutes": int(selectors.manager_request_target().total_seconds() // 60),
        "breached": case_rows(selectors.breached_open(viewer=request.user, at=at), at),
        "at_risk": case_rows(
            selectors.at_risk(viewer=request.user, at=at, within=timedelta(hours=1)), at
        ),
        "severity_1": case_rows(selectors.severity_1_in_progress(viewer=request.user), at),
        "load": selectors.queue_load(),
        "queues": list(queues_of(request.user)),
        "errors": errors or {},
    }
    return render(request, "console/pages/manager.html", context, status=status)


@staff_only
@require_GET
def manager(request: HttpRequest) -> HttpResponse:
    """ "Talk to a manager" requests with their acknowledgement countdown (R-32), breached and
    at-risk cases, Severity 1 cases in progress, per-queue load (support managers only)."""
    return _manager_page(request)


@staff_only
@require_POST
def manager_request_answer(request: HttpRequest, request_id: int) -> HttpResponse:
    """A support manager answers a "Talk to a manager" request (R-32) through the service,
    which records and audits it and tells the customer."""
    if not is_manager(request.user):
        raise PermissionDenied(_("The manager view is for support managers."))
    found = (
        manager_requests_open(viewer=request.user)
        .filter(pk=request_id)
        .select_related("case")
        .first()
    )
    if found is None:
        raise Http404(f"No open request {request_id}.")
    form = forms.ManagerAnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        case_services.manager_request_answer(
            actor=request.user,
            request=found,
            answer=form.cleaned_data["answer"],
            resources_adjusted=form.cleaned_data["resources_adjusted"],
            at=timezone.now(),
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return _manager_page(request, errors=errors, status=422)
    return redirect("console:manager")
