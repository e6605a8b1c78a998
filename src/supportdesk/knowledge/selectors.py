"""Reads of the knowledge app: the articles a person may read, one article with its
translations, search results with their articles, and the deflection figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from supportdesk.accounts.permissions import Actor
from supportdesk.knowledge import search as engine
from supportdesk.knowledge.models import Article, Deflection
from supportdesk.knowledge.permissions import articles_visible_to, audience_of
from supportdesk.policy import knowledge as rules


def articles_for(
    user: Actor,
    *,
    language: str | None = None,
    category: int | None = None,
    product: int | None = None,
) -> QuerySet[Article]:
    found = articles_visible_to(user)
    if language:
        found = found.filter(language=language)
    if category is not None:
        found = found.filter(category_id=category)
    if product is not None:
        found = found.filter(products__pk=product)
    return found.select_related("category").order_by("-published_at", "slug", "language")


def article_get(user: Actor, slug: str, language: str | None = None) -> Article:
    """The translation of ``slug`` in ``language``; without one, in English, else the first
    there is. ``Article.DoesNotExist`` when the person may read none."""
    found = list(articles_visible_to(user).filter(slug=slug).select_related("category"))
    if not found:
        raise Article.DoesNotExist("No such article.")
    by_language = {article.language: article for article in found}
    for wanted in (language, rules.base_language(language) if language else None, "en"):
        if wanted and wanted in by_language:
            return by_language[wanted]
    return sorted(found, key=lambda article: article.language)[0]


def translations_of(user: Actor, article: Article) -> list[Article]:
    return list(
        articles_visible_to(user)
        .filter(slug=article.slug)
        .exclude(pk=article.pk)
        .order_by("language")
    )


@dataclass(frozen=True)
class Result:
    article: Article
    score: float
    snippet: engine.Hit


def search_articles(
    user: Actor,
    text: str,
    *,
    languages: tuple[str, ...] = (),
    category: int | None = None,
    product: int | None = None,
    version: int | None = None,
    limit: int = 20,
    any_term: bool = False,
    prefix_last: bool = False,
) -> list[Result]:
    filters = engine.Filters(
        audience=audience_of(user),
        languages=languages,
        product_id=product,
        version_id=version,
        category_id=category,
    )
    hits = engine.search(text, filters, any_term=any_term, prefix_last=prefix_last, limit=limit)
    return results_of(hits)


def results_of(hits: list[engine.Hit]) -> list[Result]:
    articles = Article.objects.select_related("category").in_bulk([hit.article_id for hit in hits])
    return [Result(articles[hit.article_id], hit.score, hit) for hit in hits]


@dataclass(frozen=True)
class DeflectionFigures:
    sessions: int
    pending: int
    deflected: int
    case_opened: int
    rate: float | None  # deflected / decided
    top_articles: list[tuple[int, str, int]]  # (article id, title, sessions it deflected)


def deflection_figures(*, since: datetime, until: datetime) -> DeflectionFigures:
    """How many wizard sessions started in [since, until) ended without a case."""
    sessions = Deflection.objects.filter(started_at__gte=since, started_at__lt=until)
    counts = sessions.aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(outcome="pending")),
        deflected=Count("pk", filter=Q(outcome="deflected")),
        case_opened=Count("pk", filter=Q(outcome="case_opened")),
    )
    top = (
        sessions.filter(outcome="deflected", resolved_by__isnull=False)
        .values("resolved_by", "resolved_by__title")
        .annotate(n=Count("pk"))
        .order_by("-n", "resolved_by")[:10]
    )
    return DeflectionFigures(
        sessions=counts["total"],
        pending=counts["pending"],
        deflected=counts["deflected"],
        case_opened=counts["case_opened"],
        rate=rules.deflection_rate(counts["deflected"], counts["case_opened"]),
        top_articles=[(row["resolved_by"], row["resolved_by__title"], row["n"]) for row in top],
    )
