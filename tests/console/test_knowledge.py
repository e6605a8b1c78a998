"""The console's knowledge-base pages (R-3): staff list, write, translate and publish
articles through the knowledge services; refusals name the field and change nothing; two
writers cannot overwrite each other."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from supportdesk.audit.models import AuditEvent
from supportdesk.knowledge.models import Article
from supportdesk.knowledge.search import Filters, search
from tests.accounts.factories import EngineerFactory, OrganizationFactory, member
from tests.knowledge.factories import ArticleFactory, CategoryFactory
from tests.licensing.factories import ProductFactory, ProductVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer() -> Client:
    client = Client()
    client.force_login(EngineerFactory.create(username="wendy", time_zone="Europe/Prague"))
    return client


def _fields(article: Article | None = None, **changes: Any) -> dict[str, Any]:
    category = article.category if article else CategoryFactory.create()
    data: dict[str, Any] = {
        "slug": "vss-writer-timeout",
        "language": "en",
        "title": "VSS writer times out",
        "summary": "When the snapshot of a busy volume takes too long.",
        "body": "Raise the writer timeout.\n\nThen run the job again.",
        "category": category.pk,
        "visibility": "customers",
        "status": "draft",
    }
    if article is not None:
        data |= {
            "slug": article.slug,
            "language": article.language,
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "visibility": article.visibility,
            "status": article.status,
            "expected_updated_at": article.updated_at.isoformat(),
        }
    return data | changes


def test_only_staff_reach_the_knowledge_base_pages() -> None:
    article = ArticleFactory.create()
    customer = Client()
    customer.force_login(member(OrganizationFactory.create(), "case_admin"))
    for url in ("/console/kb/", "/console/kb/new/", f"/console/kb/{article.pk}/"):
        assert Client().get(url).status_code == 302  # sign in first
        assert customer.get(url).status_code == 403
    before = Article.objects.count()
    assert customer.post("/console/kb/new/", _fields()).status_code == 403
    assert Article.objects.count() == before


def test_a_writer_creates_a_draft_then_publishes_it_and_customers_find_it(writer: Client) -> None:
    product = ProductFactory.create(name="Backup")
    version = ProductVersionFactory.create(product=product, version="12.1")
    answer = writer.post("/console/kb/new/", _fields(products=[product.pk], versions=[version.pk]))
    assert answer.status_code == 302
    article = Article.objects.get(slug="vss-writer-timeout")
    assert answer["Location"] == f"/console/kb/{article.pk}/"
    assert article.author is not None
    assert (article.status, article.published_at, article.author.username) == (
        "draft",
        None,
        "wendy",
    )
    assert list(article.products.all()) == [product]
    assert list(article.versions.all()) == [version]
    customers = Filters(audience="customer")
    assert search("writer timeout", customers) == []  # a draft

    page = writer.get(f"/console/kb/{article.pk}/")
    assert page.status_code == 200
    assert "Raise the writer timeout." in page.content.decode()
    published = writer.post(
        f"/console/kb/{article.pk}/",
        _fields(article, status="published", products=[product.pk], versions=[version.pk]),
    )
    assert published.status_code == 302
    article.refresh_from_db()
    assert article.status == "published"
    assert article.published_at is not None
    assert [hit.article_id for hit in search("writer timeout", customers)] == [article.pk]
    actions = list(
        AuditEvent.objects.filter(target_type="knowledge.article", target_id=str(article.pk))
        .order_by("at", "pk")
        .values_list("action", "actor__username")
    )
    assert actions == [("article.create", "wendy"), ("article.update", "wendy")]
    history = writer.get(f"/console/kb/{article.pk}/").content.decode()
    assert "article.update" in history
    assert "as customers see it" in history


def test_bad_input_names_the_field_and_writes_nothing(writer: Client) -> None:
    taken = ArticleFactory.create(slug="vss-writer-timeout", language="en")
    cases: dict[str, dict[str, Any]] = {
        "title": {"title": ""},
        "slug": {"slug": "not a slug!"},
        "language": {"language": "en"},  # the slug already has an English translation
        "category": {"category": "999999"},
        "visibility": {"visibility": "everyone"},
        "status": {"status": "gone"},
    }
    for field, change in cases.items():
        before = (Article.objects.count(), AuditEvent.objects.count())
        answer = writer.post("/console/kb/new/", _fields(None, **change))
        assert answer.status_code == 422, field
        assert f"{field}:" in answer.content.decode(), field
        assert (Article.objects.count(), AuditEvent.objects.count()) == before, field
    taken.refresh_from_db()
    assert taken.title.startswith("Article")


def test_a_second_writer_saving_a_stale_copy_gets_a_conflict_not_an_overwrite(
    writer: Client,
) -> None:
    article = ArticleFactory.create(title="Restore a single file")
    seen = _fields(article)  # both writers open the page
    other = Client()
    other.force_login(EngineerFactory.create(username="otto"))
    assert other.post(f"/console/kb/{article.pk}/", seen | {"title": "Otto's"}).status_code == 302
    events = AuditEvent.objects.count()
    answer = writer.post(f"/console/kb/{article.pk}/", seen | {"title": "Wendy's"})
    assert answer.status_code == 409
    assert "Someone else saved this article" in answer.content.decode()
    article.refresh_from_db()
    assert article.title == "Otto's"
    assert AuditEvent.objects.count() == events


def test_a_translation_starts_from_the_original(writer: Client) -> None:
    product = ProductFactory.create()
    original = ArticleFactory.create(slug="restore-file", visibility="public")
    original.products.set([product])
    form = writer.get(f"/console/kb/new/?translation_of={original.pk}").content.decode()
    assert 'value="restore-file"' in form
    assert writer.get("/console/kb/new/?translation_of=999999").status_code == 404
    answer = writer.post(
        "/console/kb/new/",
        _fields(
            original,
            language="cs",
            title="Obnova jednoho souboru",
            products=[product.pk],
            expected_updated_at="",
        ),
    )
    assert answer.status_code == 302
    czech = Article.objects.get(slug="restore-file", language="cs")
    assert czech.visibility == "public"
    page = writer.get(f"/console/kb/{original.pk}/").content.decode()
    assert f"/console/kb/{czech.pk}/" in page


def test_the_list_filters_searches_and_pages(writer: Client) -> None:
    category = CategoryFactory.create(name="Tapes")
    for n in range(55):
        ArticleFactory.create(title=f"Tape drive {n}", category=category, updated_at=timezone.now())
    ArticleFactory.create(title="Vault rotation", status="draft", body="Rotate weekly.")
    ArticleFactory.create(title="Internal note", visibility="internal", language="cs")
    first = writer.get("/console/kb/").content.decode()
    assert first.count('<td><a href="/console/kb/') == 50
    assert "page=2" in first
    second = writer.get("/console/kb/?page=2").content.decode()
    assert second.count("<tr>") == 8  # the header, 7 rows
    drafts = writer.get("/console/kb/?status=draft").content.decode()
    assert "Vault rotation" in drafts
    assert "Tape drive" not in drafts
    found = writer.get("/console/kb/?q=rotate").content.decode()
    assert "Vault rotation" in found  # staff find drafts too
    assert "Tape drive" not in found
    assert "Internal note" in writer.get("/console/kb/?language=cs").content.decode()
    assert writer.get(f"/console/kb/?category={category.pk}").status_code == 200
    bad = writer.get("/console/kb/?page=zero")
    assert bad.status_code == 422
    assert "page:" in bad.content.decode()
