"""Downloads and fixes pages (R-3, R-9, R-36, R-37): the products a person holds licenses of,
each version's releases and hotfixes with what they may download and why, known workarounds,
the upgrade path, and the weekly fix digest (R-38). Views parse, call selectors or one
service, and render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.downloads import selectors, services
from supportdesk.downloads.models import DigestSubscription, Release
from supportdesk.licensing.models import ProductVersion
from supportdesk.policy.entitlement import lifecycle_state


@login_required
@require_GET
def download_index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    on = now.date()
    products = [
        (product, [(v, lifecycle_state(v.facts(), on)) for v in product.versions.order_by("-ga")])
        for product in selectors.products_for(request.user, at=now)
    ]
    context = {
        "title": _("Downloads and fixes"),
        "products": products,
        "subscribed": DigestSubscription.objects.filter(user_id=request.user.pk or 0).exists(),
    }
    return render(request, "portal/pages/downloads.html", context)


@login_required
@require_GET
def download_version(request: HttpRequest, pk: int) -> HttpResponse:
    now = timezone.now()
    version = ProductVersion.objects.select_related("product").filter(pk=pk).first()
    if (
        version is None
        or not selectors.products_for(request.user, at=now).filter(pk=version.product_id).exists()
    ):
        raise Http404("No such version.")
    found = selectors.version_downloads(request.user, version, at=now)
    context = {"title": f"{version.product.name} {version.version}", "found": found}
    return render(request, "portal/pages/download_version.html", context)


@login_required
@require_GET
def download_file(request: HttpRequest, pk: int) -> HttpResponse:
    """To the file, if the person may download it (R-9); 403 with the reason otherwise."""
    release = Release.objects.select_related("version__product").filter(pk=pk).first()
    if release is None:
        raise Http404("No such release.")
    access = selectors.access_to(request.user, release.version.product, at=timezone.now())
    decision = selectors.decision_for(release, access)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    return HttpResponseRedirect(release.url)


@login_required
@require_POST
def download_digest(request: HttpRequest) -> HttpResponse:
    if request.POST.get("subscribe") == "1":
        services.digest_subscribe(actor=request.user, at=timezone.now())
    else:
        services.digest_unsubscribe(actor=request.user, at=timezone.now())
    return redirect("portal:downloads")
