"""Every route, read from the URL and API registries: a new endpoint is in these tests the
moment it exists. Signed out, only the listed public routes answer; everything else answers
401 (API) or sends to the sign-in page (pages), and changes nothing. (What each role may do
with its own and another organization's objects: the permission-matrix files in tests/api.)"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.api.test_permission_matrix import snapshot

pytestmark = pytest.mark.django_db

#: API operations anyone may call: liveness, the published policy, and the survey a mailed
#: link opens (its token is the credential).
PUBLIC_API = {
    "GET /api/v1/health",
    "GET /api/v1/policy",
    "GET /api/v1/policy/first-response",
    "GET /api/v1/phone/numbers",  # the support numbers per country
    "GET /api/v1/surveys/{token}",
    "POST /api/v1/surveys/{token}",
}
#: API operations that take a token or a session, and answer signed-out callers too with
#: less: the knowledge base's public articles (R-3).
OPEN_API = {
    "GET /api/v1/knowledge/categories",
    "GET /api/v1/knowledge/articles",
    "GET /api/v1/knowledge/articles/{article_id}",
    "GET /api/v1/knowledge/search",
}
#: Pages anyone may open (by URL name).
PUBLIC_PAGES = {
    "portal:kb",  # the knowledge base's public articles
    "portal:kb_article",
    "portal:when",
    "portal:phone",  # the support numbers per country
    "portal:login",
    "portal:logout",
    "portal:password_reset",  # "Forgot your password?": for those who cannot sign in
    "portal:password_reset_sent",
    "portal:password_reset_confirm",  # the mailed link's token is the credential
    "portal:survey",
    "portal:language",  # the language picker, for signed-out visitors too
    "admin:login",
    "admin:logout",
    "admin:password_reset",
    "admin:password_reset_done",
}


def _api_operations(client: Client) -> Iterator[tuple[str, str, bool]]:
    schema = client.get("/api/v1/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            yield method.upper(), path, bool(spec.get("security"))


def _concrete(path: str) -> str:
    return re.sub(r"{[^}]+}", "1", path)


def test_only_the_listed_api_operations_are_public(client: Client) -> None:
    public = {
        f"{method} {path}" for method, path, secured in _api_operations(client) if not secured
    }

    assert public == PUBLIC_API


def test_signed_out_every_other_api_operation_is_401_and_changes_nothing(
    client: Client,
) -> None:
    tried = 0
    for method, path, secured in _api_operations(client):
        if not secured or f"{method} {path}" in OPEN_API:
            continue
        before = snapshot()
        send = getattr(client, method.lower())
        if method in ("GET", "HEAD", "DELETE"):
            response = send(_concrete(path))
        else:
            response = send(_concrete(path), data="{}", content_type="application/json")
        assert (method, path, response.status_code) == (method, path, 401)
        assert snapshot() == before
        tried += 1
    print(f"API operations tried signed out: {tried}")
    assert tried >= 40


def test_the_open_operations_answer_signed_out_callers(client: Client) -> None:
    operations = {f"{method} {path}" for method, path, _ in _api_operations(client)}
    assert operations >= OPEN_API
    for operation in sorted(OPEN_API):
        path = _concrete(operation.split(" ", 1)[1]) + "?q=x"
        assert (operation, client.get(path).status_code) in {(operation, 200), (operation, 404)}


def _patterns(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("api/", "^api")):
                continue  # the API: above
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", route


def _url(route: str) -> str:
    route = re.sub(r"<(?:int:)?[^>]+>", "1", route)  # <int:pk>, <str:token>, <path:x>
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)  # regex groups
    route = route.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + route


def test_signed_out_every_other_page_sends_to_the_sign_in_page(client: Client) -> None:
    pages = dict(_patterns(get_resolver()))
    tried = 0
    for name, route in sorted(pages.items()):
        if name in PUBLIC_PAGES or (name.startswith("admin:") and "password" in name):
            continue
        response = client.get(_url(route))
        login = "/admin/login/" if name.startswith("admin:") else "/login/"
        assert (name, response.status_code, response.headers.get("Location", "")[: len(login)]) in {
            (name, 302, login),
            (name, 404, ""),  # an admin page for an object that does not exist
        }, (name, route, response.status_code, response.headers.get("Location"))
        tried += 1
    print(f"pages tried signed out: {tried}")
    assert tried >= 30
    assert set(PUBLIC_PAGES) - {"admin:password_reset", "admin:password_reset_done"} <= set(pages)
