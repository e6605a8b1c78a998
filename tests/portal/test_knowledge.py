"""Knowledge-base pages: search and browse what the viewer may read, an article in the
viewer's language, and the wizard's suggestions with their deflection record."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from supportdesk.knowledge.models import Deflection, SuggestionShown
from tests.accounts.factories import MembershipFactory, PersonFactory
from tests.knowledge.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def _titles(html: str) -> list[str]:
    return re.findall(r'<a href="/kb/[^"]+">([^<]+)</a>', html)


def test_anonymous_visitors_find_public_articles_only(client: Client) -> None:
    ArticleFactory.create(title="Restore guide", visibility="public", body="Restore a VM.")
    ArticleFactory.create(title="Restore internals", visibility="customers", body="Restore.")

    response = client.get("/kb/?q=restore")

    assert response.status_code == 200
    assert _titles(response.content.decode()) == ["Restore guide"]


def test_signed_in_customers_also_find_customer_articles(client: Client) -> None:
    ArticleFactory.create(title="Restore guide", visibility="public", body="Restore a VM.")
    ArticleFactory.create(title="Restore internals", visibility="customers", body="Restore.")
    ArticleFactory.create(title="Restore notes", visibility="internal", body="Restore.")
    client.force_login(MembershipFactory.create().user)

    response = client.get("/kb/?q=restore", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the htmx partial
    assert sorted(_titles(response.content.decode())) == ["Restore guide", "Restore internals"]


def test_browsing_by_category_lists_newest_first(client: Client) -> None:
    howto = CategoryFactory.create(slug="howto", name="How-to")
    ArticleFactory.create(title="In how-to", category=howto, visibility="public")
    ArticleFactory.create(title="Elsewhere", visibility="public")

    response = client.get("/kb/?category=howto")

    assert _titles(response.content.decode()) == ["In how-to"]
    assert client.get("/kb/?category=nope").status_code == 422


def test_an_article_opens_in_the_viewer_s_language_with_its_translations(client: Client) -> None:
    ArticleFactory.create(slug="rescan", title="Rescan", language="en", visibility="public")
    ArticleFactory.create(slug="rescan", title="Neu scannen", language="de", visibility="public")
    viewer = PersonFactory.create(language="de")
    client.force_login(viewer)

    page = client.get("/kb/rescan/").content.decode()

    assert "<h1>Neu scannen</h1>" in page
    assert 'hreflang="en"' in page
    assert "<h1>Rescan</h1>" in client.get("/kb/rescan/?lang=en").content.decode()


def test_a_hidden_article_is_not_found(client: Client) -> None:
    ArticleFactory.create(slug="secret", visibility="internal")

    assert client.get("/kb/secret/").status_code == 404


def test_pages_have_no_inline_scripts_or_styles(client: Client) -> None:
    ArticleFactory.create(slug="a", title="Rescan", visibility="public")
    client.force_login(MembershipFactory.create().user)
    for url in ["/kb/", "/kb/?q=rescan", "/kb/a/", "/kb/ask/"]:
        html = client.get(url).content.decode()
        assert "<style" not in html, url
        assert re.findall(r"<script(?![^>]*\bsrc=)", html) == [], url
        assert " style=" not in html, url
        assert " onclick=" not in html, url


def test_the_wizard_suggests_while_typing_and_records_the_session(client: Client) -> None:
    user = MembershipFactory.create(role="case_admin").user
    article = ArticleFactory.create(title="VSS writer timeout", body="Restart the VSS service.")
    client.force_login(user)

    first = client.post("/kb/suggest/", {"text": "vss wri"}).content.decode()
    deflection = Deflection.objects.get()
    assert f'name="deflection" value="{deflection.pk}"' in first
    assert "VSS writer timeout" in first
    client.post("/kb/suggest/", {"text": "vss writer", "deflection": deflection.pk})

    assert Deflection.objects.count() == 1
    shown = SuggestionShown.objects.get()
    assert (shown.article, shown.query, shown.times_shown) == (article, "vss wri", 2)

    done = client.post(f"/kb/sessions/{deflection.pk}/solved/", {"article": article.pk})

    assert done.status_code == 200
    assert "no case was opened" in done.content.decode()
    deflection.refresh_from_db()
    assert (deflection.outcome, deflection.resolved_by) == ("deflected", article)


def test_someone_else_s_session_is_not_found(client: Client) -> None:
    theirs = Deflection.objects.create(
        user=PersonFactory.create(), started_at="2026-11-02T09:00:00Z"
    )
    client.force_login(PersonFactory.create())

    assert client.post("/kb/suggest/", {"text": "x", "deflection": theirs.pk}).status_code == 404
    assert client.post(f"/kb/sessions/{theirs.pk}/solved/", {"article": 1}).status_code == 404
    assert SuggestionShown.objects.count() == 0


def test_the_wizard_pages_need_a_sign_in(client: Client) -> None:
    assert client.get("/kb/ask/").status_code == 302
    assert client.post("/kb/suggest/", {"text": "x"}).status_code == 302
    assert Deflection.objects.count() == 0


def test_a_suggestion_opened_is_recorded_and_leads_to_the_article(client: Client) -> None:
    user = MembershipFactory.create(role="case_admin").user
    article = ArticleFactory.create(slug="vss", title="VSS writer timeout", body="Restart it.")
    client.force_login(user)
    first = client.post("/kb/suggest/", {"subject": "vss", "description": "writer time"})
    deflection = Deflection.objects.get()
    link = f"/kb/sessions/{deflection.pk}/articles/{article.pk}/"
    assert f'href="{link}"' in first.content.decode()

    opened = client.get(link)

    assert opened.status_code == 302
    assert opened["Location"] == "/kb/vss/?lang=en"
    shown = SuggestionShown.objects.get()
    assert (shown.query, shown.times_opened) == ("vss writer time", 1)
    assert shown.first_opened_at is not None


def test_nothing_typed_starts_no_session(client: Client) -> None:
    client.force_login(MembershipFactory.create(role="case_admin").user)

    response = client.post("/kb/suggest/", {"subject": " ", "description": ""})

    assert response.status_code == 200
    assert Deflection.objects.count() == 0


def test_a_suggestion_not_shown_or_of_someone_else_is_not_found(client: Client) -> None:
    user = MembershipFactory.create(role="case_admin").user
    article = ArticleFactory.create(title="VSS writer timeout", body="Restart it.")
    hidden = ArticleFactory.create(title="Other", body="Other.")
    client.force_login(user)
    client.post("/kb/suggest/", {"text": "vss"})
    deflection = Deflection.objects.get()
    client.force_login(PersonFactory.create())

    theirs = client.get(f"/kb/sessions/{deflection.pk}/articles/{article.pk}/")
    client.force_login(user)
    not_shown = client.get(f"/kb/sessions/{deflection.pk}/articles/{hidden.pk}/")

    assert (theirs.status_code, not_shown.status_code) == (404, 404)
    assert SuggestionShown.objects.get().times_opened == 0
