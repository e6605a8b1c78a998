"""Staff write articles in the admin, through the services (audited); pages render."""

from __future__ import annotations

import pytest
from django.test import Client

from supportdesk.accounts.models import User
from supportdesk.audit.models import AuditEvent
from supportdesk.knowledge.models import Article
from tests.accounts.factories import StaffFactory
from tests.knowledge.factories import ArticleFactory, CategoryFactory, SuggestionShownFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(StaffFactory.create(username="sam", is_superuser=True))
    return client


def test_list_and_change_pages_render(staff: Client) -> None:
    shown = SuggestionShownFactory.create()
    for url in [
        "/admin/knowledge/category/",
        f"/admin/knowledge/category/{shown.article.category_id}/change/",
        "/admin/knowledge/article/",
        f"/admin/knowledge/article/{shown.article_id}/change/",
        "/admin/knowledge/deflection/",
        f"/admin/knowledge/deflection/{shown.deflection_id}/change/",
    ]:
        assert staff.get(url).status_code == 200, url


def test_writing_an_article_in_the_admin_goes_through_the_service(staff: Client) -> None:
    category = CategoryFactory.create(slug="howto")
    form = {
        "slug": "rescan",
        "language": "de",
        "title": "Neu scannen",
        "summary": "",
        "body": "Scannen Sie neu.",
        "category": category.pk,
        "visibility": "public",
        "status": "published",
    }

    response = staff.post("/admin/knowledge/article/add/", form)

    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.stemming, article.status, article.author) == (
        "german",
        "published",
        User.objects.get(username="sam"),
    )
    assert article.published_at is not None
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["article.create"]


def test_a_second_translation_in_the_same_language_is_refused_on_the_form(staff: Client) -> None:
    existing = ArticleFactory.create(slug="rescan", language="en")
    form = {
        "slug": "rescan",
        "language": "en",
        "title": "Again",
        "summary": "",
        "body": "x",
        "category": existing.category_id,
        "visibility": "public",
        "status": "draft",
    }

    response = staff.post("/admin/knowledge/article/add/", form)

    assert response.status_code == 200
    assert "already has a translation in this language" in response.content.decode()
    assert Article.objects.count() == 1
