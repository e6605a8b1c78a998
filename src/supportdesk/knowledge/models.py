from __future__ import annotations

from django.db import models
from django.db.models import Q

from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.validators import validate_language_tag
from supportdesk.cases.models import Case
from supportdesk.knowledge.choices import ArticleStatus, Outcome, Visibility
from supportdesk.licensing.models import Product, ProductVersion


class Category(models.Model):
    """A heading the knowledge base groups its articles under, such as "Installation"."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        ordering = ("position", "name")
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """A how-to article (R-3) in one language. Translations share the slug: the slug names
    the article, the language picks the translation.

    The full-text index is kept by the database itself (migration 0002): an FTS5 table on
    SQLite, a weighted ``tsvector`` column with a GIN index on PostgreSQL, both filled by
    triggers, so every write path (services, imports, bulk loads) keeps it current."""

    slug = models.SlugField(max_length=120)
    language = models.CharField(
        max_length=35, default="en", validators=[validate_language_tag], help_text="Such as en."
    )
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    products = models.ManyToManyField(Product, blank=True, related_name="articles")
    versions = models.ManyToManyField(ProductVersion, blank=True, related_name="articles")
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.CUSTOMERS
    )
    status = models.CharField(
        max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    stemming = models.CharField(
        max_length=40,
        default="english",
        editable=False,
        help_text="PostgreSQL's text-search configuration for the language (policy core).",
    )
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("slug", "language")
        constraints = (
            models.UniqueConstraint(
                fields=("slug", "language"),
                name="knowledge_article_one_translation_per_language",
                violation_error_message="The article already has a translation in this language.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="knowledge_article_published_has_date",
                violation_error_message="A published article has a publication time.",
            ),
        )
        indexes = (models.Index(fields=("status", "visibility", "language"), name="kb_filter_idx"),)

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"


class Deflection(models.Model):
    """One customer's way through the new-case wizard: the articles suggested while they
    typed, and whether an article answered them (deflected) or they opened the case all the
    same (case_opened)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="deflections")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(max_length=35, default="en", validators=[validate_language_tag])
    last_query = models.CharField(max_length=200, blank=True, default="")
    started_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_at = models.DateTimeField(null=True, blank=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="deflections"
    )
    resolved_by = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="deflected"
    )

    class Meta:
        ordering = ("-started_at", "-pk")
        constraints = (
            models.CheckConstraint(
                condition=(
                    Q(outcome="pending", case__isnull=True, resolved_by__isnull=True)
                    | Q(outcome="deflected", case__isnull=True)
                    | Q(outcome="case_opened", case__isnull=False, resolved_by__isnull=True)
                ),
                name="knowledge_deflection_outcome_matches",
                violation_error_message="A deflected session names no case; an opened one does.",
            ),
        )

    def __str__(self) -> str:
        return f"Wizard session {self.pk} of {self.user} ({self.outcome})"


class SuggestionShown(models.Model):
    """An article suggested in a wizard session: the words that first brought it up, when,
    at which rank at best, how often it was shown, and whether the customer opened it from
    the suggestion (first when, how often)."""

    deflection = models.ForeignKey(Deflection, on_delete=models.CASCADE, related_name="shown")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    query = models.CharField(max_length=200)
    first_shown_at = models.DateTimeField()
    best_rank = models.PositiveSmallIntegerField(help_text="1 is the top suggestion.")
    times_shown = models.PositiveIntegerField(default=1)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    times_opened = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("deflection", "best_rank", "pk")
        verbose_name = "suggestion shown"
        verbose_name_plural = "suggestions shown"
        constraints = (
            models.UniqueConstraint(
                fields=("deflection", "article"), name="knowledge_shown_once_per_session"
            ),
        )

    def __str__(self) -> str:
        return f"{self.article} in session {self.deflection_id}"
