"""The new-case wizard (R-1, R-2, R-3, R-22 to R-24, R-37), in three steps:

1. for whom, the kind of case, the Support ID and the product version: checked at once by
   ``case_open_check``, which shows what the Support ID entitles to (program, hours, response
   targets, phone, languages now) or refuses naming the field (on a version past End of
   Support, with the offer of R-37);
2. the problem and the severity proposed;
3. how to reach the person.

No state is kept on the server between the steps: each page carries the other steps' answers
as hidden fields, and every step checks again all those before it. The last step opens the
case with ``case_open`` under an idempotency key made when the wizard started, so a
submission sent twice (a double click, a retry after a dropped connection) opens one case.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import can_open_cases, is_staff, organizations_visible_to
from supportdesk.cases import services
from supportdesk.cases.models import Case
from supportdesk.knowledge import services as knowledge
from supportdesk.knowledge.permissions import deflections_visible_to
from supportdesk.licensing.selectors import EntitlementAnswer
from supportdesk.portal.case_forms import STEPS, ProblemStep, SupportStep, refusals_onto
from supportdesk.portal.licenses import _targets

KEY = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
WIZARD_FIELDS = {name for step in STEPS for name in step.base_fields}


def _organizations(user: User) -> list[Organization]:
    """The customers this person may open cases for (R-1)."""
    now = timezone.now()
    customers = organizations_visible_to(user, at=now).filter(kind="customer").order_by("name")
    if is_staff(user):
        return list(customers)
    return [org for org in customers if can_open_cases(user, org, at=now)]


def _form(index: int, orgs: list[Organization], *args: Any, **kwargs: Any) -> Form:
    if index == 0:
        return SupportStep(*args, organizations=orgs, **kwargs)
    return STEPS[index](*args, **kwargs)


def _initial(request: HttpRequest, index: int, user: User) -> dict[str, Any]:
    """What the person typed in a step before, to show it again unchecked."""
    names = STEPS[index].base_fields
    values: dict[str, Any] = {n: request.POST[n] for n in names if n in request.POST}
    if index == 2:
        values.setdefault("contact_email", user.email)
    return values


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    orgs = _organizations(user)
    if not orgs:
        return render(
            request, "portal/pages/case_new_refused.html", {"title": _("Open a case")}, status=403
        )
    if request.method != "POST":
        initial: dict[str, Any] = {"kind": "technical", "organization": orgs[0].pk}
        initial.update(
            {k: v for k, v in request.GET.items() if k in ("support_id", "product_version")}
        )
        return _page(
            request,
            0,
            SupportStep(initial=initial, organizations=orgs),
            uuid.uuid4().hex,
            answer=None,
        )

    key = request.POST.get("idempotency_key", "")
    if not KEY.match(key):
        key = uuid.uuid4().hex
    try:
        step = min(max(int(request.POST.get("step", "1")), 1), len(STEPS)) - 1
    except ValueError:
        step = 0
    if request.POST.get("go") == "back" and step > 0:
        back = step - 1
        shown = _form(back, orgs, initial=_initial(request, back, user))
        return _page(request, back, shown, key, answer=_check_quietly(request, user, orgs))

    forms = [_form(i, orgs, request.POST) for i in range(len(STEPS))]
    for i in range(step + 1):
        if not forms[i].is_valid():
            return _page(request, i, forms[i], key, answer=None, status=422)
    support = forms[0].cleaned_data
    organization = next(org for org in orgs if org.pk == support["organization"])
    try:
        answer = services.case_open_check(
            actor=user,
            organization=organization,
            support_id=support["support_id"],
            kind=support["kind"],
            product_version=support["product_version"],
            at=timezone.now(),
        )
    except ValidationError as exc:
        refusals_onto(forms[0], exc)
        return _page(request, 0, forms[0], key, answer=None, status=422)
    if step < len(STEPS) - 1:
        following = step + 1
        shown = _form(following, orgs, initial=_initial(request, following, user))
        return _page(request, following, shown, key, answer=answer)

    problem, contact = forms[1].cleaned_data, forms[2].cleaned_data
    try:
        case = services.case_open(
            actor=user,
            organization=organization,
            support_id=support["support_id"],
            kind=support["kind"],
            details=services.CaseDetails(
                subject=problem["subject"],
                description=problem["description"],
                proposed_severity=problem["proposed_severity"],
                business_impact=problem["business_impact"],
                error_text=problem["error_text"],
                steps_to_reproduce=problem["steps_to_reproduce"],
                diagnostics=problem["diagnostics"],
                known_workarounds=problem["known_workarounds"],
                maintenance_level=problem["maintenance_level"],
                product_version=support["product_version"] or None,
                contact_email=contact["contact_email"],
                contact_phone=contact["contact_phone"],
                preferred_contact=contact["preferred_contact"],
                best_time_to_reach=contact["best_time_to_reach"],
                technical_contact_available=contact["technical_contact_available"],
            ),
            idempotency_key=key,
            at=timezone.now(),
        )
    except ValidationError as exc:
        first = _errors_onto_steps(forms, exc)
        return _page(request, first, forms[first], key, answer=answer, status=422)
    _link_deflection(request, user, case)
    messages.success(
        request,
        _("Case %(number)s is open. We sent its number to %(email)s.")
        % {"number": case.number, "email": case.contact_email},
    )
    return HttpResponseRedirect(reverse("portal:case", args=[case.number]))


def _deflection_id(request: HttpRequest) -> int | None:
    """The wizard's knowledge-base session, as its suggestions named it (a hidden field)."""
    raw = request.POST.get("deflection", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None


def _link_deflection(request: HttpRequest, user: User, case: Case) -> None:
    """The customer read the suggestions and opened the case all the same: the session ends
    with the case (a session decided already, by a retry of this submission, stays so)."""
    pk = _deflection_id(request)
    deflection = deflections_visible_to(user).filter(pk=pk, user=user).first() if pk else None
    if deflection is None:
        return
    with contextlib.suppress(ValidationError):
        knowledge.deflection_decide(
            actor=user, deflection=deflection, outcome="case_opened", case=case, at=timezone.now()
        )


def _check_quietly(
    request: HttpRequest, user: User, orgs: list[Organization]
) -> EntitlementAnswer | None:
    """The entitlement panel on a step reached going back, if step 1 still holds."""
    form = SupportStep(request.POST, organizations=orgs)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.case_open_check(
            actor=user,
            organization=next(o for o in orgs if o.pk == data["organization"]),
            support_id=data["support_id"],
            kind=data["kind"],
            product_version=data["product_version"],
            at=timezone.now(),
        )
    except ValidationError:
        return None


def _errors_onto_steps(forms: list[Form], exc: ValidationError) -> int:
    """Each refusal onto the step that asks for its field; the first such step's index."""
    steps = []
    for field, errors in exc.message_dict.items():
        index = next((i for i, f in enumerate(forms) if field in f.fields), 0)
        forms[index].add_error(field if field in forms[index].fields else None, errors)
        steps.append(index)
    return min(steps, default=0)


def _page(
    request: HttpRequest,
    index: int,
    form: Form,
    key: str,
    *,
    answer: EntitlementAnswer | None,
    status: int = 200,
) -> HttpResponse:
    shown = set(STEPS[index].base_fields)
    hidden = [
        (name, value)
        for name, values in request.POST.lists()
        if name in WIZARD_FIELDS and name not in shown
        for value in values
    ]
    return render(
        request,
        "portal/pages/case_new.html",
        {
            "title": _("Open a case"),
            "form": form,
            "step": index + 1,
            "steps": [(i + 1, s.title) for i, s in enumerate(STEPS)],
            "last": index == len(STEPS) - 1,
            "hidden": hidden,
            "key": key,
            "answer": answer,
            "targets": _targets(answer),
            "suggest": STEPS[index] is ProblemStep,
            "deflection": _deflection_id(request),
        },
        status=status,
    )
