"""Forms of the public portal pages: they parse and check input, nothing more."""

from __future__ import annotations

import math
import re
from functools import cache
from zoneinfo import available_timezones

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.policy import get_policy


@cache
def country_choices() -> list[tuple[str, str]]:
    """Every country with a public-holiday calendar, by name."""
    from holidays import registry

    names = {
        spec[1]: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", spec[0])
        for spec in registry.COUNTRIES.values()
    }
    return sorted(names.items(), key=lambda item: item[1])


@cache
def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )
    return [("UTC", "UTC"), *((z, z.replace("_", " ")) for z in zones)]


class FirstResponseForm(forms.Form):
    """ "When will we answer?": a program, a severity, where the customer is and when."""

    program = forms.ChoiceField(label=_("Support program"))
    severity = forms.TypedChoiceField(label=_("Severity"), coerce=int)
    country = forms.ChoiceField(label=_("Country"))
    subdivision = forms.CharField(
        label=_("Region or state (optional)"),
        required=False,
        max_length=10,
        help_text=_("ISO 3166-2 code, for regional holidays: BY, CA, NSW, ..."),
    )
    timezone = forms.ChoiceField(label=_("Time zone"))
    opened_at = forms.DateTimeField(
        label=_("Case opened at (local time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    viewer_tz = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        policy = get_policy()
        fields = self.fields
        fields["program"].choices = [(p.key, p.label) for p in policy.programs.values()]  # type: ignore[attr-defined]
        fields["severity"].choices = [  # type: ignore[attr-defined]
            (n, f"{gettext(s.label)}: {gettext(s.description)}")
            for n, s in policy.severities.items()
        ]
        fields["country"].choices = country_choices()  # type: ignore[attr-defined]
        fields["timezone"].choices = timezone_choices()  # type: ignore[attr-defined]


class ThrottledSignInMixin:
    """Says how long to wait when the sign-in backend refused a guesser's next attempt."""

    request: HttpRequest | None

    def get_invalid_login_error(self) -> ValidationError:
        wait = getattr(self.request, "login_wait", 0)
        if wait:
            return ValidationError(
                _(
                    "Too many failed sign-ins with this user name from your address. "
                    "Try again in %(seconds)d seconds."
                ),
                code="throttled",
                params={"seconds": math.ceil(wait)},
            )
        return super().get_invalid_login_error()  # type: ignore[misc]


class SignInForm(ThrottledSignInMixin, AuthenticationForm):
    pass


class AdminSignInForm(ThrottledSignInMixin, AdminAuthenticationForm):
    pass
