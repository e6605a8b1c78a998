from __future__ import annotations

import factory

from supportdesk.knowledge.models import Article, Category, Deflection, SuggestionShown
from tests.accounts.factories import CREATED, PersonFactory


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")


class ArticleFactory(factory.django.DjangoModelFactory[Article]):
    """A published English article for customers."""

    class Meta:
        model = Article

    slug = factory.Sequence(lambda n: f"article-{n}")
    language = "en"
    title = factory.Sequence(lambda n: f"Article {n}")
    summary = ""
    body = "Restart the service."
    category = factory.SubFactory(CategoryFactory)
    visibility = "customers"
    status = "published"
    stemming = "english"
    created_at = CREATED
    updated_at = CREATED
    published_at = CREATED


class DeflectionFactory(factory.django.DjangoModelFactory[Deflection]):
    class Meta:
        model = Deflection

    user = factory.SubFactory(PersonFactory)
    language = "en"
    started_at = CREATED


class SuggestionShownFactory(factory.django.DjangoModelFactory[SuggestionShown]):
    class Meta:
        model = SuggestionShown

    deflection = factory.SubFactory(DeflectionFactory)
    article = factory.SubFactory(ArticleFactory)
    query = "restart"
    first_shown_at = CREATED
    best_rank = 1
