"""The permission matrix of the knowledge base (R-3): every role against articles of every
visibility, the catalog operations, and wizard sessions (deflection records) of the caller and
of someone else.

Reuses the roles, world and tokens of ``test_permission_matrix``. Each cell asserts the exact
status; a refused write (or any read) also asserts that nothing changed, audit trail included;
an allowed article or category write leaves exactly one audit event; suggestions are a log of
what was shown, so starting a session and asking for suggestions write only the session's
own rows (no audit event), and deciding it is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models, transaction
from django.test import Client

from supportdesk.knowledge.models import Article, Category, Deflection, SuggestionShown
from tests.accounts.factories import CREATED, MembershipFactory
from tests.api.calls import call
from tests.api.test_permission_matrix import ROLES, TABLES, World, _build_world, _token
from tests.knowledge.factories import (
    ArticleFactory,
    CategoryFactory,
    DeflectionFactory,
    SuggestionShownFactory,
)

pytestmark = pytest.mark.django_db

KB_TABLES: tuple[type[models.Model], ...] = (
    *TABLES,
    Category,
    Article,
    Article.products.through,
    Deflection,
    SuggestionShown,
)
LOGS = {"Deflection", "SuggestionShown"}
KINDS = ("public", "customers", "internal", "draft")
WORD = "zebrafinch"


@dataclass
class KbWorld:
    world: World
    category: Category
    spare_category: Category
    articles: dict[str, Article]
    own: dict[str, Deflection]  # by role: a session of the caller
    other: Deflection  # someone else's session


def _build() -> KbWorld:
    world = _build_world()
    category = CategoryFactory.create(slug="howto")
    articles = {
        kind: ArticleFactory.create(
            slug=f"a-{kind}",
            title=f"{WORD} {kind}",
            category=category,
            visibility="public" if kind == "draft" else kind,
            status="draft" if kind == "draft" else "published",
            published_at=None if kind == "draft" else CREATED,
        )
        for kind in KINDS
    }

    def session(user: Any) -> Deflection:
        deflection = DeflectionFactory.create(user=user)
        SuggestionShownFactory.create(deflection=deflection, article=articles["public"])
        return deflection

    stranger = MembershipFactory.create(organization=world.scopes["other"].org).user
    return KbWorld(
        world=world,
        category=category,
        spare_category=CategoryFactory.create(slug="spare"),
        articles=articles,
        own={role: session(user) for role, user in world.users.items() if user is not None},
        other=session(stranger),
    )


@pytest.fixture(scope="module")
def shared_kb(django_db_setup: None, django_db_blocker: Any) -> Iterator[KbWorld]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture
def kb(shared_kb: KbWorld, db: None) -> KbWorld:
    return shared_kb


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        table._meta.label: list(table._default_manager.order_by("pk").values())
        for table in KB_TABLES
    }


def _parse(grid: str) -> dict[str, dict[str, tuple[Any, ...]]]:
    rows: dict[str, dict[str, tuple[Any, ...]]] = {}
    for line in grid.strip().splitlines()[1:]:
        op, *cells = line.split()
        parsed = [
            tuple({"in": True, "out": False}.get(part, part) for part in cell.split("/"))
            for cell in cells
        ]
        rows[op] = dict(zip(ROLES, parsed, strict=True))
    return rows


def _status(value: Any) -> Any:
    return value if isinstance(value, bool) else int(value)


# --- articles of each visibility, and a draft -------------------------------------------------

ARTICLE_OPS: dict[str, tuple[str, str, Any]] = {
    "article.get": ("GET", "/knowledge/articles/{article}", None),
    "article.list": ("GET", "/knowledge/articles?page_size=100", None),
    "article.search": ("GET", f"/knowledge/search?q={WORD}&limit=50", None),
    "article.patch": ("PATCH", "/knowledge/articles/{article}", {"title": f"{WORD} renamed"}),
    "article.delete": ("DELETE", "/knowledge/articles/{article}", None),
}
# One row per operation and kind of article, one column per role.
ARTICLE_GRID = """
op                     anon member case   license p_active p_expired p_future staff
article.get:public     200  200    200    200     200      200       200      200
article.get:customers  404  200    200    200     200      200       200      200
article.get:internal   404  404    404    404     404      404       404      200
article.get:draft      404  404    404    404     404      404       404      200
article.list:public    in   in     in     in      in       in        in       in
article.list:customers out  in     in     in      in       in        in       in
article.list:internal  out  out    out    out     out      out       out      in
article.list:draft     out  out    out    out     out      out       out      in
article.search:public  in   in     in     in      in       in        in       in
article.search:customers out in    in     in      in       in        in       in
article.search:internal out out    out    out     out      out       out      in
article.search:draft   out  out    out    out     out      out       out      in
article.patch:public   401  403    403    403     403      403       403      200
article.patch:customers 401 403    403    403     403      403       403      200
article.patch:internal 401  404    404    404     404      404       404      200
article.patch:draft    401  404    404    404     404      404       404      200
article.delete:public  401  403    403    403     403      403       403      204
article.delete:customers 401 403   403    403     403      403       403      204
article.delete:internal 401 404    404    404     404      404       404      204
article.delete:draft   401  404    404    404     404      404       404      204
"""
ARTICLES = _parse(ARTICLE_GRID)
ARTICLE_CELLS = [(op, role, kind) for op in ARTICLE_OPS for role in ROLES for kind in KINDS]


def _assert_unchanged_or_audited(method: str, status: int, before: Any, after: Any) -> None:
    if method != "GET" and status < 400:
        audit = "audit.AuditEvent"
        assert len(after[audit]) == len(before[audit]) + 1
    else:
        assert after == before


@pytest.mark.parametrize(("op", "role", "kind"), ARTICLE_CELLS)
def test_article_matrix(client: Client, kb: KbWorld, op: str, role: str, kind: str) -> None:
    method, path, body = ARTICLE_OPS[op]
    article = kb.articles[kind]
    expected = _status(ARTICLES[f"{op}:{kind}"][role][0])
    before = snapshot()

    status, answer = call(client, method, path.format(article=article.pk), body,
                          token=_token(role))  # fmt: skip

    if isinstance(expected, bool):
        assert status == 200
        items = answer["items"] if op == "article.list" else answer
        assert (article.pk in [item["id"] for item in items]) is expected
    else:
        assert status == expected, answer
        if status == 404:
            assert answer == {"errors": [{"field": None, "message": "Not found."}]}
    _assert_unchanged_or_audited(method, status, before, snapshot())


# --- the catalog: the same for everyone ------------------------------------------------------

CATALOG_OPS: dict[str, tuple[str, str, Any]] = {
    "category.list": ("GET", "/knowledge/categories", None),
    "category.post": ("POST", "/knowledge/categories", {"slug": "new", "name": "New"}),
    "category.patch": ("PATCH", "/knowledge/categories/{category}", {"name": "Renamed"}),
    "category.delete": ("DELETE", "/knowledge/categories/{spare}", None),
    "category.delete_used": ("DELETE", "/knowledge/categories/{category}", None),
    "article.post": (
        "POST",
        "/knowledge/articles",
        {"slug": "new", "language": "en", "title": "T", "body": "B", "category": "howto"},
    ),
    "deflection.figures": ("GET", "/knowledge/deflection-figures", None),
}
CATALOG_GRID = """
op                   anon member case license p_active p_expired p_future staff
category.list        200  200    200  200     200      200       200      200
category.post        401  403    403  403     403      403       403      201
category.patch       401  403    403  403     403      403       403      200
category.delete      401  403    403  403     403      403       403      204
category.delete_used 401  403    403  403     403      403       403      409
article.post         401  403    403  403     403      403       403      201
deflection.figures   401  403    403  403     403      403       403      200
"""
CATALOG = _parse(CATALOG_GRID)


@pytest.mark.parametrize(("op", "role"), [(op, role) for op in CATALOG_OPS for role in ROLES])
def test_catalog_matrix(client: Client, kb: KbWorld, op: str, role: str) -> None:
    method, path, body = CATALOG_OPS[op]
    url = path.format(category=kb.category.pk, spare=kb.spare_category.pk)
    before = snapshot()

    status, answer = call(client, method, url, body, token=_token(role))

    assert status == _status(CATALOG[op][role][0]), answer
    _assert_unchanged_or_audited(method, status, before, snapshot())


# --- wizard sessions: each cell <the caller's own>/<someone else's> ---------------------------

SESSION_OPS: dict[str, tuple[str, str, Any]] = {
    "deflection.get": ("GET", "/knowledge/deflections/{deflection}", None),
    "deflection.post": ("POST", "/knowledge/deflections", "organization"),
    "deflection.suggest": (
        "POST",
        "/knowledge/deflections/{deflection}/suggestions",
        {"text": WORD},
    ),
    "deflection.opened": (
        "POST",
        "/knowledge/deflections/{deflection}/opened",
        "article",
    ),
    "deflection.outcome": (
        "POST",
        "/knowledge/deflections/{deflection}/outcome",
        "deflected",
    ),
}
# deflection.post starts a session for the own organization / another organization.
SESSION_GRID = """
op                 anon    member  case    license p_active p_expired p_future staff
deflection.get     401/401 200/404 200/404 200/404 200/404  200/404   200/404  200/200
deflection.post    401/401 201/404 201/404 201/404 201/404  404/404   404/404  201/201
deflection.suggest 401/401 200/404 200/404 200/404 200/404  200/404   200/404  200/403
deflection.opened  401/401 200/404 200/404 200/404 200/404  200/404   200/404  200/403
deflection.outcome 401/401 200/404 200/404 200/404 200/404  200/404   200/404  200/403
"""
SESSIONS = _parse(SESSION_GRID)
TARGETS = ("own", "other")


def _session_request(kb: KbWorld, op: str, role: str, target: str) -> tuple[str, str, Any]:
    method, path, body = SESSION_OPS[op]
    deflection = kb.other if target == "other" else kb.own.get(role, kb.other)
    if body == "organization":
        body = {"language": "en", "organization": kb.world.scopes[target].org.pk}
    elif body == "article":
        body = {"article": kb.articles["public"].pk}
    elif body == "deflected":
        body = {"outcome": "deflected", "article": kb.articles["public"].pk}
    return method, path.format(deflection=deflection.pk), body


@pytest.mark.parametrize(
    ("op", "role", "target"), [(op, r, t) for op in SESSION_OPS for r in ROLES for t in TARGETS]
)
def test_session_matrix(client: Client, kb: KbWorld, op: str, role: str, target: str) -> None:
    method, url, body = _session_request(kb, op, role, target)
    expected = _status(SESSIONS[op][role][TARGETS.index(target)])
    before = snapshot()

    status, answer = call(client, method, url, body, token=_token(role))

    assert status == expected, answer
    after = snapshot()
    if status >= 400 or method == "GET":
        assert after == before
    elif op == "deflection.outcome":
        assert len(after["audit.AuditEvent"]) == len(before["audit.AuditEvent"]) + 1
        assert answer["outcome"] == "deflected"
    else:  # a log of the session: its own rows only
        changed = {label for label in after if after[label] != before[label]}
        assert changed <= {f"knowledge.{name}" for name in LOGS}
        assert changed


def test_the_matrix_size() -> None:
    assert set(ARTICLES) == {f"{op}:{kind}" for op in ARTICLE_OPS for kind in KINDS}
    assert set(CATALOG) == set(CATALOG_OPS)
    assert set(SESSIONS) == set(SESSION_OPS)
    assert set(PORTAL_SESSIONS) == set(PORTAL_SESSION_OPS)
    assert (len(ARTICLE_CELLS), len(CATALOG_OPS) * len(ROLES), len(SESSION_OPS) * 16) == (
        160,
        56,
        80,
    )


# --- the portal's wizard session pages: each cell <the caller's own>/<someone else's> ---------

PORTAL_SESSION_OPS: dict[str, tuple[str, str]] = {
    "kb.suggest": ("POST", "/kb/suggest/"),
    "kb.open": ("GET", "/kb/sessions/{deflection}/articles/{article}/"),
    "kb.solved": ("POST", "/kb/sessions/{deflection}/solved/"),
}
# "login": sent to sign in; a suggestion opened answers a redirect to the article.
PORTAL_SESSION_GRID = """
op         anon        member  case    license p_active p_expired p_future staff
kb.suggest login/login 200/404 200/404 200/404 200/404  200/404   200/404  200/403
kb.open    login/login 302/404 302/404 302/404 302/404  302/404   302/404  302/404
kb.solved  login/login 200/404 200/404 200/404 200/404  200/404   200/404  200/404
"""
PORTAL_SESSIONS = _parse(PORTAL_SESSION_GRID)


@pytest.mark.parametrize(
    ("op", "role", "target"),
    [(op, r, t) for op in PORTAL_SESSION_OPS for r in ROLES for t in TARGETS],
)
def test_portal_session_matrix(
    client: Client, kb: KbWorld, op: str, role: str, target: str
) -> None:
    user = kb.world.users[role]
    if user is not None:
        client.force_login(user)
    deflection = kb.other if target == "other" else kb.own.get(role, kb.other)
    article = kb.articles["public"]
    method, path = PORTAL_SESSION_OPS[op]
    url = path.format(deflection=deflection.pk, article=article.pk)
    data = {"deflection": deflection.pk, "text": WORD, "article": article.pk}
    expected = PORTAL_SESSIONS[op][role][TARGETS.index(target)]
    before = snapshot()

    response = client.get(url) if method == "GET" else client.post(url, data)

    after = snapshot()
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    else:
        assert response.status_code == int(expected)
    if response.status_code >= 400 or expected == "login":
        assert after == before
    elif op == "kb.solved":
        assert len(after["audit.AuditEvent"]) == len(before["audit.AuditEvent"]) + 1
    else:  # a log of the session: its own rows only
        changed = {label for label in after if after[label] != before[label]}
        assert changed
        assert changed <= {f"knowledge.{name}" for name in LOGS}
