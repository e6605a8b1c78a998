"""Accepting an invitation to join an organization (R-1): the link from the mail.

Signed in with the invited address, one button joins. Not signed in, the page offers to sign
in (and come back) or to make an account with the invited address. The link works once, for
that address only; every other link gets the same "not valid" page, and tries are counted
per requester."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from supportdesk.accounts import services
from supportdesk.accounts.models import Invitation, User
from supportdesk.portal.case_forms import refusals_onto
from supportdesk.ratelimit import rate_limited

TEMPLATE = "portal/pages/invitation.html"


class NewAccountForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    again = forms.CharField(label=_("The password again"), strip=False, widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("again") and data["password"] != data["again"]:
            self.add_error("again", _("The two passwords differ."))
        return data


def _page(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    response = render(request, TEMPLATE, {"title": _("Invitation"), **context}, status=status)
    # The address holds the invitation's token: it never leaves the site as a referrer (not
    # "no-referrer", which makes the browser send "Origin: null" and fail the CSRF check).
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("invitation-link")  # a guesser of links gets a few tries
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    try:
        found: Invitation = services.invitation_check(token=token, at=now)
    except ValidationError:
        return _page(request, {"invalid": True}, 404)
    user = request.user
    context: dict[str, object] = {"invitation": found}
    if isinstance(user, User) and user.is_authenticated:
        mine = (user.email or "").strip().lower() == found.email
        context["mine"] = mine
        if request.method == "POST":
            try:
                services.invitation_accept(token=token, user=user, at=now)
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
                return _page(request, context, 422)
            return redirect("/?joined=1")
        return _page(request, context)
    form = NewAccountForm(request.POST or None, initial={"username": found.email})
    context["form"] = form
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                membership = services.invitation_accept_new_account(
                    token=token,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    password=data["password"],
                    language=getattr(request, "LANGUAGE_CODE", "") or "en",
                    at=now,
                )
            except ValidationError as exc:
                refusals_onto(form, exc)
            else:
                # a new session key (login cycles it), as at every sign-in
                login(request, membership.user, backend=settings.AUTHENTICATION_BACKENDS[0])
                return redirect("/?joined=1")
        return _page(request, context, 422)
    return _page(request, context)
