"""Knowledge-base pages (R-3): search and browse the articles a person may read, read one in
their language, and the suggestions the new-case wizard shows while the customer types
(recorded for deflection). Views parse, call one selector or service, and render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.accounts.models import Organization
from supportdesk.knowledge import selectors, services
from supportdesk.knowledge.models import Article, Category
from supportdesk.knowledge.permissions import deflections_visible_to
from supportdesk.licensing.models import Product

PAGE_SIZE = 20


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=500, label="Search")
    category = forms.ModelChoiceField(
        Category.objects.order_by("position", "name"), required=False, to_field_name="slug"
    )
    product = forms.ModelChoiceField(
        Product.objects.order_by("name"), required=False, to_field_name="code"
    )
    language = forms.CharField(required=False, max_length=35)


def _language(request: HttpRequest) -> str:
    user_language = getattr(request.user, "language", "") or ""
    return user_language or get_language() or "en"


@require_GET
def kb_index(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"title": _("Knowledge base"), "form": form}
    status = 200
    if not form.is_valid():
        context["results"], status = [], 422
    else:
        data = form.cleaned_data
        category: Category | None = data["category"]
        product: Product | None = data["product"]
        language = data["language"] or None
        if data["q"]:
            context["results"] = selectors.search_articles(
                request.user,
                data["q"],
                languages=(language,) if language else (),
                category=category.pk if category else None,
                product=product.pk if product else None,
            )
            context["searched"] = data["q"]
        else:
            articles = selectors.articles_for(
                request.user,
                language=language,
                category=category.pk if category else None,
                product=product.pk if product else None,
            )
            context["page"] = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    partial = bool(request.headers.get("HX-Request"))
    template = "portal/partials/kb_results.html" if partial else "portal/pages/kb_index.html"
    return render(request, template, context, status=200 if partial else status)


@require_GET
def kb_article(request: HttpRequest, slug: str) -> HttpResponse:
    wanted = request.GET.get("lang") or _language(request)
    try:
        article = selectors.article_get(request.user, slug, wanted)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None
    context = {
        "title": article.title,
        "article": article,
        "translations": selectors.translations_of(request.user, article),
        "products": article.products.order_by("name"),
        "versions": article.versions.select_related("product").order_by("product__name", "ga"),
    }
    return render(request, "portal/pages/kb_article.html", context)


class SuggestForm(forms.Form):
    """What has been typed so far: ``text`` (the ask page), or the wizard's ``subject`` and
    ``description``; the session, and the product and organization the case is for."""

    text = forms.CharField(required=False, max_length=500)
    subject = forms.CharField(required=False, max_length=500)
    description = forms.CharField(required=False, max_length=20_000)
    deflection = forms.IntegerField(required=False, min_value=1)
    product = forms.CharField(required=False, max_length=20)
    organization = forms.IntegerField(required=False, min_value=1)

    def typed(self) -> str:
        """The words typed so far, the last one still being typed."""
        data = self.cleaned_data
        parts = [data["text"], data["subject"], data["description"]]
        return " ".join(p.strip() for p in parts if p.strip())[:500]


@login_required
@require_GET
def kb_ask(request: HttpRequest) -> HttpResponse:
    """Describe the problem; articles are suggested while you type, before any case."""
    return render(request, "portal/pages/kb_ask.html", {"title": _("Describe your problem")})


@login_required
@require_POST
def kb_suggest(request: HttpRequest) -> HttpResponse:
    """The wizard's suggestions for what has been typed so far (htmx partial): starts the
    session's deflection record on the first call, and names it in a hidden field so that the
    wizard's form carries it on."""
    form = SuggestForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/partials/kb_suggestions.html", {"form": form}, status=422)
    now = timezone.now()
    data = form.cleaned_data
    if data["deflection"]:
        deflection = deflections_visible_to(request.user).filter(pk=data["deflection"]).first()
        if deflection is None:
            raise Http404("No such session.")
    else:
        typed = form.typed()
        if not typed:  # nothing typed yet: no session until there is something to suggest for
            return render(request, "portal/partials/kb_suggestions.html", {})
        product = Product.objects.filter(code=data["product"]).first() if data["product"] else None
        organization = (
            Organization.objects.filter(pk=data["organization"]).first()
            if data["organization"]
            else None
        )
        deflection = services.deflection_start(
            actor=request.user,
            language=_language(request),
            organization=organization,
            product=product,
            at=now,
        )
    try:
        hits = services.deflection_suggest(
            actor=request.user, deflection=deflection, text=form.typed(), at=now
        )
    except ValidationError:  # the session ended (the case was opened, or it was answered)
        hits = []
    context = {"deflection": deflection, "results": selectors.results_of(hits)}
    return render(request, "portal/partials/kb_suggestions.html", context)


@login_required
@require_GET
def kb_open(request: HttpRequest, pk: int, article: int) -> HttpResponse:
    """A suggestion opened from the wizard: recorded in the session, then the article."""
    deflection = deflections_visible_to(request.user).filter(pk=pk).first()
    found = Article.objects.filter(pk=article).first()
    if deflection is None or found is None:
        raise Http404("No such session.")
    try:
        services.deflection_open(
            actor=request.user, deflection=deflection, article=found, at=timezone.now()
        )
    except (ValidationError, PermissionDenied):
        raise Http404("No such suggestion.") from None
    target = reverse("portal:kb_article", args=[found.slug])
    return HttpResponseRedirect(f"{target}?{urlencode({'lang': found.language})}")


@login_required
@require_POST
def kb_solved(request: HttpRequest, pk: int) -> HttpResponse:
    """ "This answered my question": the session ends deflected by that article."""
    deflection = deflections_visible_to(request.user).filter(pk=pk).first()
    if deflection is None:
        raise Http404("No such session.")
    article = Article.objects.filter(pk=request.POST.get("article") or 0).first()
    try:
        services.deflection_decide(
            actor=request.user,
            deflection=deflection,
            outcome="deflected",
            article=article,
            at=timezone.now(),
        )
    except ValidationError as exc:
        context: dict[str, Any] = {"title": _("Describe your problem"), "errors": exc.messages}
        return render(request, "portal/pages/kb_ask.html", context, status=422)
    except PermissionDenied:
        raise Http404("No such session.") from None
    return render(
        request, "portal/pages/kb_solved.html", {"title": _("Glad it helped"), "article": article}
    )
