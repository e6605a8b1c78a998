"""The console's knowledge-base pages (R-3): staff list, write, translate and publish the
articles that the portal shows and the new-case wizard suggests. The views parse and call the
knowledge services, which check and audit every write; times are in the viewer's zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from supportdesk.audit.models import AuditEvent
from supportdesk.console import forms
from supportdesk.console.views import staff_only
from supportdesk.errors import Conflict
from supportdesk.knowledge import services
from supportdesk.knowledge.choices import ArticleStatus, Visibility
from supportdesk.knowledge.models import Article, Category
from supportdesk.knowledge.selectors import search_articles
from supportdesk.licensing.models import Product, ProductVersion

PAGE_SIZE = 50
#: at most this many ranked matches for words typed in the list's search box
SEARCH_LIMIT = 200
HISTORY = 50


def _translated(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A model's choices with their labels in the reader's language (see portal labels)."""
    return [(value, _(label)) for value, label in choices]


def _categories() -> list[tuple[int, str]]:
    return list(Category.objects.order_by("position", "name").values_list("pk", "name"))


@staff_only
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    """Every article and translation, drafts and internal ones included: newest change first,
    or ranked by the search engine when words are given."""
    form = forms.ArticleFilterForm(
        request.GET or None,
        statuses=list(ArticleStatus.choices),
        categories=_categories(),
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = Article.objects.select_related("category", "author")
    if data.get("status"):
        found = found.filter(status=data["status"])
    if data.get("language"):
        found = found.filter(language=data["language"].strip())
    if data.get("category") is not None:
        found = found.filter(category_id=data["category"])
    articles: Any
    if (data.get("q") or "").strip():
        ranked = search_articles(
            request.user,
            data["q"],
            languages=(data["language"].strip(),) if data.get("language") else (),
            category=data.get("category"),
            limit=SEARCH_LIMIT,
        )
        kept = set(found.filter(pk__in=[r.article.pk for r in ranked]).values_list("pk", flat=True))
        articles = [r.article for r in ranked if r.article.pk in kept]
    else:
        articles = found.order_by("-updated_at", "-pk")
    page = Paginator(articles, PAGE_SIZE).get_page(data.get("page") or 1)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": _("Knowledge base"),
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "languages": _languages(),
        "statuses": ArticleStatus.choices,
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "console/pages/kb_list.html", context, status=status)


def _languages() -> list[str]:
    from django.conf import settings

    known = [code for code, _name in settings.LANGUAGES]
    used = Article.objects.order_by().values_list("language", flat=True).distinct()
    return sorted(set(known) | set(used))


def _article_form(data: Any = None, *, initial: dict[str, Any] | None = None) -> forms.ArticleForm:
    products = list(Product.objects.order_by("name").values_list("pk", "name"))
    versions = [
        (v.pk, f"{v.product.name} {v.version}")
        for v in ProductVersion.objects.select_related("product").order_by(
            "product__name", "version"
        )
    ]
    return forms.ArticleForm(
        data,
        initial=initial,
        categories=_categories(),
        products=products,
        versions=versions,
        visibilities=_translated(Visibility.choices),
        statuses=_translated(ArticleStatus.choices),
    )


def _initial(article: Article) -> dict[str, Any]:
    return {
        "slug": article.slug,
        "language": article.language,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "category": article.category_id,
        "products": [p.pk for p in article.products.all()],
        "versions": [v.pk for v in article.versions.all()],
        "visibility": article.visibility,
        "status": article.status,
        "expected_updated_at": article.updated_at.isoformat() if article.pk else "",
    }


def _page(
    request: HttpRequest,
    form: forms.ArticleForm,
    *,
    article: Article | None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "title": article.title if article else _("New article"),
        "form": form,
        "article": article,
        "errors": errors or {},
        "languages": _languages(),
        "translations": [],
        "history": [],
    }
    if article is not None:
        context["translations"] = list(
            Article.objects.filter(slug=article.slug).exclude(pk=article.pk).order_by("language")
        )
        context["history"] = list(
            AuditEvent.objects.filter(
                target_type=Article._meta.label_lower, target_id=str(article.pk)
            )
            .select_related("actor")
            .order_by("-at", "-pk")[:HISTORY]
        )
    return render(request, "console/pages/kb_edit.html", context, status=status)


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _form_errors(form: forms.ArticleForm) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def _tags(data: dict[str, Any]) -> tuple[list[Product], list[ProductVersion]]:
    products = list(Product.objects.filter(pk__in=data["products"]))
    versions = list(ProductVersion.objects.filter(pk__in=data["versions"]))
    return products, versions


def _category(data: dict[str, Any]) -> Category:
    category = Category.objects.filter(pk=data["category"]).first()
    if category is None:
        raise ValidationError({"category": [_("No such category.")]})
    return category


@staff_only
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    """A new article, or (``?translation_of=<id>``) a translation of one: the same slug,
    category, tags and visibility, in another language."""
    if request.method == "GET":
        initial: dict[str, Any] = {"status": ArticleStatus.DRAFT}
        source = request.GET.get("translation_of", "")
        if source:
            original = Article.objects.filter(pk=int(source) if source.isdigit() else 0).first()
            if original is None:
                raise Http404(f"No article {source}.")
            initial |= _initial(original) | {"language": "", "title": "", "summary": "",
                                             "body": "", "status": ArticleStatus.DRAFT,
                                             "expected_updated_at": ""}  # fmt: skip
        return _page(request, _article_form(initial=initial), article=None)
    form = _article_form(request.POST)
    if not form.is_valid():
        return _page(request, form, article=None, errors=_form_errors(form), status=422)
    data = form.cleaned_data
    try:
        products, versions = _tags(data)
        article = services.article_create(
            actor=request.user,
            slug=data["slug"],
            language=data["language"],
            title=data["title"],
            summary=data["summary"],
            body=data["body"],
            category=_category(data),
            products=products,
            versions=versions,
            visibility=data["visibility"],
            status=data["status"],
            at=timezone.now(),
        )
    except ValidationError as exc:
        return _page(request, form, article=None, errors=_errors(exc), status=422)
    return redirect("console:kb_edit", pk=article.pk)


@staff_only
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One article: its fields, publishing, tags, translations and history. Saving sends the
    ``updated_at`` the writer saw: if someone saved meanwhile, the change is refused (409)
    and nothing is overwritten."""
    article = Article.objects.select_related("category", "author").filter(pk=pk).first()
    if article is None:
        raise Http404(f"No article {pk}.")
    if request.method == "GET":
        return _page(request, _article_form(initial=_initial(article)), article=article)
    form = _article_form(request.POST)
    if not form.is_valid():
        return _page(request, form, article=article, errors=_form_errors(form), status=422)
    data = form.cleaned_data
    seen: datetime | None = data["expected_updated_at"]
    fields = ("slug", "language", "title", "summary", "body", "visibility", "status")
    try:
        products, versions = _tags(data)
        changes: dict[str, Any] = {name: data[name] for name in fields}
        changes["category"] = _category(data)
        services.article_update(
            actor=request.user,
            article=article,
            changes=changes,
            products=products,
            versions=versions,
            expected_updated_at=seen,
            at=timezone.now(),
        )
    except ValidationError as exc:
        return _page(request, form, article=article, errors=_errors(exc), status=422)
    except Conflict as exc:
        fresh = Article.objects.select_related("category", "author").get(pk=pk)
        return _page(request, form, article=fresh, errors={"__all__": [exc.message]}, status=409)
    return redirect("console:kb_edit", pk=article.pk)
