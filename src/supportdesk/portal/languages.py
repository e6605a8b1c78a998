"""The language picker: the choice is kept in a cookie, and for a signed-in person also as
their preference (pages and mail then follow it wherever they sign in)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from supportdesk.accounts.models import User
from supportdesk.accounts.services import user_set_language


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("portal:home")
    response = HttpResponseRedirect(target)
    if not translation.check_for_language(language) or language not in dict(settings.LANGUAGES):
        return response
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        user_set_language(actor=user, user=user, language=language, at=timezone.now())
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response
