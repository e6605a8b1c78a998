from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def when(request: HttpRequest) -> HttpResponse:
    """The "When will we answer?" page: a placeholder until it is wired to the policy core."""
    return render(request, "portal/pages/when.html", {"title": "When will we answer?"})
