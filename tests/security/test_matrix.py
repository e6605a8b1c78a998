"""The authorization matrix over every route and verb (R-1, R-3, R-4, R-10, R-32, R-34),
generated from the registries: every operation of the OpenAPI document and every named URL
of the resolver x every role x the own and another organization's object.

A route's path parameters are filled by name from the scenario (``matrix_world``): the own
organization's objects for the "own" cell, the other's for the "other" cell. A route whose
parameters name nothing an organization owns (the catalogue, queues, the caller's own
settings) has one cell per role; for a list, the cell also says whether another
organization's objects show in it.

The rule tables below give the expected answer of every cell. A route without a row, or a
row that does not match what the route answers, fails the test; the failure prints the row as
observed so that a new route's row can be written (and reviewed) from it.

Each cell checks:
- the exact status; "login" is the redirect to the sign-in page (``alogin``: the admin's);
- an API 404 is the uniform ``Not found.`` body;
- a refused request (401, 403, 404, 405, 409, 422, a sign-in redirect) wrote nothing: every
  INSERT, UPDATE and DELETE the request runs is recorded, on every table, audit included;
- a refused request about another organization's object shows none of its words;
- no customer or partner ever reads the own case's internal comment;
- every answer carries ``nosniff``, and a file (an attachment, an export) comes only as a
  download (``Content-Disposition: attachment``), never inline.
Each cell runs in a savepoint rolled back after it, on a scenario built once per module.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from pytest_django import Settings

from supportdesk.console.views import CASE_ACTIONS
from supportdesk.reports.views import CSV_REPORTS
from tests.security.matrix_world import BYTES, CUSTOMERS, ROLES, World, build

#: each test runs a thousand or more requests: minutes on a loaded machine
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(900)]

API = "/api/v1"
#: parameters whose value is an object of one organization
SCOPED = {
    "org_id",
    "membership_id",
    "delegation_id",
    "token_id",
    "license_id",
    "code",
    "support_id",
    "number",
    "upload_id",
    "attachment_id",
    "milestone_id",
    "request_id",
    "deflection_id",
    "token",
    "pk",
    "uid",
    "reset_token",
    "invitation_id",
    "invitation_token",
    "update_request_id",
}
FUTURE = (datetime.now(UTC) + timedelta(days=400)).isoformat()
V = {"expected_version": "{version}"}


@dataclass(frozen=True)
class Route:
    key: str  # "GET /cases/{number}" (API) or "POST portal:case_comment" (page)
    method: str
    path: str  # with {placeholders}
    api: bool
    body: Any = None

    @property
    def params(self) -> set[str]:
        return set(re.findall(r"{(\w+)}", self.path)) | _placeholders(self.body)

    @property
    def scoped(self) -> bool:
        return bool(self.params & (SCOPED | {"manager_request_id", "diagnostics_id"}))


def _placeholders(body: Any) -> set[str]:
    if isinstance(body, str):
        return set(re.findall(r"{(\w+)}", body))
    if isinstance(body, dict):
        return set().union(*(_placeholders(v) for v in body.values())) if body else set()
    return set()


# --- what the writes send ------------------------------------------------------------------

NEW_CASE = {
    "kind": "licensing",
    "subject": "Renewal",
    "description": "Which license do we need?",
    "proposed_severity": 4,
    "contact_email": "it@example.com",
    "organization": "{org_id}",
    "support_id": "{code}",
}
API_BODIES: dict[str, Any] = {
    "POST /organizations": {
        "name": "Newcorp",
        "kind": "customer",
        "country": "CZ",
        "time_zone": "Europe/Prague",
        "language": "en",
    },
    "PATCH /organizations/{org_id}": {"language": "fr"},
    "POST /organizations/{org_id}/memberships": {"username": "{newbie}"},
    "POST /licenses/{license_id}/update-requests": {"note": "Renewed"},
    "POST /license-update-requests/{update_request_id}/fulfil": {"answer": "Sent"},
    "POST /license-update-requests/{update_request_id}/decline": {"answer": "Not renewed"},
    "POST /organizations/{org_id}/invitations": {
        "email": "new-invitee@example.com",
        "role": "member",
    },
    "PATCH /memberships/{membership_id}": {"role": "case_admin"},
    "POST /organizations/{org_id}/delegations": {"partner": "{fresh_partner_id}"},
    "PATCH /delegations/{delegation_id}": {"ends_at": FUTURE},
    "POST /tokens": {"name": "ci"},
    "POST /products": {"code": "NEW", "name": "New"},
    "PATCH /products/{product_id}": {"name": "Renamed"},
    "POST /products/{product_id}/versions": {"version": "13"},
    "PATCH /versions/{version_id}": {"end_of_sale": "2031-01-01"},
    "POST /organizations/{org_id}/licenses": {"product": "VBR", "license_type": "trial"},
    "PATCH /licenses/{license_id}": {"valid_until": "2030-01-01"},
    "POST /cases": NEW_CASE,
    "POST /cases/{number}/comments": {"body": "Any news?", **V},
    "POST /cases/{number}/transitions": {"status": "closed", **V},
    "POST /cases/{number}/severity-requests": {"severity": 2, "reason": "worse", **V},
    "POST /cases/{number}/severity": {"severity": 2, "reason": "agreed", **V},
    "POST /cases/{number}/technical-contact": {"available": True, **V},
    "POST /surveys/{token}": {
        "resolution": 4,
        "professionalism": 5,
        "knowledge": 4,
        "overall": 5,
        "comment": "ok",
    },
    "POST /routing/queues": {"code": "new", "name": "New"},
    "POST /routing/engineers": {"username": "{new_engineer}"},
    "PATCH /routing/engineers/{username}": {"on_call": True},
    "POST /routing/cases/{number}/take": V,
    "POST /routing/cases/{number}/assign": {"assignee": None, **V},
    "POST /routing/cases/{number}/escalate": {"reason": "debugger", **V},
    "POST /phone/route": {"case_number": "{number}", "caller_number": "+49301234567"},
    "POST /cases/{number}/uploads": {"filename": "more.log", "length": 100, "sha256": "0" * 64},
    "PATCH /uploads/{upload_id}": BYTES,
    "POST /knowledge/categories": {"slug": "new", "name": "New"},
    "PATCH /knowledge/categories/{category_id}": {"name": "Renamed"},
    "POST /knowledge/articles": {
        "slug": "new",
        "language": "en",
        "title": "New",
        "body": "B",
        "category": "howto",
        "visibility": "public",
    },
    "PATCH /knowledge/articles/{article_id}": {"title": "Renamed"},
    "POST /knowledge/deflections": {"language": "en"},
    "POST /knowledge/deflections/{deflection_id}/suggestions": {"text": "restart"},
    "POST /knowledge/deflections/{deflection_id}/opened": {"article": "{article_id}"},
    "POST /knowledge/deflections/{deflection_id}/outcome": {
        "outcome": "deflected",
        "article": "{article_id}",
    },
    "POST /versions/{version_id}/releases": {
        "kind": "hotfix",
        "name": "P9",
        "title": "Fix",
        "url": "https://dl.example.com/p9",
    },
    "POST /versions/{version_id}/workarounds": {"title": "W", "text": "Do x."},
    "POST /cases/{number}/contact-attempts": {"channel": "phone", "outcome": "no_answer", **V},
    "POST /cases/{number}/resolutions": {
        "type": "temporary_workaround",
        "summary": "Restart",
        "new_severity": 4,
        **V,
    },
    "POST /cases/{number}/milestones/{milestone_id}/done": V,
    "POST /cases/{number}/manager-requests": {"reason": "No news for days"},
    "POST /cases/{number}/manager-requests/{request_id}/answer": {
        "answer": "A senior engineer takes over",
        "resources_adjusted": "senior engineer",
    },
    "POST /cases/{number}/feature-requests": {
        "title": "Parquet",
        "wanted_behaviour": "Parquet",
        "use_case": "Data lake",
    },
    "POST /cases/{number}/third-party": {
        "vendor": "Storage Inc.",
        "action": "removal_requested",
        **V,
    },
    "POST /cases/{number}/diagnostics": {"kind": "log_upload", "what": "job logs", **V},
    "POST /cases/{number}/diagnostics/{request_id}/fulfil": {"findings": "A bad proxy"},
}
#: the query of the reads that need one
API_QUERIES = {
    "GET /policy/first-response": "?program=basic&severity=3&opened_at=2026-06-01T09:00"
    "&timezone=Europe/Prague&country=CZ",
    "GET /knowledge/search": "?q=restart",
}
PAGE_FORMS: dict[str, dict[str, Any]] = {
    "POST portal:case_comment": {"body": "Any news?", **V},
    "POST portal:case_severity": {"severity": 1, "reason": "Down", **V},
    "POST portal:case_transition": {"status": "closed", **V},
    "POST portal:case_manager": {"reason": "Nobody answers."},
    "POST portal:case_survey": {
        "resolution": 4,
        "professionalism": 5,
        "knowledge": 4,
        "overall": 5,
        "comment": "ok",
    },
    "POST portal:survey": {
        "resolution": 4,
        "professionalism": 5,
        "knowledge": 4,
        "overall": 5,
        "comment": "ok",
    },
    "POST portal:language": {"language": "cs", "next": "/"},
    "POST portal:password_reset": {"email": "ownperson@example.com"},
    "POST portal:password_reset_confirm": {
        "password": "a new long passphrase",
        "again": "a new long passphrase",
    },
    "POST console:action[take]": V,
    "POST console:action[assign]": {"assignee": "", **V},
    "POST console:action[escalate]": {"reason": "debugger", **V},
    "POST console:action[transition]": {"status": "closed", **V},
    "POST console:action[comment]": {"body": "n", "internal": "on", **V},
    "POST console:action[severity]": {"severity": 2, "reason": "agreed", **V},
    "POST console:action[contact-attempt]": {"channel": "phone", "outcome": "no_answer", **V},
    "POST console:action[diagnostics]": {"kind": "log_upload", "what": "job logs", **V},
    "POST console:action[third-party]": {"action": "suspected", "vendor": "Acme", **V},
    "POST console:action[resolve]": {"type": "software_fix", "summary": "fixed", **V},
    "POST console:manager_answer": {"answer": "We added an engineer."},
    "POST portal:delegation_create": {
        "customer": "{org_id}",
        "partner": "{fresh_partner_id}",
        "ends_on": "",
    },
    "POST portal:people_invite": {
        "organization": "{org_id}",
        "email": "new-invitee@example.com",
        "role": "member",
    },
    "POST portal:member_role": {"role": "case_admin"},
    "POST portal:download_digest": {},
    "POST portal:kb_solved": {},
    "POST console:kb_new": {
        "slug": "new-page",
        "language": "en",
        "title": "New",
        "body": "B",
        "category": "{category_id}",
        "visibility": "public",
        "status": "draft",
    },
    "POST console:kb_edit": {
        "slug": "restart",
        "language": "en",
        "title": "Renamed",
        "body": "B",
        "category": "{category_id}",
        "visibility": "customers",
        "status": "published",
    },
}
#: the values a slug of a page takes: each is a route of its own
PAGE_SLUGS = {
    "console:action": ("action", CASE_ACTIONS),
    "reports:csv": ("name", CSV_REPORTS),
}
#: the page parameters named "pk" and the object each stands for
PAGE_PKS = {
    "portal:license": "license_id",
    "portal:license_update_request": "license_id",
    "portal:download_version": "version_id",
    "portal:download_file": "release_id",
    "portal:kb_solved": "deflection_id",
    "portal:kb_open": "deflection_id",
    "portal:delegation_end": "delegation_id",
    "portal:invitation_withdraw": "invitation_id",
    "portal:member_role": "membership_id",
    "portal:member_remove": "membership_id",
    "console:kb_edit": "article_id",
}


# --- the routes, from the registries -------------------------------------------------------


def api_routes() -> list[Route]:
    from supportdesk.api.root import api

    routes = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        short = path.removeprefix(API)
        for method in methods:
            key = f"{method.upper()} {short}"
            if "{request_id}" in short:  # a manager request's or a diagnostics request's
                kind = "manager_request_id" if "manager-requests" in short else "diagnostics_id"
                short = short.replace("{request_id}", "{" + kind + "}")
            routes.append(Route(key, method.upper(), short, True, API_BODIES.get(key)))
    return routes


def _patterns(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("api/", "^api")):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", route


def _page_path(name: str, route: str) -> str:
    route = route.replace("^", "").replace("$", "").replace("\\", "")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)

    def param(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "pk":
            return "{" + PAGE_PKS.get(name, "pk") + "}"
        if key == "article":
            return "{article_id}"
        if key == "request_id" and name == "console:manager_answer":
            return "{manager_request_id}"
        if key == "token" and name == "portal:password_reset_confirm":
            return "{reset_token}"
        if key == "token" and name == "portal:invitation":
            return "{invitation_token}"
        if key in ("object_id", "id", "content_type_id", "app_label"):
            return "1" if key != "app_label" else "accounts"
        return "{" + key + "}"

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", param, route)


def page_routes() -> list[Route]:
    routes = []
    for name, route in sorted(dict(_patterns(get_resolver())).items()):
        path = _page_path(name, route)
        methods = ("GET",) if name.startswith("admin:") else ("GET", "POST")
        slugs = PAGE_SLUGS.get(name)
        variants = [(name, path)]
        if slugs is not None:
            key, values = slugs
            variants = [(f"{name}[{v}]", path.replace("{" + key + "}", v)) for v in values]
        for label, concrete in variants:
            for method in methods:
                key = f"{method} {label}"
                routes.append(Route(key, method, concrete, False, PAGE_FORMS.get(key)))
    return routes


# --- the expected answers ------------------------------------------------------------------


def _grid(text: str) -> dict[str, tuple[str, ...]]:
    rows = {}
    for line in text.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        *key, cells = line.rsplit("|", 1)
        rows[key[0].strip()] = tuple(cells.split())
        assert len(rows[key[0].strip()]) == len(ROLES), line
    return rows


# An "own/other" cell for a route about an organization's object; a single answer for one
# that is not, with "+" when another organization's objects show in it and "-" when not.
# Customers and partners: their organization's objects only, the partner only while the
# delegation runs; another organization's object is the uniform 404, a capability the
# role lacks a 403. Support managers see every organization's objects; the cases API,
# the console and the routing API show an engineer the cases of their queues (and those
# assigned to them) and a PDM their customers' and the PDM queue's: here the other
# organization's case is in another queue, so the engineer and pdm columns get its 404.
# A survey answers whoever holds its token (R-34: the mailed link is the credential), so
# does a password reset link (whose success is the way to sign in: "login"); an upload in
# progress only the person who started it (the own organization's case administrator
# here: a person of no role column); a token only its owner (likewise).
API_GRID = _grid("""
#                                                       | anon    member  case_ad lic_adm p_activ p_ended p_none  engin   pdm     manager
GET /health                                             | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
GET /policy                                             | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
GET /policy/first-response                              | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
GET /organizations                                      | 401     200-    200-    200-    200-    200-    200-    200+    200+    200+
POST /organizations                                     | 401     403     403     403     403     403     403     201     201     201
GET /organizations/{org_id}                             | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/200 200/200 200/200
PATCH /organizations/{org_id}                           | 401/401 403/404 403/404 200/404 403/404 404/404 404/404 200/200 200/200 200/200
DELETE /organizations/{org_id}                          | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 409/409 409/409 409/409
GET /memberships                                        | 401     200-    200-    200-    200-    200-    200-    200+    200+    200+
POST /organizations/{org_id}/memberships                | 401/401 403/404 403/404 201/404 403/404 404/404 404/404 201/201 201/201 201/201
POST /organizations/{org_id}/invitations                | 401/401 403/404 403/404 201/404 403/404 404/404 404/404 201/201 201/201 201/201
POST /licenses/{license_id}/update-requests             | 401/401 403/404 201/404 201/404 201/404 404/404 404/404 403/403 403/403 403/403
GET /license-update-requests                            | 401     200-    200-    200-    200-    200-    200-    200-    200-    200-
GET /license-update-requests/{update_request_id}        | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/200 200/200 200/200
POST /license-update-requests/{update_request_id}/fulfil| 401/401 403/404 403/404 403/404 403/404 404/404 404/404 409/409 409/409 409/409
POST /license-update-requests/{update_request_id}/decline| 401/401 403/404 403/404 403/404 403/404 404/404 404/404 409/409 409/409 409/409
GET /invitations                                        | 401     200-    200-    200-    200-    200-    200-    200+    200+    200+
GET /invitations/{invitation_id}                        | 401/401 404/404 404/404 200/404 404/404 404/404 404/404 200/200 200/200 200/200
DELETE /invitations/{invitation_id}                     | 401/401 404/404 404/404 204/404 404/404 404/404 404/404 204/204 204/204 204/204
GET /memberships/{membership_id}                        | 401/401 200/404 200/404 200/404 404/404 404/404 404/404 200/200 200/200 200/200
PATCH /memberships/{membership_id}                      | 401/401 403/404 403/404 200/404 404/404 404/404 404/404 200/200 200/200 200/200
DELETE /memberships/{membership_id}                     | 401/401 403/404 403/404 204/404 404/404 404/404 404/404 204/204 204/204 204/204
GET /delegations                                        | 401     200-    200-    200-    200-    200-    200-    200+    200+    200+
POST /organizations/{org_id}/delegations                | 401/401 403/404 403/404 201/404 403/404 404/404 404/404 201/201 201/201 201/201
GET /delegations/{delegation_id}                        | 401/401 200/404 200/404 200/404 404/404 404/404 404/404 200/200 200/200 200/200
PATCH /delegations/{delegation_id}                      | 401/401 403/404 403/404 200/404 404/404 404/404 404/404 200/200 200/200 200/200
DELETE /delegations/{delegation_id}                     | 401/401 403/404 403/404 204/404 404/404 404/404 404/404 204/204 204/204 204/204
GET /tokens                                             | 401     200-    200-    200-    200-    200-    200-    200-    200-    200-
POST /tokens                                            | 401     201     201     201     201     201     201     201     201     201
DELETE /tokens/{token_id}                               | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404
GET /products                                           | 401     200-    200-    200-    200-    200-    200-    200-    200-    200-
POST /products                                          | 401     403     403     403     403     403     403     201     201     201
GET /products/{product_id}                              | 401     200-    200-    200-    200-    200-    200-    200-    200-    200-
PATCH /products/{product_id}                            | 401     403     403     403     403     403     403     200     200     200
DELETE /products/{product_id}                           | 401     403     403     403     403     403     403     409     409     409
GET /products/{product_id}/versions                     | 401     200-    200-    200-    200-    200-    200-    200-    200-    200-
POST /products/{product_id}/versions                    | 401     403     403     403     403     403     403     201     201     201
GET /versions/{version_id}                              | 401     200-    200-    200-    200-    200-    200-    200-    200-    200-
PATCH /versions/{version_id}                            | 401     403     403     403     403     403     403     200     200     200
DELETE /versions/{version_id}                           | 401     403     403     403     403     403     403     409     409     409
GET /licenses                                           | 401     200-    200-    200-    200-    200-    200-    200+    200+    200+
POST /organizations/{org_id}/licenses                   | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 201/201 201/201 201/201
GET /licenses/{license_id}                              | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/200 200/200 200/200
PATCH /licenses/{license_id}                            | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 200/200 200/200 200/200
DELETE /licenses/{license_id}                           | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 409/409 409/409 409/409
GET /support-ids                                        | 401     200-    200-    200-    200-    200-    200-    200+    200+    200+
POST /licenses/{license_id}/support-ids                 | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 201/201 201/201 201/201
GET /support-ids/{code}                                 | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/200 200/200 200/200
DELETE /support-ids/{code}                              | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 204/204 204/204 204/204
GET /entitlements/{support_id}                          | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/200 200/200 200/200
POST /cases                                             | 401/401 403/404 201/404 201/404 201/404 404/404 404/404 201/201 201/201 201/201
GET /cases                                              | 401     200-    200-    200-    200-    200-    200-    200-    200-    200+
GET /cases/{number}                                     | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
GET /cases/{number}/comments                            | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
POST /cases/{number}/comments                           | 401/401 403/404 201/404 201/404 201/404 404/404 404/404 201/404 201/404 201/201
POST /cases/{number}/transitions                        | 401/401 403/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
GET /cases/{number}/severity-changes                    | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
POST /cases/{number}/severity-requests                  | 401/401 403/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
POST /cases/{number}/severity                           | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 200/404 200/404 200/200
POST /cases/{number}/technical-contact                  | 401/401 403/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
GET /reports/sla                                        | 401     403     403     403     403     403     403     200-    200-    200-
GET /reports/sla/distribution                           | 401     403     403     403     403     403     403     200-    200-    200-
GET /reports/sla/breaches                               | 401     403     403     403     403     403     403     200-    200-    200-
GET /reports/backlog                                    | 401     403     403     403     403     403     403     200-    200-    200-
GET /reports/flow                                       | 401     403     403     403     403     403     403     200-    200-    200-
GET /reports/satisfaction                               | 401     403     403     403     403     403     403     403     403     200-
GET /surveys/{token}                                    | 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200
POST /surveys/{token}                                   | 201/201 201/201 201/201 201/201 201/201 201/201 201/201 201/201 201/201 201/201
GET /surveys                                            | 401     403     403     403     403     403     403     403     403     200-
GET /routing/queues                                     | 401     403     403     403     403     403     403     200-    200-    200-
POST /routing/queues                                    | 401     403     403     403     403     403     403     403     403     201
GET /routing/engineers                                  | 401     403     403     403     403     403     403     200-    200-    200-
POST /routing/engineers                                 | 401     403     403     403     403     403     403     403     403     201
PATCH /routing/engineers/{username}                     | 401     403     403     403     403     403     403     403     403     200
POST /routing/cases/{number}/take                       | 401/401 403/403 403/403 403/403 403/403 403/403 403/403 200/404 200/404 200/200
POST /routing/cases/{number}/assign                     | 401/401 403/403 403/403 403/403 403/403 403/403 403/403 200/404 200/404 200/200
POST /routing/cases/{number}/escalate                   | 401/401 403/403 403/403 403/403 403/403 403/403 403/403 200/404 200/404 200/200
GET /routing/cases/{number}/suggestions                 | 401/401 403/403 403/403 403/403 403/403 403/403 403/403 200/404 200/404 200/200
GET /phone/numbers                                      | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
POST /phone/route                                       | 401/401 403/403 403/403 403/403 403/403 403/403 403/403 200/200 200/200 200/200
POST /cases/{number}/uploads                            | 401/401 403/404 201/404 201/404 201/404 404/404 404/404 201/404 201/404 201/201
GET /uploads/{upload_id}                                | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404
HEAD /uploads/{upload_id}                               | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404
PATCH /uploads/{upload_id}                              | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404
DELETE /uploads/{upload_id}                             | 401/401 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404
GET /cases/{number}/attachments                         | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
GET /attachments/{attachment_id}                        | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
DELETE /attachments/{attachment_id}                     | 401/401 403/404 204/404 204/404 204/404 404/404 404/404 204/404 204/404 204/204
GET /attachments/{attachment_id}/download               | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
GET /knowledge/categories                               | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
POST /knowledge/categories                              | 401     403     403     403     403     403     403     201     201     201
PATCH /knowledge/categories/{category_id}               | 401     403     403     403     403     403     403     200     200     200
DELETE /knowledge/categories/{category_id}              | 401     403     403     403     403     403     403     409     409     409
GET /knowledge/articles                                 | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
POST /knowledge/articles                                | 401     403     403     403     403     403     403     201     201     201
GET /knowledge/articles/{article_id}                    | 404     200-    200-    200-    200-    200-    200-    200-    200-    200-
PATCH /knowledge/articles/{article_id}                  | 401     403     403     403     403     403     403     200     200     200
DELETE /knowledge/articles/{article_id}                 | 401     403     403     403     403     403     403     204     204     204
GET /knowledge/search                                   | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
POST /knowledge/deflections                             | 401     201     201     201     201     201     201     201     201     201
GET /knowledge/deflections/{deflection_id}              | 401/401 200/404 404/404 404/404 404/404 404/404 404/404 200/200 200/200 200/200
POST /knowledge/deflections/{deflection_id}/suggestions | 401/401 200/404 404/404 404/404 404/404 404/404 404/404 403/403 403/403 403/403
POST /knowledge/deflections/{deflection_id}/opened      | 401/401 200/404 404/404 404/404 404/404 404/404 404/404 403/403 403/403 403/403
POST /knowledge/deflections/{deflection_id}/outcome     | 401/401 200/404 404/404 404/404 404/404 404/404 404/404 403/403 403/403 403/403
GET /knowledge/deflection-figures                       | 401     403     403     403     403     403     403     200-    200-    200-
GET /versions/{version_id}/downloads                    | 401     200-    200-    200-    200-    200-    200-    200-    200-    200-
GET /releases/{release_id}/download                     | 401     200-    200-    200-    200-    403     403     200-    200-    200-
POST /versions/{version_id}/releases                    | 401     403     403     403     403     403     403     201     201     201
POST /versions/{version_id}/workarounds                 | 401     403     403     403     403     403     403     201     201     201
GET /me/fix-digest                                      | 401     200-    200-    200-    200-    200-    200-    200-    200-    200-
PUT /me/fix-digest                                      | 401     200     200     200     200     200     200     200     200     200
DELETE /me/fix-digest                                   | 401     204     204     204     204     204     204     204     204     204
GET /cases/{number}/contact-attempts                    | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
POST /cases/{number}/contact-attempts                   | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 201/404 201/404 201/201
GET /cases/{number}/resolutions                         | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
POST /cases/{number}/resolutions                        | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 201/404 201/404 201/201
POST /cases/{number}/milestones/{milestone_id}/done     | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 200/404 200/404 200/200
GET /cases/{number}/manager-requests                    | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
POST /cases/{number}/manager-requests                   | 401/401 403/404 422/404 422/404 422/404 404/404 404/404 422/404 422/404 422/422
GET /manager-requests                                   | 401     200-    200-    200-    200-    200-    200-    200+    200+    200+
GET /cases/{number}/feature-requests                    | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
POST /cases/{number}/feature-requests                   | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 201/404 201/404 201/201
GET /cases/{number}/third-party                         | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
POST /cases/{number}/third-party                        | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 201/404 201/404 201/201
GET /cases/{number}/diagnostics                         | 401/401 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
POST /cases/{number}/diagnostics                        | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 201/404 201/404 201/201
POST /cases/{number}/diagnostics/{request_id}/fulfil    | 401/401 403/404 403/404 403/404 403/404 404/404 404/404 200/404 200/404 200/200
GET /reports/contact-closures                           | 401     403     403     403     403     403     403     200-    200-    200-
GET /reports/resolutions                                | 401     403     403     403     403     403     403     200-    200-    200-
GET /reports/escalations                                | 401     403     403     403     403     403     403     200-    200-    200-
GET /reports/language-routing                           | 401     403     403     403     403     403     403     200-    200-    200-
POST /cases/{number}/manager-requests/{request_id}/answer| 401/401 403/404 403/404 403/404 403/404 404/404 404/404 403/404 403/404 200/200
""")
PAGE_GRID = _grid("""
#                                                       | anon    member  case_ad lic_adm p_activ p_ended p_none  engin   pdm     manager
GET console:action[take]                                | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
POST console:action[take]                               | login/login 403/403 403/403 403/403 403/403 403/403 403/403 302/404 302/404 302/302
GET console:action[assign]                              | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
POST console:action[assign]                             | login/login 403/403 403/403 403/403 403/403 403/403 403/403 302/404 302/404 302/302
GET console:action[escalate]                            | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
POST console:action[escalate]                           | login/login 403/403 403/403 403/403 403/403 403/403 403/403 302/404 302/404 302/302
GET console:action[transition]                          | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
POST console:action[transition]                         | login/login 403/403 403/403 403/403 403/403 403/403 403/403 302/404 302/404 302/302
GET console:action[comment]                             | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
POST console:action[comment]                            | login/login 403/403 403/403 403/403 403/403 403/403 403/403 302/404 302/404 302/302
GET console:action[severity]                            | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
POST console:action[severity]                           | login/login 403/403 403/403 403/403 403/403 403/403 403/403 302/404 302/404 302/302
GET console:case                                        | login/login 403/403 403/403 403/403 403/403 403/403 403/403 200/404 200/404 200/200
POST console:case                                       | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
GET console:kb                                          | login   403     403     403     403     403     403     200-    200-    200-
POST console:kb                                         | login   403     403     403     403     403     403     405     405     405
GET console:kb_edit                                     | login   403     403     403     403     403     403     200-    200-    200-
POST console:kb_edit                                    | login   403     403     403     403     403     403     302     302     302
GET console:kb_new                                      | login   403     403     403     403     403     403     200-    200-    200-
POST console:kb_new                                     | login   403     403     403     403     403     403     302     302     302
GET console:manager                                     | login   403     403     403     403     403     403     403     403     200+
POST console:manager                                    | login   403     403     403     403     403     403     405     405     405
GET console:mine                                        | login   403     403     403     403     403     403     200-    200-    200-
POST console:mine                                       | login   403     403     403     403     403     403     405     405     405
GET console:queue                                       | login   403     403     403     403     403     403     200-    200-    200+
POST console:queue                                      | login   403     403     403     403     403     403     405     405     405
GET portal:invitation                                   | 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200
POST portal:invitation                                  | 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422 422/422
GET portal:case                                         | login/login 200/404 200/404 200/404 200/404 404/404 404/404 200/404 200/404 200/200
POST portal:case                                        | 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
GET portal:case_comment                                 | login/login 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
POST portal:case_comment                                | login/login 403/404 302/404 302/404 302/404 404/404 404/404 302/404 302/404 302/302
GET portal:case_manager                                 | login/login 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
POST portal:case_manager                                | login/login 403/404 422/404 422/404 422/404 404/404 404/404 422/404 422/404 422/422
GET portal:case_new                                     | login   403     200-    200-    200-    403     403     200+    200+    200+
POST portal:case_new                                    | login   403     422     422     422     403     403     422     422     422
GET portal:case_severity                                | login/login 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
POST portal:case_severity                               | login/login 403/404 302/404 302/404 302/404 404/404 404/404 302/404 302/404 302/302
GET portal:case_survey                                  | login/login 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404
POST portal:case_survey                                 | login/login 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404
GET portal:case_transition                              | login/login 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
POST portal:case_transition                             | login/login 403/404 302/404 302/404 302/404 404/404 404/404 302/404 302/404 302/302
GET portal:cases                                        | login   200-    200-    200-    200-    200-    200-    200-    200-    200+
POST portal:cases                                       | 405     405     405     405     405     405     405     405     405     405
GET portal:download_digest                              | login   405     405     405     405     405     405     405     405     405
POST portal:download_digest                             | login   302     302     302     302     302     302     302     302     302
GET portal:download_file                                | login   302     302     302     302     403     403     302     302     302
POST portal:download_file                               | login   405     405     405     405     405     405     405     405     405
GET portal:download_version                             | login   200-    200-    200-    200-    404     404     200-    200-    200-
POST portal:download_version                            | login   405     405     405     405     405     405     405     405     405
GET portal:downloads                                    | login   200-    200-    200-    200-    200-    200-    200-    200-    200-
POST portal:downloads                                   | login   405     405     405     405     405     405     405     405     405
GET portal:home                                         | login   200-    200-    200-    200-    200-    200-    200-    200-    200+
POST portal:home                                        | 405     405     405     405     405     405     405     405     405     405
GET portal:kb                                           | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
POST portal:kb                                          | 405     405     405     405     405     405     405     405     405     405
GET portal:kb_article                                   | 404     200-    200-    200-    200-    200-    200-    200-    200-    200-
POST portal:kb_article                                  | 405     405     405     405     405     405     405     405     405     405
GET portal:kb_ask                                       | login   200-    200-    200-    200-    200-    200-    200-    200-    200-
POST portal:kb_ask                                      | login   405     405     405     405     405     405     405     405     405
GET portal:kb_open                                      | login/login 302/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404
POST portal:kb_open                                     | login/login 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
GET portal:kb_solved                                    | login/login 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
POST portal:kb_solved                                   | login/login 422/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404
GET portal:kb_suggest                                   | login   405     405     405     405     405     405     405     405     405
POST portal:kb_suggest                                  | login   200     200     200     200     200     200     200     200     200
GET portal:language                                     | 405     405     405     405     405     405     405     405     405     405
POST portal:language                                    | 302     302     302     302     302     302     302     302     302     302
GET portal:license_update_request                       | login/login 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
POST portal:license_update_request                      | login/login 403/404 302/404 302/404 302/404 404/404 404/404 403/403 403/403 403/403
GET portal:license                                      | login/login 200/404 200/404 200/404 200/404 404/404 404/404 200/200 200/200 200/200
POST portal:license                                     | 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
GET portal:licenses                                     | login   200-    200-    200-    200-    200-    200-    200+    200+    200+
POST portal:licenses                                    | 405     405     405     405     405     405     405     405     405     405
GET portal:login                                        | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
POST portal:login                                       | 200     200     200     200     200     200     200     200     200     200
GET portal:logout                                       | 405     405     405     405     405     405     405     405     405     405
POST portal:logout                                      | login   login   login   login   login   login   login   login   login   login
GET portal:password_reset                               | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
POST portal:password_reset                              | 302     302     302     302     302     302     302     302     302     302
GET portal:password_reset_confirm                       | 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200
POST portal:password_reset_confirm                      | login/login login/login login/login login/login login/login login/login login/login login/login login/login login/login
GET portal:password_reset_sent                          | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
POST portal:password_reset_sent                         | 405     405     405     405     405     405     405     405     405     405
GET portal:survey                                       | 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200
POST portal:survey                                      | 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200
GET portal:when                                         | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
POST portal:when                                        | 405     405     405     405     405     405     405     405     405     405
GET reports:backlog                                     | login   403     403     403     403     403     403     200-    200-    200-
POST reports:backlog                                    | login   405     405     405     405     405     405     405     405     405
GET reports:csv[sla]                                    | login   403     403     403     403     403     403     200-    200-    200-
POST reports:csv[sla]                                   | login   405     405     405     405     405     405     405     405     405
GET reports:csv[distribution]                           | login   403     403     403     403     403     403     200-    200-    200-
POST reports:csv[distribution]                          | login   405     405     405     405     405     405     405     405     405
GET reports:csv[breaches]                               | login   403     403     403     403     403     403     200-    200-    200-
POST reports:csv[breaches]                              | login   405     405     405     405     405     405     405     405     405
GET reports:csv[backlog]                                | login   403     403     403     403     403     403     200-    200-    200-
POST reports:csv[backlog]                               | login   405     405     405     405     405     405     405     405     405
GET reports:csv[flow]                                   | login   403     403     403     403     403     403     200-    200-    200-
POST reports:csv[flow]                                  | login   405     405     405     405     405     405     405     405     405
GET reports:csv[satisfaction]                           | login   403     403     403     403     403     403     403     403     200-
POST reports:csv[satisfaction]                          | login   405     405     405     405     405     405     405     405     405
GET reports:csv[comments]                               | login   403     403     403     403     403     403     403     403     200-
POST reports:csv[comments]                              | login   405     405     405     405     405     405     405     405     405
GET reports:satisfaction                                | login   403     403     403     403     403     403     403     403     200-
POST reports:satisfaction                               | login   405     405     405     405     405     405     405     405     405
GET reports:sla                                         | login   403     403     403     403     403     403     200-    200-    200-
POST reports:sla                                        | login   405     405     405     405     405     405     405     405     405

GET console:action[contact-attempt]                     | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
POST console:action[contact-attempt]                    | login/login 403/403 403/403 403/403 403/403 403/403 403/403 302/404 302/404 302/302
GET console:action[diagnostics]                         | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
POST console:action[diagnostics]                        | login/login 403/403 403/403 403/403 403/403 403/403 403/403 302/404 302/404 302/302
GET console:action[third-party]                         | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
POST console:action[third-party]                        | login/login 403/403 403/403 403/403 403/403 403/403 403/403 302/404 302/404 302/302
GET console:action[resolve]                             | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
POST console:action[resolve]                            | login/login 403/403 403/403 403/403 403/403 403/403 403/403 302/404 302/404 302/302
GET console:manager_answer                              | login/login 403/403 403/403 403/403 403/403 403/403 403/403 405/405 405/405 405/405
POST console:manager_answer                             | login/login 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403 302/302
GET portal:delegation_create                            | login   405     405     405     405     405     405     405     405     405
POST portal:delegation_create                           | login/login 403/403 403/403 302/422 403/403 403/403 403/403 302/302 302/302 302/302
GET portal:delegation_end                               | login/login 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
POST portal:delegation_end                              | login/login 403/404 403/404 302/404 404/404 404/404 404/404 302/302 302/302 302/302
GET portal:delegations                                  | login   200-    200-    200-    200-    200-    200-    200+    200+    200+
POST portal:delegations                                 | login   405     405     405     405     405     405     405     405     405
# People (R-1): a license administrator of the organization, by membership; a partner's own
# license administrator manages the partner's people only (the customer's are 404); the other
# members and staff (who manage people through the API and the admin) get the page's 403
GET portal:people                                       | login   403     403     200-    200-    200-    200-    403     403     403
POST portal:people                                      | login   405     405     405     405     405     405     405     405     405
GET portal:people_invite                                | login   405     405     405     405     405     405     405     405     405
POST portal:people_invite                               | login/login 403/403 403/403 302/422 422/422 422/422 422/422 403/403 403/403 403/403
GET portal:invitation_withdraw                          | login/login 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
POST portal:invitation_withdraw                         | login/login 403/403 403/403 302/404 404/404 404/404 404/404 403/403 403/403 403/403
GET portal:member_role                                  | login/login 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
POST portal:member_role                                 | login/login 403/403 403/403 302/404 404/404 404/404 404/404 403/403 403/403 403/403
GET portal:member_remove                                | login/login 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405
POST portal:member_remove                               | login/login 403/403 403/403 302/404 404/404 404/404 404/404 403/403 403/403 403/403
GET portal:phone                                        | 200-    200-    200-    200-    200-    200-    200-    200-    200-    200-
POST portal:phone                                       | 405     405     405     405     405     405     405     405     405     405
GET reports:csv[contact-closures]                       | login   403     403     403     403     403     403     200-    200-    200-
POST reports:csv[contact-closures]                      | login   405     405     405     405     405     405     405     405     405
GET reports:csv[resolutions]                            | login   403     403     403     403     403     403     200-    200-    200-
POST reports:csv[resolutions]                           | login   405     405     405     405     405     405     405     405     405
GET reports:csv[escalations]                            | login   403     403     403     403     403     403     200-    200-    200-
POST reports:csv[escalations]                           | login   405     405     405     405     405     405     405     405     405
GET reports:csv[language-routing]                       | login   403     403     403     403     403     403     200-    200-    200-
POST reports:csv[language-routing]                      | login   405     405     405     405     405     405     405     405     405
GET reports:work                                        | login   403     403     403     403     403     403     200-    200-    200-
POST reports:work                                       | login   405     405     405     405     405     405     405     405     405""")
ADMIN_OPEN = {
    "admin:login",
    "admin:logout",
    "admin:password_reset",
    "admin:password_reset_done",
    "admin:password_reset_confirm",
    "admin:password_reset_complete",
    "admin:view_on_site",
    "admin:javascript-catalog",
}


def admin_expected(key: str) -> tuple[str, ...]:
    """The admin is Django's: for active staff only, each model page for those granted the
    model's permissions (no staff role grants any); everyone else signs in at its door."""
    name = key.split(" ", 1)[1]
    if name in ADMIN_OPEN:
        return ()
    if name in (
        "admin:index",
        "admin:jsi18n",
        "admin:password_change",
        "admin:password_change_done",
    ):
        staff = "200-"  # every staff member may change their own password
    elif name == "admin:app_list":
        staff = "404"  # an app none of whose models the caller may see
    elif name.endswith(("_change", "_delete", "_history")):
        staff = "403|aindex"  # no such object: back to the index, before the permission
    else:
        staff = "403"
    return ("alogin",) * 7 + (staff,) * 3


# --- running a cell -------------------------------------------------------------------------

WRITE = re.compile(r"^\s*(?:WITH\b.*?\b)?(INSERT|UPDATE|DELETE|REPLACE)\b", re.I | re.S)
TABLE = re.compile(r'(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


class Writes:
    """Every INSERT, UPDATE and DELETE that changed a row while a request ran, by table."""

    def __init__(self) -> None:
        self.tables: Counter[str] = Counter()

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        result = execute(sql, params, many, context)
        # SQLite counts the rows of a statement with RETURNING only once they are fetched
        changed = context["cursor"].rowcount != 0 or " RETURNING " in sql.upper()
        if changed and WRITE.match(sql):
            match = TABLE.search(sql)
            self.tables[match.group(1) if match else sql[:40]] += 1
        return result


def _fill(text: str, values: dict[str, Any]) -> Any:
    whole = re.fullmatch(r"{(\w+)}", text)
    if whole:
        return values[whole.group(1)]
    return text.format(**values)


def _body(body: Any, values: dict[str, Any]) -> Any:
    if isinstance(body, str):
        return _fill(body, values)
    if isinstance(body, dict):
        return {k: _body(v, values) for k, v in body.items()}
    return body


def _send(world: World, route: Route, role: str, values: dict[str, Any]) -> Any:
    client = Client()
    path = route.path.format(**values)
    body = _body(route.body, values)
    if route.api:
        headers = {"Authorization": f"Bearer {world.tokens[role]}"} if role != "anonymous" else {}
        send = getattr(client, route.method.lower())
        if route.method in ("GET", "HEAD"):
            return send(API + path + API_QUERIES.get(route.key, ""), headers=headers)
        if isinstance(body, bytes):
            return send(
                API + path,
                data=body,
                content_type="application/offset+octet-stream",
                headers={**headers, "Upload-Offset": "0"},
            )
        data = "" if body is None else json.dumps(body)
        return send(API + path, data=data, content_type="application/json", headers=headers)
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    if route.method == "GET":
        return client.get(path)
    return client.post(path, body or {})


def _observed(response: HttpResponse, role: str) -> str:
    status = response.status_code
    if status == 302:
        location = response.headers.get("Location", "")
        if location.startswith("/login/"):
            return "login"
        if location.startswith("/admin/login/"):
            return "alogin"
        if location == "/admin/":
            return "aindex"
    return str(status)


def _text(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")  # type: ignore[attr-defined]
    return response.content.decode(errors="replace")


DENIED = {"401", "403", "404", "405", "login", "alogin", "aindex"}
#: a redirect to the sign-in page that is the route's success, not a refusal
SIGNS_OUT = {"POST portal:logout", "POST portal:password_reset_confirm"}
REFUSED = DENIED | {"400", "409", "413", "422", "429"}


@dataclass
class Tally:
    cells: int = 0
    unexpected_allows: int = 0
    problems: list[str] = field(default_factory=list)
    observed: dict[str, list[str]] = field(default_factory=dict)


def _cell(
    world: World, route: Route, role: str, target: str | None, tally: Tally, expected: str | None
) -> str:
    """Run one cell in a savepoint rolled back after it; what it answered, in grid terms."""
    scope = world.scopes[target or "own"]
    values = {**world.shared, **scope.values}
    other = world.scopes["other"]
    caches["default"].clear()
    writes = Writes()
    with transaction.atomic():
        with connection.execute_wrapper(writes):
            response = _send(world, route, role, values)
        text = _text(response) if route.method != "HEAD" else ""
        transaction.set_rollback(True)
    got = _observed(response, role)
    where = f"{route.key} {role}/{target or '*'}"
    tally.cells += 1
    if expected is not None:
        wanted = expected.rstrip("+-")
        shows = expected[len(wanted) :]
        if got not in wanted.split("|"):
            tally.problems.append(f"{where}: {got}, expected {wanted}")
            if set(wanted.split("|")) <= DENIED and got not in REFUSED:
                tally.unexpected_allows += 1
        leaked = [m for m in other.markers if m in text]
        if ((target == "other" and wanted in DENIED) or shows == "-") and leaked:
            tally.problems.append(f"{where}: shows another organization's {leaked}")
        if shows == "+" and not leaked:
            tally.problems.append(f"{where}: shows none of the other organization's objects")
    if got in REFUSED and writes.tables and route.key not in SIGNS_OUT:
        tally.problems.append(f"{where}: refused ({got}) but wrote {dict(writes.tables)}")
    disposition = response.headers.get("Content-Disposition", "")
    if disposition and not disposition.startswith("attachment;"):
        tally.problems.append(f"{where}: shown inline ({disposition})")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        tally.problems.append(f"{where}: no X-Content-Type-Options: nosniff")
    if role in CUSTOMERS and world.scopes["own"].internal in text:
        tally.problems.append(f"{where}: a customer reads an internal comment")
    uniform = {"errors": [{"field": None, "message": "Not found."}]}
    if route.api and got == "404" and route.method != "HEAD" and json.loads(text) != uniform:
        tally.problems.append(f"{where}: a 404 that is not the uniform one")
    if not route.scoped and route.method == "GET" and got == "200":
        got += "+" if [m for m in other.markers if m in text] else "-"
    return got


def _run(
    world: World, routes: list[Route], grid: Callable[[Route], tuple[str, ...] | None]
) -> Tally:
    tally = Tally()
    for route in routes:
        row = grid(route)
        if row == ():
            continue  # a public door of the admin: test_routes covers it
        cells = []
        for index, role in enumerate(ROLES):
            if route.scoped:
                wanted = row[index].split("/") if row else [None, None]
                own = _cell(world, route, role, "own", tally, wanted[0])
                oth = _cell(
                    world, route, role, "other", tally, wanted[1] if len(wanted) > 1 else None
                )
                cells.append(f"{own}/{oth}")
            else:
                cells.append(_cell(world, route, role, None, tally, row[index] if row else None))
        tally.observed[route.key] = cells
        if row is None:
            tally.problems.append(f"{route.key}: no rule")
        elif not all(c in w.split("|") for c, w in zip(cells, row, strict=True)) and not any(
            route.key in p for p in tally.problems
        ):
            tally.problems.append(f"{route.key}: answered {cells}")
    return tally


def _report(tally: Tally, what: str) -> str:
    rows = [
        f"{key:<58}| " + " ".join(f"{c:<7}" for c in cells)
        for key, cells in tally.observed.items()
        if any(key in p for p in tally.problems)
    ]
    return "\n".join(
        [
            f"{what}: {len(tally.problems)} problems",
            *tally.problems[:80],
            "rows as observed:",
            *rows,
        ]
    )


@pytest.fixture(scope="module")
def shared_world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    root = tmp_path_factory.mktemp("matrix-storage")
    with django_db_blocker.unblock(), transaction.atomic():
        yield build(root)
        transaction.set_rollback(True)


@pytest.fixture
def world(shared_world: World, db: None, settings: Settings) -> World:
    settings.UPLOAD_STORAGE = {"backend": "local", "root": shared_world.storage_root}
    return shared_world


def test_api_matrix(world: World) -> None:
    routes = api_routes()
    tally = _run(world, routes, lambda route: API_GRID.get(route.key))
    print(
        f"API: {len(routes)} operations, {tally.cells} cells, "
        f"{tally.unexpected_allows} unexpected allows"
    )
    assert not tally.problems, _report(tally, "API")
    assert (tally.cells, tally.unexpected_allows) == (2030, 0)
    assert set(API_GRID) == {route.key for route in routes}  # no row outlives its route


def test_page_matrix(world: World) -> None:
    routes = [route for route in page_routes() if not route.key.split(" ")[1].startswith("admin:")]
    tally = _run(world, routes, lambda route: PAGE_GRID.get(route.key))
    print(
        f"pages: {len(routes)} routes, {tally.cells} cells, "
        f"{tally.unexpected_allows} unexpected allows"
    )
    assert not tally.problems, _report(tally, "pages")
    assert (tally.cells, tally.unexpected_allows) == (2060, 0)
    assert set(PAGE_GRID) == {route.key for route in routes}


def test_admin_matrix(world: World) -> None:
    routes = [route for route in page_routes() if route.key.split(" ")[1].startswith("admin:")]
    tally = _run(world, routes, lambda route: admin_expected(route.key))
    print(
        f"admin: {len(routes)} routes, {tally.cells} cells, "
        f"{tally.unexpected_allows} unexpected allows"
    )
    assert not tally.problems, _report(tally, "admin")
    assert (tally.cells, tally.unexpected_allows) == (2120, 0)


def test_the_write_recorder_sees_every_write_and_no_read(db: None) -> None:
    from supportdesk.accounts.models import Organization
    from supportdesk.audit.models import AuditEvent
    from tests.accounts.factories import OrganizationFactory

    writes = Writes()
    with connection.execute_wrapper(writes):
        org = OrganizationFactory.create(name="Recorded")
        Organization.objects.filter(pk=org.pk).update(name="Renamed")
        Organization.objects.filter(pk=-1).update(name="nobody")  # changes no row
        list(Organization.objects.all())
        list(AuditEvent.objects.all())
        org.delete()

    assert dict(writes.tables) == {"accounts_organization": 3}
