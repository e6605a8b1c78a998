"""Every write of the knowledge app: keyword-only, atomic, checked, and recorded in the audit
trail (a wizard's suggestions are a log of what was shown, not a change: only the session's
outcome is audited)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import (
    Actor,
    is_person,
    not_found,
    organizations_visible_to,
)
from supportdesk.audit.services import (
    audit_event_record,
    audited_delete,
    created,
    diff,
    refuse_unknown,
    snapshot,
)
from supportdesk.cases.models import Case
from supportdesk.cases.permissions import cases_visible_to
from supportdesk.errors import Conflict
from supportdesk.knowledge import search as engine
from supportdesk.knowledge.models import Article, Category, Deflection, SuggestionShown
from supportdesk.knowledge.permissions import (
    audience_of,
    require_deflection_owner,
    require_writer,
)
from supportdesk.licensing.models import Product, ProductVersion
from supportdesk.policy import InputError
from supportdesk.policy import knowledge as rules

CATEGORY_FIELDS = ("slug", "name", "position")
ARTICLE_FIELDS = (
    "slug",
    "language",
    "title",
    "summary",
    "body",
    "category",
    "visibility",
    "status",
    "published_at",
)
_ARTICLE_CHANGEABLE = frozenset(ARTICLE_FIELDS) - {"published_at"}
SUGGESTIONS = 5
_TAKEN = "The article already has a translation in this language."
_CHANGED_MEANWHILE = (
    "Someone else saved this article after you opened it: reload it to see their changes."
)
_DECIDED = ("outcome", "outcome_at", "case", "resolved_by")


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _policy_value(check: Any, value: str) -> str:
    try:
        result: str = check(value)
    except InputError as exc:
        raise ValidationError({exc.field: [exc.message]}) from None
    return result


# --- categories ------------------------------------------------------------------------------


@transaction.atomic
def category_create(
    *, actor: Actor, slug: str, name: str, position: int = 0, at: datetime
) -> Category:
    require_writer(actor)
    category = Category(slug=slug.strip(), name=name.strip(), position=position)
    category.full_clean()
    category.save()
    audit_event_record(
        actor=_user(actor),
        action="category.create",
        target=category,
        changes=created(snapshot(category, CATEGORY_FIELDS)),
        at=at,
    )
    return category


@transaction.atomic
def category_update(
    *, actor: Actor, category: Category, changes: Mapping[str, Any], at: datetime
) -> Category:
    require_writer(actor)
    refuse_unknown(changes, CATEGORY_FIELDS)
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = snapshot(category, CATEGORY_FIELDS)
    for name, value in changes.items():
        setattr(category, name, value.strip() if isinstance(value, str) else value)
    category.full_clean()
    if changes:
        category.save(update_fields=list(changes))
    audit_event_record(
        actor=_user(actor),
        action="category.update",
        target=category,
        changes=diff(before, snapshot(category, CATEGORY_FIELDS)),
        at=at,
    )
    return category


@transaction.atomic
def category_delete(*, actor: Actor, category: Category, at: datetime) -> None:
    """Refused while articles are filed under it."""
    require_writer(actor)
    audited_delete(
        actor=_user(actor),
        instance=category,
        before=snapshot(category, CATEGORY_FIELDS),
        action="category.delete",
        at=at,
        protected=f"Articles are filed under {category}: move or delete them first.",
    )


# --- articles --------------------------------------------------------------------------------


def _article_snapshot(article: Article) -> dict[str, Any]:
    out = snapshot(article, ARTICLE_FIELDS)
    out["products"] = sorted(article.products.values_list("pk", flat=True))
    out["versions"] = sorted(article.versions.values_list("pk", flat=True))
    return out


def _check_tags(products: Sequence[Product], versions: Sequence[ProductVersion]) -> None:
    """A version tag belongs to one of the article's products."""
    product_ids = {product.pk for product in products}
    for i, version in enumerate(versions):
        if version.product_id not in product_ids:
            raise ValidationError(
                {f"versions.{i}": [f"{version} is not a version of the article's products."]}
            )


def _prepare(article: Article, at: datetime, was_published: bool) -> None:
    article.visibility = _policy_value(rules.check_visibility, article.visibility)
    article.status = _policy_value(rules.check_status, article.status)
    article.stemming = rules.pg_config(article.language)
    if article.status == "published" and not was_published:
        article.published_at = at
    article.updated_at = at
    article.full_clean(validate_constraints=False)
    taken = Article.objects.filter(slug=article.slug, language=article.language)
    if taken.exclude(pk=article.pk).exists():
        raise ValidationError({"language": [_TAKEN]})


def _save_unique(article: Article, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            article.save(**kwargs)
    except IntegrityError:
        raise ValidationError({"language": [_TAKEN]}) from None


@transaction.atomic
def article_create(
    *,
    actor: Actor,
    slug: str,
    language: str,
    title: str,
    body: str,
    category: Category,
    summary: str = "",
    products: Sequence[Product] = (),
    versions: Sequence[ProductVersion] = (),
    visibility: str = "customers",
    status: str = "draft",
    at: datetime,
) -> Article:
    """An article, or a translation of one (the same slug in another language)."""
    require_writer(actor)
    _check_tags(products, versions)
    article = Article(
        slug=slug.strip(),
        language=language.strip(),
        title=title.strip(),
        summary=summary.strip(),
        body=body,
        category=category,
        visibility=visibility,
        status=status,
        author=_user(actor),
        created_at=at,
    )
    _prepare(article, at, was_published=False)
    _save_unique(article)
    article.products.set(products)
    article.versions.set(versions)
    audit_event_record(
        actor=_user(actor),
        action="article.create",
        target=article,
        changes=created(_article_snapshot(article)),
        at=at,
    )
    return article


@transaction.atomic
def article_update(
    *,
    actor: Actor,
    article: Article,
    changes: Mapping[str, Any],
    products: Sequence[Product] | None = None,
    versions: Sequence[ProductVersion] | None = None,
    expected_updated_at: datetime | None = None,
    at: datetime,
) -> Article:
    """Change an article; ``products``/``versions`` replace its tags when given. Publishing
    stamps the first publication time; going back to draft keeps it.

    ``expected_updated_at``: the article's ``updated_at`` as the writer last saw it; if it
    has changed since (another writer saved), the change is refused with :class:`Conflict`
    rather than overwriting theirs."""
    require_writer(actor)
    refuse_unknown(changes, _ARTICLE_CHANGEABLE)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if expected_updated_at is not None and article.updated_at != expected_updated_at:
        raise Conflict(_CHANGED_MEANWHILE)
    before = _article_snapshot(article)
    was_published = article.published_at is not None
    for name, value in changes.items():
        if isinstance(value, str) and name != "body":
            value = value.strip()
        setattr(article, name, value)
    new_products = list(products) if products is not None else list(article.products.all())
    new_versions = list(versions) if versions is not None else list(article.versions.all())
    _check_tags(new_products, new_versions)
    _prepare(article, at, was_published)
    _save_unique(article)
    if products is not None:
        article.products.set(products)
    if versions is not None:
        article.versions.set(versions)
    audit_event_record(
        actor=_user(actor),
        action="article.update",
        target=article,
        changes=diff(before, _article_snapshot(article)),
        at=at,
    )
    return article


@transaction.atomic
def article_delete(*, actor: Actor, article: Article, at: datetime) -> None:
    require_writer(actor)
    before = _article_snapshot(article)
    audited_delete(
        actor=_user(actor), instance=article, before=before, action="article.delete", at=at
    )


# --- suggestions and deflection --------------------------------------------------------------


def _organization(actor: Actor, organization: Organization | None, at: datetime) -> None:
    if organization is not None and not (
        organizations_visible_to(actor, at=at).filter(pk=organization.pk).exists()
    ):
        raise not_found(organization)


@transaction.atomic
def deflection_start(
    *,
    actor: Actor,
    language: str = "en",
    organization: Organization | None = None,
    product: Product | None = None,
    at: datetime,
) -> Deflection:
    """A new-case wizard session that will record what it suggests."""
    user = _user(actor)
    if user is None or not is_person(user):
        raise PermissionDenied("Sign in first.")
    _organization(user, organization, at)
    deflection = Deflection(
        user=user, organization=organization, product=product, language=language, started_at=at
    )
    deflection.full_clean()
    deflection.save()
    return deflection


@transaction.atomic
def deflection_suggest(
    *, actor: Actor, deflection: Deflection, text: str, limit: int = SUGGESTIONS, at: datetime
) -> list[engine.Hit]:
    """The articles that answer what the customer has typed so far (any of its words, the
    last one still being typed), recorded as shown in the session."""
    require_deflection_owner(actor, deflection)
    deflection = Deflection.objects.select_for_update().get(pk=deflection.pk)
    if deflection.outcome != "pending":
        raise ValidationError({"deflection": [f"The session has ended: {deflection.outcome}."]})
    languages = tuple(dict.fromkeys([deflection.language, "en"]))
    filters = engine.Filters(
        audience=audience_of(actor),
        languages=languages,
        product_id=deflection.product_id,
    )
    hits = engine.search(text, filters, any_term=True, prefix_last=True, limit=limit)
    query = text.strip()[:200]
    deflection.last_query = query
    deflection.save(update_fields=["last_query"])
    for rank, hit in enumerate(hits, start=1):
        row, made = SuggestionShown.objects.get_or_create(
            deflection=deflection,
            article_id=hit.article_id,
            defaults={"query": query, "first_shown_at": at, "best_rank": rank},
        )
        if not made:
            SuggestionShown.objects.filter(pk=row.pk).update(
                times_shown=F("times_shown") + 1, best_rank=min(row.best_rank, rank)
            )
    return hits


@transaction.atomic
def deflection_open(
    *, actor: Actor, deflection: Deflection, article: Article, at: datetime
) -> SuggestionShown:
    """The customer opened one of the session's suggestions to read it: recorded on the
    suggestion (first when, how often), a log like the suggestions, not audited. Only an
    article the session showed; a decided session keeps its record as it was."""
    require_deflection_owner(actor, deflection)
    deflection = Deflection.objects.select_for_update().get(pk=deflection.pk)
    shown = SuggestionShown.objects.filter(deflection=deflection, article=article).first()
    if shown is None:
        raise ValidationError({"article": ["Name one of the articles the session showed."]})
    if deflection.outcome != "pending":
        return shown
    SuggestionShown.objects.filter(pk=shown.pk).update(
        times_opened=F("times_opened") + 1,
        first_opened_at=Coalesce(F("first_opened_at"), Value(at)),
    )
    shown.refresh_from_db(fields=["times_opened", "first_opened_at"])
    return shown


@transaction.atomic
def deflection_decide(
    *,
    actor: Actor,
    deflection: Deflection,
    outcome: str,
    article: Article | None = None,
    case: Case | None = None,
    at: datetime,
) -> Deflection:
    """How the session ended: ``deflected`` by one of the articles it showed, or
    ``case_opened`` with the case the customer opened all the same."""
    user = require_deflection_owner(actor, deflection)
    deflection = Deflection.objects.select_for_update().get(pk=deflection.pk)
    before = snapshot(deflection, _DECIDED)
    try:
        outcome = rules.deflection_outcome(deflection.outcome, outcome)
    except InputError as exc:
        raise ValidationError({exc.field: [exc.message]}) from None
    if outcome == "deflected":
        if case is not None:
            raise ValidationError({"case": ["A deflected session opened no case."]})
        if article is None or not deflection.shown.filter(article=article).exists():
            raise ValidationError({"article": ["Name one of the articles the session showed."]})
        deflection.resolved_by = article
    else:
        if article is not None:
            raise ValidationError({"article": ["An opened case was not deflected by one."]})
        if case is None or not cases_visible_to(user, at=at).filter(pk=case.pk).exists():
            raise ValidationError({"case": ["Name the case you opened."]})
        deflection.case = case
    deflection.outcome = outcome
    deflection.outcome_at = at
    deflection.full_clean()
    deflection.save(update_fields=["outcome", "outcome_at", "case", "resolved_by"])
    audit_event_record(
        actor=user,
        action="deflection.decide",
        target=deflection,
        changes=diff(before, snapshot(deflection, _DECIDED)),
        at=at,
    )
    return deflection
