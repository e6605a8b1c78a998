"""Delegations for license administrators (R-3, R-4): which support partners act for the
organization, and since when; a license administrator grants a new one and ends one. The
writes are the accounts services' (checked, locked and audited there); refusals come back
on the form, naming the field."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts import services
from supportdesk.accounts.choices import OrganizationKind
from supportdesk.accounts.models import Delegation, Organization
from supportdesk.accounts.permissions import delegations_visible_to, organizations_administered_by
from supportdesk.portal.case_forms import PortalForm


class DelegationForm(PortalForm):
    customer = forms.TypedChoiceField(label=gettext_lazy("Organization"), coerce=int)
    partner = forms.TypedChoiceField(label=gettext_lazy("Support partner"), coerce=int)
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on (optional)"),
        required=False,
        help_text=gettext_lazy("The partner may act for you until this day begins."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, customers: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [(o.pk, o.name) for o in customers]  # type: ignore[attr-defined]
        partners = Organization.objects.filter(kind=OrganizationKind.PARTNER).order_by("name")
        self.fields["partner"].choices = [(o.pk, o.name) for o in partners]  # type: ignore[attr-defined]


def _customers(request: HttpRequest, now: datetime) -> list[Organization]:
    return list(
        organizations_administered_by(request.user, at=now)
        .filter(kind=OrganizationKind.CUSTOMER)
        .order_by("name")
    )


def _page(
    request: HttpRequest, *, form: DelegationForm | None = None, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    customers = _customers(request, now)
    administered = {o.pk for o in customers}
    rows = [
        {
            "delegation": d,
            "state": "active" if d.is_active(now) else ("future" if d.starts_at > now else "ended"),
            "may_end": d.customer_id in administered and (d.ends_at is None or d.ends_at > now),
        }
        for d in delegations_visible_to(request.user, at=now)
        .select_related("customer", "partner", "granted_by")
        .order_by("customer__name", "partner__name", "starts_at", "pk")
    ]
    if form is None and customers:
        form = DelegationForm(customers=customers)
    context = {"title": _("Delegations"), "rows": rows, "form": form}
    return render(request, "portal/pages/delegations.html", context, status=status)


@login_required
@require_GET
def delegation_list(request: HttpRequest) -> HttpResponse:
    """The delegations granted by, or to, the person's organizations; for a license
    administrator, the form that grants one."""
    return _page(request)


@login_required
@require_POST
def delegation_create(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    customers = _customers(request, now)
    if not customers:
        raise PermissionDenied(_("Only the customer's license administrators grant delegations."))
    form = DelegationForm(request.POST, customers=customers)
    if not form.is_valid():
        return _page(request, form=form, status=422)
    data = form.cleaned_data
    ends_at = None
    if data["ends_on"]:
        ends_at = timezone.make_aware(datetime.combine(data["ends_on"], time.min))
    try:
        services.delegation_create(
            actor=request.user,
            customer=Organization.objects.get(pk=data["customer"]),
            partner=Organization.objects.get(pk=data["partner"]),
            starts_at=now,
            ends_at=ends_at,
            at=now,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error("ends_on" if field == "ends_at" else None, errors)
        return _page(request, form=form, status=422)
    messages.success(request, _("The partner may act for you from now on."))
    return HttpResponseRedirect(reverse("portal:delegations"))


@login_required
@require_POST
def delegation_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a delegation now; one that has not started yet is withdrawn (R-4)."""
    now = timezone.now()
    try:
        delegation = delegations_visible_to(request.user, at=now).get(pk=pk)
    except Delegation.DoesNotExist:
        raise Http404("No such delegation.") from None
    try:
        if delegation.starts_at > now:
            services.delegation_delete(actor=request.user, delegation=delegation, at=now)
        else:
            services.delegation_update(
                actor=request.user, delegation=delegation, changes={"ends_at": now}, at=now
            )
    except ObjectDoesNotExist:
        raise Http404("No such delegation.") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("portal:delegations"))
    messages.success(request, _("The delegation has ended."))
    return HttpResponseRedirect(reverse("portal:delegations"))
