"""The knowledge base (R-3): categories, articles in several languages, full-text search, and
the new-case wizard's suggestions with their deflection record.

Everyone reads published public articles; signed-in customers and partners the customers'
ones too; staff everything and write it all (:mod:`supportdesk.knowledge.permissions`).
"""

# No `from __future__ import annotations`: @paginate has ninja read the views' annotations
# outside this module, so they must be objects, not strings.

from datetime import datetime, timedelta
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime, Field

from supportdesk.accounts.models import Organization, User
from supportdesk.accounts.permissions import is_staff
from supportdesk.api.accounts import ERRORS, PAGE_SIZE
from supportdesk.api.auth import ANYONE, SIGNED_IN
from supportdesk.api.pagination import Pages
from supportdesk.cases.models import Case
from supportdesk.knowledge import selectors, services
from supportdesk.knowledge.models import Article, Category, Deflection, SuggestionShown
from supportdesk.knowledge.permissions import articles_visible_to, deflections_visible_to
from supportdesk.knowledge.search import Hit
from supportdesk.licensing.models import Product, ProductVersion

router = Router(tags=["knowledge"], auth=SIGNED_IN)

VisibilityKey = Literal["public", "customers", "internal"]
StatusKey = Literal["draft", "published"]
LANGUAGE_TAG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the router's auth lets only signed-in people through
    return user


# --- categories ------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    slug: str
    name: str
    position: int


class CategoryIn(Schema):
    slug: str = Field(min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=120)
    position: int = Field(0, ge=0)


class CategoryPatch(Schema):
    slug: str | None = Field(None, min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str | None = Field(None, min_length=1, max_length=120)
    position: int | None = Field(None, ge=0)


@router.get("/knowledge/categories", response=list[CategoryOut], auth=ANYONE)
def category_list(request: HttpRequest) -> QuerySet[Category]:
    return Category.objects.order_by("position", "name", "pk")


@router.post("/knowledge/categories", response={201: CategoryOut, **ERRORS})
def category_create(request: HttpRequest, payload: CategoryIn) -> Status[Any]:
    category = services.category_create(
        actor=_user(request), **payload.model_dump(), at=timezone.now()
    )
    return Status(201, category)


@router.patch("/knowledge/categories/{int:category_id}", response={200: CategoryOut, **ERRORS})
def category_update(request: HttpRequest, category_id: int, payload: CategoryPatch) -> Category:
    changes = payload.model_dump(exclude_unset=True)
    _refuse_nulls(changes)
    return services.category_update(
        actor=_user(request),
        category=Category.objects.get(pk=category_id),
        changes=changes,
        at=timezone.now(),
    )


@router.delete("/knowledge/categories/{int:category_id}", response={204: None, **ERRORS})
def category_delete(request: HttpRequest, category_id: int) -> Status[Any]:
    services.category_delete(
        actor=_user(request), category=Category.objects.get(pk=category_id), at=timezone.now()
    )
    return Status(204, None)


# --- articles --------------------------------------------------------------------------------


class ArticleOut(Schema):
    id: int
    slug: str
    language: str
    title: str
    summary: str
    body: str
    category: str = Field(description="the category's slug")
    products: list[str] = Field(description="product codes")
    versions: list[int] = Field(description="product version ids")
    visibility: str
    status: str
    published_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_category(obj: Article) -> str:
        return obj.category.slug

    @staticmethod
    def resolve_products(obj: Article) -> list[str]:
        return sorted(product.code for product in obj.products.all())

    @staticmethod
    def resolve_versions(obj: Article) -> list[int]:
        return sorted(version.pk for version in obj.versions.all())


class ArticleIn(Schema):
    slug: str = Field(min_length=1, max_length=120, pattern=r"^[-a-zA-Z0-9_]+$")
    language: str = Field(pattern=LANGUAGE_TAG, description="such as en or cs")
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field("", max_length=300)
    body: str = Field(min_length=1)
    category: str = Field(description="the category's slug")
    products: list[str] = Field([], description="product codes")
    versions: list[int] = Field([], description="version ids of those products")
    visibility: VisibilityKey = "customers"
    status: StatusKey = "draft"


class ArticlePatch(Schema):
    slug: str | None = Field(None, min_length=1, max_length=120, pattern=r"^[-a-zA-Z0-9_]+$")
    language: str | None = Field(None, pattern=LANGUAGE_TAG)
    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, max_length=300)
    body: str | None = Field(None, min_length=1)
    category: str | None = None
    products: list[str] | None = None
    versions: list[int] | None = None
    visibility: VisibilityKey | None = None
    status: StatusKey | None = None


class ArticleFilter(Schema):
    language: str | None = None
    category: int | None = None
    product: int | None = None


def _refuse_nulls(changes: dict[str, Any]) -> None:
    """A field left out is unchanged; a field sent as null is an error, not a blank."""
    nulls = sorted(name for name, value in changes.items() if value is None)
    if nulls:
        raise ValidationError({name: ["May not be null."] for name in nulls})


def _category(slug: str) -> Category:
    found = Category.objects.filter(slug=slug).first()
    if found is None:
        raise ValidationError({"category": [f"No category {slug!r}."]})
    return found


def _products(codes: list[str]) -> list[Product]:
    found = {product.code: product for product in Product.objects.filter(code__in=codes)}
    for i, code in enumerate(codes):
        if code not in found:
            raise ValidationError({f"products.{i}": [f"No product with the code {code!r}."]})
    return [found[code] for code in codes]


def _versions(ids: list[int]) -> list[ProductVersion]:
    found = ProductVersion.objects.in_bulk(ids)
    for i, pk in enumerate(ids):
        if pk not in found:
            raise ValidationError({f"versions.{i}": [f"No product version {pk}."]})
    return [found[pk] for pk in ids]


def _article(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return queryset.select_related("category").prefetch_related("products", "versions")


@router.get("/knowledge/articles", response=list[ArticleOut], auth=ANYONE)
@paginate(Pages, page_size=PAGE_SIZE)
def article_list(request: HttpRequest, filters: Query[ArticleFilter]) -> QuerySet[Article]:
    return _article(
        selectors.articles_for(
            request.user,
            language=filters.language,
            category=filters.category,
            product=filters.product,
        )
    )


@router.get(
    "/knowledge/articles/{int:article_id}", response={200: ArticleOut, **ERRORS}, auth=ANYONE
)
def article_get(request: HttpRequest, article_id: int) -> Article:
    return _article(articles_visible_to(request.user)).get(pk=article_id)


@router.post("/knowledge/articles", response={201: ArticleOut, **ERRORS})
def article_create(request: HttpRequest, payload: ArticleIn) -> Status[Any]:
    user = _user(request)
    if not is_staff(user):  # refuse before reading the tags: nothing of them leaks
        raise PermissionDenied("Only support staff write the knowledge base.")
    article = services.article_create(
        actor=user,
        slug=payload.slug,
        language=payload.language,
        title=payload.title,
        summary=payload.summary,
        body=payload.body,
        category=_category(payload.category),
        products=_products(payload.products),
        versions=_versions(payload.versions),
        visibility=payload.visibility,
        status=payload.status,
        at=timezone.now(),
    )
    return Status(201, _article(Article.objects.filter(pk=article.pk)).get())


@router.patch("/knowledge/articles/{int:article_id}", response={200: ArticleOut, **ERRORS})
def article_update(request: HttpRequest, article_id: int, payload: ArticlePatch) -> Article:
    user = _user(request)
    article = articles_visible_to(user).get(pk=article_id)
    if not is_staff(user):
        raise PermissionDenied("Only support staff write the knowledge base.")
    changes = payload.model_dump(exclude_unset=True)
    _refuse_nulls(changes)
    products = changes.pop("products", None)
    versions = changes.pop("versions", None)
    if "category" in changes:
        changes["category"] = _category(changes["category"] or "")
    services.article_update(
        actor=user,
        article=article,
        changes=changes,
        products=_products(products) if products is not None else None,
        versions=_versions(versions) if versions is not None else None,
        at=timezone.now(),
    )
    return _article(Article.objects.filter(pk=article.pk)).get()


@router.delete("/knowledge/articles/{int:article_id}", response={204: None, **ERRORS})
def article_delete(request: HttpRequest, article_id: int) -> Status[Any]:
    user = _user(request)
    article = articles_visible_to(user).get(pk=article_id)
    services.article_delete(actor=user, article=article, at=timezone.now())
    return Status(204, None)


# --- search ----------------------------------------------------------------------------------


class SearchQuery(Schema):
    q: str = Field(min_length=1, max_length=500, description="the words to look for")
    language: list[str] = Field([], description="article languages; empty: all")
    category: int | None = None
    product: int | None = None
    version: int | None = None
    any: bool = Field(False, description="match any word instead of every word")
    limit: int = Field(10, ge=1, le=50)


class HitOut(Schema):
    id: int
    slug: str
    language: str
    title: str
    summary: str
    category: str
    score: float = Field(description="higher is better, on the engine's own scale")
    snippet: str = Field(description="HTML: escaped text, the matched words in <mark>")


def _hits(results: list[selectors.Result]) -> list[dict[str, Any]]:
    return [
        {
            "id": result.article.pk,
            "slug": result.article.slug,
            "language": result.article.language,
            "title": result.article.title,
            "summary": result.article.summary,
            "category": result.article.category.slug,
            "score": round(result.score, 6),
            "snippet": str(result.snippet.snippet_html()),
        }
        for result in results
    ]


@router.get(
    "/knowledge/search",
    response={200: list[HitOut], **ERRORS},
    auth=ANYONE,
    summary="Full-text search, ranked, with snippets",
)
def search(request: HttpRequest, query: Query[SearchQuery]) -> list[dict[str, Any]]:
    results = selectors.search_articles(
        request.user,
        query.q,
        languages=tuple(query.language),
        category=query.category,
        product=query.product,
        version=query.version,
        any_term=query.any,
        limit=query.limit,
    )
    return _hits(results)


# --- the wizard's suggestions and deflection -------------------------------------------------


class DeflectionIn(Schema):
    language: str = Field("en", pattern=LANGUAGE_TAG, description="the customer's language")
    organization: int | None = Field(None, description="the customer the case is for")
    product: str | None = Field(None, description="a product code")


class DeflectionOut(Schema):
    id: int
    user: str
    organization: int | None
    product: str | None
    language: str
    started_at: datetime
    last_query: str
    outcome: str
    outcome_at: datetime | None
    case: str | None = Field(description="the case number, when one was opened")
    resolved_by: int | None = Field(description="the article that answered it")
    shown: list[int] = Field(description="the articles shown, best rank first")

    @staticmethod
    def resolve_user(obj: Deflection) -> str:
        return obj.user.username

    @staticmethod
    def resolve_organization(obj: Deflection) -> int | None:
        return obj.organization_id

    @staticmethod
    def resolve_product(obj: Deflection) -> str | None:
        return obj.product.code if obj.product else None

    @staticmethod
    def resolve_case(obj: Deflection) -> str | None:
        return obj.case.number if obj.case else None

    @staticmethod
    def resolve_resolved_by(obj: Deflection) -> int | None:
        return obj.resolved_by_id

    @staticmethod
    def resolve_shown(obj: Deflection) -> list[int]:
        return [row.article_id for row in obj.shown.all()]


class SuggestIn(Schema):
    text: str = Field(max_length=500, description="what the customer has typed so far")
    limit: int = Field(5, ge=1, le=10)


class OutcomeIn(Schema):
    outcome: Literal["deflected", "case_opened"]
    article: int | None = Field(None, description="for deflected: the article that answered it")
    case: str | None = Field(None, description="for case_opened: the case number")


def _deflection(request: HttpRequest, deflection_id: int) -> Deflection:
    return (
        deflections_visible_to(_user(request))
        .select_related("user", "product", "case")
        .prefetch_related("shown")
        .get(pk=deflection_id)
    )


@router.post(
    "/knowledge/deflections",
    response={201: DeflectionOut, **ERRORS},
    summary="Start recording a new-case wizard's suggestions",
)
def deflection_start(request: HttpRequest, payload: DeflectionIn) -> Status[Any]:
    product = None
    if payload.product is not None:
        product = Product.objects.filter(code=payload.product).first()
        if product is None:
            raise ValidationError({"product": [f"No product with the code {payload.product!r}."]})
    organization = (
        Organization.objects.get(pk=payload.organization)
        if payload.organization is not None
        else None
    )
    deflection = services.deflection_start(
        actor=_user(request),
        language=payload.language,
        organization=organization,
        product=product,
        at=timezone.now(),
    )
    return Status(201, _deflection(request, deflection.pk))


@router.get("/knowledge/deflections/{int:deflection_id}", response={200: DeflectionOut, **ERRORS})
def deflection_get(request: HttpRequest, deflection_id: int) -> Deflection:
    return _deflection(request, deflection_id)


@router.post(
    "/knowledge/deflections/{int:deflection_id}/suggestions",
    response={200: list[HitOut], **ERRORS},
    summary="Articles for the words typed so far, recorded as shown",
)
def deflection_suggest(
    request: HttpRequest, deflection_id: int, payload: SuggestIn
) -> list[dict[str, Any]]:
    hits: list[Hit] = services.deflection_suggest(
        actor=_user(request),
        deflection=_deflection(request, deflection_id),
        text=payload.text,
        limit=payload.limit,
        at=timezone.now(),
    )
    return _hits(selectors.results_of(hits))


class OpenedIn(Schema):
    article: int = Field(description="the suggested article the customer opened")


class OpenedOut(Schema):
    article: int
    first_opened_at: datetime | None
    times_opened: int

    @staticmethod
    def resolve_article(obj: SuggestionShown) -> int:
        return obj.article_id


@router.post(
    "/knowledge/deflections/{int:deflection_id}/opened",
    response={200: OpenedOut, **ERRORS},
    summary="The customer opened one of the session's suggestions (recorded, not audited)",
)
def deflection_open(request: HttpRequest, deflection_id: int, payload: OpenedIn) -> Any:
    article = Article.objects.filter(pk=payload.article).first()
    if article is None:
        raise ValidationError({"article": [f"No article {payload.article}."]})
    return services.deflection_open(
        actor=_user(request),
        deflection=_deflection(request, deflection_id),
        article=article,
        at=timezone.now(),
    )


@router.post(
    "/knowledge/deflections/{int:deflection_id}/outcome",
    response={200: DeflectionOut, **ERRORS},
    summary="How the wizard ended: deflected by an article, or the case opened all the same",
)
def deflection_decide(request: HttpRequest, deflection_id: int, payload: OutcomeIn) -> Deflection:
    user = _user(request)
    deflection = _deflection(request, deflection_id)
    article = case = None
    if payload.article is not None:
        article = Article.objects.filter(pk=payload.article).first()
        if article is None:
            raise ValidationError({"article": [f"No article {payload.article}."]})
    if payload.case is not None:
        case = Case.objects.filter(number=payload.case).first()
        if case is None:
            raise ValidationError({"case": [f"No case {payload.case}."]})
    services.deflection_decide(
        actor=user,
        deflection=deflection,
        outcome=payload.outcome,
        article=article,
        case=case,
        at=timezone.now(),
    )
    return _deflection(request, deflection_id)


class FiguresQuery(Schema):
    since: AwareDatetime | None = Field(None, description="default: 30 days ago")
    until: AwareDatetime | None = Field(None, description="default: now")


class TopArticle(Schema):
    article: int
    title: str
    deflected: int


class FiguresOut(Schema):
    since: datetime
    until: datetime
    sessions: int
    pending: int
    deflected: int
    case_opened: int
    rate: float | None = Field(description="deflected / (deflected + case_opened)")
    top_articles: list[TopArticle]


@router.get(
    "/knowledge/deflection-figures",
    response={200: FiguresOut, **ERRORS},
    summary="How many wizard sessions ended without a case (staff)",
)
def deflection_figures(request: HttpRequest, query: Query[FiguresQuery]) -> dict[str, Any]:
    if not is_staff(_user(request)):
        raise PermissionDenied("Only support staff read the deflection figures.")
    until = query.until or timezone.now()
    since = query.since or until - timedelta(days=30)
    if since >= until:
        raise ValidationError({"since": ["Comes before until."]})
    figures = selectors.deflection_figures(since=since, until=until)
    return {
        "since": since,
        "until": until,
        "sessions": figures.sessions,
        "pending": figures.pending,
        "deflected": figures.deflected,
        "case_opened": figures.case_opened,
        "rate": figures.rate,
        "top_articles": [
            {"article": pk, "title": title, "deflected": n} for pk, title, n in figures.top_articles
        ],
    }
