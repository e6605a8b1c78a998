"""Full-text search with the database's own engine (FTS5 on SQLite, tsvector on PostgreSQL):
the same expectations on both, run by the suite on each."""

from __future__ import annotations

import pytest
from django.db import connection

from supportdesk.knowledge.models import Article
from supportdesk.knowledge.search import Filters, naive_search, search
from tests.knowledge.factories import ArticleFactory, CategoryFactory
from tests.licensing.factories import ProductFactory, ProductVersionFactory

pytestmark = pytest.mark.django_db

CUSTOMER = Filters(audience="customer")


def _ids(hits: list) -> list[int]:
    return [hit.article_id for hit in hits]


def test_a_title_match_ranks_above_a_body_match() -> None:
    body = ArticleFactory.create(title="Proxy settings", body="When a backup job hangs, wait.")
    title = ArticleFactory.create(title="Backup job hangs", body="Check the proxy.")
    ArticleFactory.create(title="Licensing", body="Renew in time.")

    assert _ids(search("backup hangs", CUSTOMER)) == [title.pk, body.pk]


def test_words_are_stemmed_so_plurals_and_tenses_match() -> None:
    article = ArticleFactory.create(title="Backup fails after upgrade", body="Restart it.")

    assert _ids(search("backups failing", CUSTOMER)) == [article.pk]


def test_every_word_must_match_unless_any_word_is_asked_for() -> None:
    both = ArticleFactory.create(title="Tape library offline", body="Rescan the tape library.")
    one = ArticleFactory.create(title="Library catalog", body="Rebuild the catalog.")

    assert _ids(search("tape catalog", CUSTOMER)) == []
    assert set(_ids(search("tape catalog", CUSTOMER, any_term=True))) == {both.pk, one.pk}
    assert _ids(search("tape library", CUSTOMER)) == [both.pk]


def test_the_last_word_may_still_be_being_typed() -> None:
    article = ArticleFactory.create(title="Network throttling rules", body="Set a limit.")

    assert _ids(search("thrott", CUSTOMER)) == []
    assert _ids(search("thrott", CUSTOMER, prefix_last=True)) == [article.pk]


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("anonymous", {"public"}),
        ("customer", {"public", "customers"}),
        ("staff", {"public", "customers", "internal", "draft"}),
    ],
)
def test_who_finds_which_articles(audience: str, expected: set[str]) -> None:
    made = {
        "public": ArticleFactory.create(title="Kernel panic", visibility="public"),
        "customers": ArticleFactory.create(title="Kernel panic", visibility="customers"),
        "internal": ArticleFactory.create(title="Kernel panic", visibility="internal"),
        "draft": ArticleFactory.create(
            title="Kernel panic", visibility="public", status="draft", published_at=None
        ),
    }
    names = {article.pk: name for name, article in made.items()}

    found = search("kernel panic", Filters(audience=audience))

    assert {names[hit.article_id] for hit in found} == expected


def test_filters_by_language_category_product_and_version() -> None:
    product, other = ProductFactory.create(), ProductFactory.create()
    version = ProductVersionFactory.create(product=product)
    tagged = ArticleFactory.create(title="Agent crash", category=CategoryFactory.create(slug="x"))
    tagged.products.set([product])
    tagged.versions.set([version])
    untagged = ArticleFactory.create(title="Agent crash", language="de")

    assert _ids(search("agent crash", Filters("customer", product_id=product.pk))) == [tagged.pk]
    assert _ids(search("agent crash", Filters("customer", product_id=other.pk))) == []
    assert _ids(search("agent crash", Filters("customer", version_id=version.pk))) == [tagged.pk]
    assert _ids(search("agent crash", Filters("customer", languages=("de",)))) == [untagged.pk]
    by_category = Filters("customer", category_id=tagged.category_id)
    assert _ids(search("agent crash", by_category)) == [tagged.pk]


def test_the_snippet_marks_the_matches_and_escapes_the_text() -> None:
    ArticleFactory.create(
        title="Console",
        body="If R&D's console shows <script>alert(1)</script> the vault is locked.",
    )

    (hit,) = search("vault", CUSTOMER)

    html = str(hit.snippet_html())
    assert "<mark>vault</mark>" in html
    assert "R&amp;D" in html
    assert "<script>" not in html  # escaped by us, or dropped as a tag by ts_headline


def test_the_index_follows_updates_and_deletes() -> None:
    article = ArticleFactory.create(title="Old words", body="Nothing here.")
    Article.objects.filter(pk=article.pk).update(title="Fresh words")

    assert _ids(search("fresh", CUSTOMER)) == [article.pk]
    assert _ids(search("old", CUSTOMER)) == []
    Article.objects.filter(pk=article.pk).delete()
    assert _ids(search("fresh", CUSTOMER)) == []


@pytest.mark.parametrize(
    "typed", ['"unclosed', "a OR (", "NEAR(x y)", "*", "title:x", "x & y | !z", "' ; --", ""]
)
def test_query_syntax_typed_by_a_person_is_only_words(typed: str) -> None:
    ArticleFactory.create(title="Unrelated", body="Nothing.")

    assert search(typed, CUSTOMER) == []


def test_language_aware_stemming_where_the_engine_has_it() -> None:
    """PostgreSQL stems German as German; SQLite's FTS5 has only the English Porter stemmer,
    so there the German plural does not find the singular."""
    article = ArticleFactory.create(
        title="Sicherungen schlagen fehl", body="Neu starten.", language="de", stemming="german"
    )
    found = _ids(search("Sicherung", Filters("customer", languages=("de",))))

    assert found == ([article.pk] if connection.vendor == "postgresql" else [])


def test_the_naive_baseline_finds_substrings_without_ranking() -> None:
    first = ArticleFactory.create(title="Backup copy", body="x")
    second = ArticleFactory.create(title="Other", body="the backup copy job")

    assert set(naive_search("backup copy", CUSTOMER)) == {first.pk, second.pk}


def test_body_matches_are_ranked_among_the_first_candidates(monkeypatch) -> None:
    from supportdesk.knowledge import search as engine

    older = ArticleFactory.create(title="One", body="The vault is sealed, sealed, sealed.")
    newest = ArticleFactory.create(title="Two", body="The vault is sealed.")
    # both ranked: the one that says it more often first
    assert _ids(search("vault sealed", CUSTOMER)) == [older.pk, newest.pk]

    monkeypatch.setattr(engine, "CANDIDATES", 1)
    # one candidate: SQLite's index gives the newest first, PostgreSQL's table its first row
    expected = newest if connection.vendor == "sqlite" else older
    assert _ids(search("vault sealed", CUSTOMER)) == [expected.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_postgresql_reads_both_vectors_through_their_gin_index_alone() -> None:
    """The planner would walk the table, or the filter index, in the hope of meeting the
    candidates early, and read most of it when the words are rare together."""
    from django.test.utils import CaptureQueriesContext

    for n in range(40):
        ArticleFactory.create(title=f"Tape rotation {n}", body="Rotate the vault tapes weekly.")
    ArticleFactory.create(title="Other", body="The tape vault rotation is weekly.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_article")
    with CaptureQueriesContext(connection) as captured:
        hits = search("vault rotation", CUSTOMER, limit=50)
    assert len(hits) == 41
    ranks = [q["sql"] for q in captured.captured_queries if "ts_rank_cd" in q["sql"]]
    assert len(ranks) == 2  # the title and summary first, then the body
    plans = []
    with connection.cursor() as cursor:
        for sql in ranks:
            cursor.execute("SAVEPOINT plan")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
            cursor.execute("ROLLBACK TO SAVEPOINT plan")
    indexes = ("knowledge_article_head_idx", "knowledge_article_search_idx")
    for plan, index in zip(plans, indexes, strict=True):
        assert f"Bitmap Index Scan on {index}" in plan, plan
        assert "Seq Scan" not in plan, plan
        assert "kb_filter_idx" not in plan, plan
