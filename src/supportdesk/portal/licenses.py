"""Portal pages for customers and partners: sign in, the licenses they may see, and what a
license entitles them to (R-2, R-3, R-5 to R-10, R-20, R-36, R-37).

Views parse, call the permission selectors and ``entitlement_for``, and render; they decide
nothing themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.permissions import licenses_visible_to
from supportdesk.licensing import services
from supportdesk.licensing.choices import Lifecycle
from supportdesk.licensing.models import License, LicenseLine, LicenseUpdateRequest, SupportId
from supportdesk.licensing.selectors import (
    EntitlementAnswer,
    customer_today,
    entitlement_for,
    version_lifecycle,
    versions_of,
)

PAGE_SIZE = 25

OFFERS = {
    "renew_maintenance": gettext_lazy("Renew the maintenance contract"),
    "renew_license": gettext_lazy("Renew the license"),
    "buy_license": gettext_lazy("Buy a license"),
    "upgrade": gettext_lazy("Upgrade to a supported version"),
}


def _licenses(request: HttpRequest) -> Any:
    return (
        licenses_visible_to(request.user, at=timezone.now())
        .select_related("organization__pdm", "product")
        .prefetch_related(
            Prefetch("lines", queryset=LicenseLine.objects.order_by("pk")),
            Prefetch(
                "support_ids",
                queryset=SupportId.objects.filter(revoked_at__isnull=True).order_by("created_at"),
                to_attr="active_support_ids",
            ),
        )
        .order_by("organization__name", "product__name", "pk")
    )


@dataclass(frozen=True)
class LicenseRow:
    license: License
    support_id: str | None
    answer: EntitlementAnswer | None


def _row(license: License, version: str | None = None) -> LicenseRow:
    sids: list[SupportId] = license.active_support_ids  # type: ignore[attr-defined]
    if not sids:
        return LicenseRow(license, None, None)
    answer = entitlement_for(support_id=sids[0], version=version, at=timezone.now())
    return LicenseRow(license, sids[0].code, answer)


@require_GET
@login_required
def license_list(request: HttpRequest) -> HttpResponse:
    """The licenses of the organizations the person belongs to or acts for, with the program
    each gives today."""
    page = Paginator(_licenses(request), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(license) for license in page]
    asked = set(
        LicenseUpdateRequest.objects.filter(
            license__in=[row.license.pk for row in rows], state="open"
        ).values_list("license_id", flat=True)
    )
    return render(
        request,
        "portal/pages/licenses.html",
        {"title": _("Licenses"), "page": page, "rows": rows, "update_asked": asked},
    )


class VersionForm(forms.Form):
    version = forms.ChoiceField(label=gettext_lazy("Product version"), required=False)

    def __init__(self, *args: Any, versions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [  # type: ignore[attr-defined]
            ("", _("Any version")),
            *((v, v) for v in versions),
        ]


@login_required
def license_detail(
    request: HttpRequest,
    pk: int,
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """One license: its lines and Support IDs, what it entitles to now (for a version when
    one is picked), and the lifecycle of the product's versions."""
    try:
        license = _licenses(request).get(pk=pk)
    except License.DoesNotExist:
        raise Http404("No such license.") from None
    now = timezone.now()
    today = customer_today(license.organization, now)
    versions = list(versions_of(license.product))
    form = VersionForm(request.GET or None, versions=[v.version for v in versions])
    version = (form.cleaned_data["version"] or None) if form.is_valid() else None
    try:
        row = _row(license, version)
    except ValidationError as exc:  # pragma: no cover - the form only offers known versions
        form.add_error("version", exc.messages)
        row = _row(license)
    context = {
        "title": f"{license.product} · {license.organization}",
        "license": license,
        "row": row,
        "answer": row.answer,
        "targets": _targets(row.answer),
        "offers": [OFFERS.get(key, key) for key in row.answer.entitlement.offers]
        if row.answer
        else [],
        "form": form,
        "today": today,
        "errors": errors or {},
        "update_outcome": request.GET.get("update", ""),
        "lifecycle": Lifecycle(row.answer.entitlement.lifecycle).label
        if row.answer and row.answer.entitlement.lifecycle
        else None,
        "versions": [(v, Lifecycle(version_lifecycle(v, today))) for v in versions],
    }
    context |= _update_context(request, license)
    return render(request, "portal/pages/license.html", context, status=status)


def _update_context(request: HttpRequest, license: License) -> dict[str, Any]:
    """R-3's one-click license update: the open request (or the last decided one), and whether
    the viewer may ask for one."""
    from supportdesk.accounts.permissions import can_open_cases

    latest = LicenseUpdateRequest.objects.filter(license=license).first()
    return {
        "update_request": latest,
        "may_request_update": can_open_cases(request.user, license.organization, at=timezone.now())
        and (latest is None or latest.state != "open"),
    }


class UpdateRequestForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=2000, required=False)


@login_required
@require_POST
def license_update_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for an updated license with one click (R-3); a second click finds the first."""
    try:
        license = _licenses(request).get(pk=pk)
    except License.DoesNotExist:
        raise Http404("No such license.") from None
    form = UpdateRequestForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        _made, created = services.license_update_request(
            actor=request.user, license=license, note=form.cleaned_data["note"], at=timezone.now()
        )
    except ValidationError as exc:
        return license_detail(request, pk, errors=exc.message_dict, status=422)
    return redirect(
        f"{reverse('portal:license', args=[pk])}?update={'asked' if created else 'open'}"
        "#license-update"
    )


def _targets(answer: EntitlementAnswer | None) -> list[tuple[str, str]]:
    """First-response targets as people read them: "30 min", "8 business hours"."""
    if answer is None or answer.program is None:
        return []
    program = answer.program
    business = program.hours.clock == "business"
    rows = []
    for severity, minutes in sorted(program.targets.items()):
        label = _(answer.policy.severities[severity].label)
        rows.append((label, _duration(minutes, business=business)))
    return rows


def _duration(minutes: int | None, *, business: bool) -> str:
    if minutes is None:
        return _("no target, best effort")
    if minutes < 60:
        text = _("%(n)d min") % {"n": minutes}
    elif minutes % 60 == 0:
        text = _("%(n)d h") % {"n": minutes // 60}
    else:
        text = _("%(h)d h %(m)d min") % {"h": minutes // 60, "m": minutes % 60}
    return _("%(t)s of business hours") % {"t": text} if business else text
