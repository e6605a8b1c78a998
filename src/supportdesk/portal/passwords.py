"""Forgotten passwords: ask for a reset link by e-mail, then set a new password with it.

The request page answers the same for every address, known or not, and counts requests per
requester and per address; the link page takes the user's id and the token from the mailed
link and works once."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from supportdesk.accounts import services
from supportdesk.ratelimit import Limit, hit, rate_limited


class ResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class NewPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    again = forms.CharField(
        label=_("The new password again"), strip=False, widget=forms.PasswordInput()
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("again") and data["password"] != data["again"]:
            self.add_error("again", _("The two passwords differ."))
        return data


def _page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    response = render(request, f"portal/pages/{template}", context, status=status)
    # The reset page's address holds its token: it never leaves the site as a referrer. Not
    # "no-referrer": with it the browser sends "Origin: null" with the form, and the CSRF
    # check refuses the new password (as it refused the survey's answers).
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("password-reset")  # per requester (address, or user when signed in)
def password_reset(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        # per account address too: nobody fills another person's mailbox; past the limit
        # the answer is the same, only no mail goes
        if hit(Limit.named("password-reset"), f"email:{email.lower()}") is None:
            services.password_reset_request(email=email, at=timezone.now())
        return redirect("portal:password_reset_sent")
    status = 422 if request.method == "POST" else 200
    return _page(
        request, "password_reset.html", {"title": _("Forgot your password?"), "form": form}, status
    )


@require_GET
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return _page(request, "password_reset_sent.html", {"title": _("Check your mail")})


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("password-reset-link")  # a guesser of links gets a few tries
def password_reset_confirm(request: HttpRequest, uid: int, token: str) -> HttpResponse:
    now = timezone.now()
    title = _("Set a new password")
    try:
        services.password_reset_check(user_id=uid, token=token, at=now)
    except ValidationError:
        return _page(request, "password_reset_confirm.html", {"title": title, "invalid": True}, 404)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(
                user_id=uid, token=token, password=form.cleaned_data["password"], at=now
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error("password" if field == "password" else None, messages)
        else:
            return redirect("/login/?reset=done")
    status = 422 if request.method == "POST" else 200
    return _page(request, "password_reset_confirm.html", {"title": title, "form": form}, status)
