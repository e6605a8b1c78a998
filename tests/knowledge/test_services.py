"""Writes of the knowledge app: articles and translations, and the wizard's deflection record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from supportdesk.audit.models import AuditEvent
from supportdesk.knowledge import services
from supportdesk.knowledge.models import Article, Deflection, SuggestionShown
from supportdesk.knowledge.selectors import deflection_figures
from tests.accounts.factories import MembershipFactory, OrganizationFactory, StaffFactory
from tests.cases.factories import CaseFactory
from tests.knowledge.factories import ArticleFactory, CategoryFactory, DeflectionFactory
from tests.licensing.factories import ProductFactory, ProductVersionFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _article(**overrides: object) -> Article:
    values: dict = {
        "actor": StaffFactory.create(),
        "slug": "restore-vm",
        "language": "en",
        "title": " Restore a VM ",
        "body": "Open the console.",
        "category": CategoryFactory.create(slug="howto"),
        "at": AT,
        **overrides,
    }
    return services.article_create(**values)


def test_an_article_is_written_as_a_draft_and_audited() -> None:
    article = _article()

    assert (article.title, article.status, article.published_at, article.stemming) == (
        "Restore a VM",
        "draft",
        None,
        "english",
    )
    (event,) = AuditEvent.objects.filter(action="article.create")
    assert event.changes["title"] == [None, "Restore a VM"]
    assert event.changes["products"] == [None, []]


def test_publishing_stamps_the_first_publication_and_keeps_it() -> None:
    staff = StaffFactory.create()
    article = _article(actor=staff)
    later = AT + timedelta(days=1)

    services.article_update(actor=staff, article=article, changes={"status": "published"}, at=later)
    services.article_update(
        actor=staff, article=article, changes={"status": "draft"}, at=later + timedelta(days=1)
    )
    services.article_update(
        actor=staff, article=article, changes={"status": "published"}, at=later + timedelta(days=2)
    )

    article.refresh_from_db()
    assert (article.status, article.published_at) == ("published", later)
    update = AuditEvent.objects.filter(action="article.update").first()
    assert update is not None
    assert update.changes == {
        "status": ["draft", "published"],
        "published_at": [None, later.isoformat()],
    }


def test_a_translation_shares_the_slug_and_gets_its_language_s_stemming() -> None:
    _article()
    german = _article(language="de", title="VM wiederherstellen")

    assert (german.slug, german.stemming) == ("restore-vm", "german")
    with pytest.raises(ValidationError) as caught:
        _article(title="Again")
    assert caught.value.message_dict == {
        "language": ["The article already has a translation in this language."]
    }
    assert Article.objects.count() == 2


def test_a_version_tag_must_be_of_a_tagged_product() -> None:
    product, other = ProductFactory.create(), ProductFactory.create()
    version = ProductVersionFactory.create(product=other, version="12")

    with pytest.raises(ValidationError) as caught:
        _article(products=[product], versions=[version])

    assert caught.value.message_dict == {
        "versions.0": [f"{version} is not a version of the article's products."]
    }
    assert Article.objects.count() == 0


def test_customers_do_not_write_articles() -> None:
    customer = MembershipFactory.create().user

    with pytest.raises(PermissionDenied, match=r"^Only support staff write the knowledge base\.$"):
        _article(actor=customer)
    assert (Article.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_bad_visibility_names_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        _article(visibility="secret")
    assert caught.value.message_dict == {
        "visibility": ["must be one of public, customers, internal"]
    }


# --- deflection ------------------------------------------------------------------------------


def _session() -> tuple[Deflection, Article, Article]:
    membership = MembershipFactory.create(role="case_admin")
    first = ArticleFactory.create(title="Backup job fails with VSS error", body="Reboot.")
    second = ArticleFactory.create(title="Proxy", body="If a backup stalls, add a proxy.")
    deflection = services.deflection_start(
        actor=membership.user, language="en", organization=membership.organization, at=AT
    )
    return deflection, first, second


def test_suggestions_are_recorded_with_the_words_that_brought_them_up() -> None:
    deflection, first, second = _session()

    hits = services.deflection_suggest(
        actor=deflection.user, deflection=deflection, text="backup fai", at=AT
    )
    again = services.deflection_suggest(
        actor=deflection.user, deflection=deflection, text="backup fails vss", at=AT
    )

    assert [hit.article_id for hit in hits] == [first.pk, second.pk]
    assert [hit.article_id for hit in again] == [first.pk, second.pk]
    shown = list(
        SuggestionShown.objects.order_by("best_rank").values_list(
            "article", "query", "best_rank", "times_shown"
        )
    )
    assert shown == [(first.pk, "backup fai", 1, 2), (second.pk, "backup fai", 2, 2)]
    deflection.refresh_from_db()
    assert deflection.last_query == "backup fails vss"
    assert AuditEvent.objects.count() == 0


def test_a_session_is_deflected_only_by_an_article_it_showed() -> None:
    deflection, first, second = _session()
    services.deflection_suggest(actor=deflection.user, deflection=deflection, text="vss", at=AT)

    with pytest.raises(ValidationError) as caught:
        services.deflection_decide(
            actor=deflection.user, deflection=deflection, outcome="deflected", article=second, at=AT
        )
    assert caught.value.message_dict == {
        "article": ["Name one of the articles the session showed."]
    }

    services.deflection_decide(
        actor=deflection.user, deflection=deflection, outcome="deflected", article=first, at=AT
    )
    deflection.refresh_from_db()
    assert (deflection.outcome, deflection.resolved_by, deflection.outcome_at) == (
        "deflected",
        first,
        AT,
    )
    (event,) = AuditEvent.objects.all()
    assert event.changes == {
        "outcome": ["pending", "deflected"],
        "outcome_at": [None, AT.isoformat()],
        "resolved_by": [None, first.pk],
    }


def test_a_decided_session_does_not_change_and_takes_no_more_suggestions() -> None:
    deflection, first, _ = _session()
    case = CaseFactory.create(organization=deflection.organization)
    services.deflection_decide(
        actor=deflection.user, deflection=deflection, outcome="case_opened", case=case, at=AT
    )

    with pytest.raises(ValidationError) as caught:
        services.deflection_decide(
            actor=deflection.user, deflection=deflection, outcome="deflected", article=first, at=AT
        )
    assert caught.value.message_dict == {"outcome": ["already decided: case_opened"]}
    with pytest.raises(ValidationError):
        services.deflection_suggest(actor=deflection.user, deflection=deflection, text="x", at=AT)
    deflection.refresh_from_db()
    assert (deflection.outcome, deflection.case) == ("case_opened", case)


def test_the_case_opened_must_be_one_the_person_sees() -> None:
    deflection, _, _ = _session()
    foreign = CaseFactory.create(organization=OrganizationFactory.create())

    with pytest.raises(ValidationError) as caught:
        services.deflection_decide(
            actor=deflection.user, deflection=deflection, outcome="case_opened", case=foreign, at=AT
        )
    assert caught.value.message_dict == {"case": ["Name the case you opened."]}
    deflection.refresh_from_db()
    assert deflection.outcome == "pending"


def test_deflection_figures_count_decided_sessions() -> None:
    article = ArticleFactory.create(title="Fix")
    for outcome in ("deflected", "deflected", "deflected", "case_opened", "pending"):
        DeflectionFactory.create(
            outcome=outcome,
            started_at=AT,
            outcome_at=AT if outcome != "pending" else None,
            resolved_by=article if outcome == "deflected" else None,
            case=CaseFactory.create() if outcome == "case_opened" else None,
        )
    DeflectionFactory.create(started_at=AT - timedelta(days=60))

    figures = deflection_figures(since=AT - timedelta(days=1), until=AT + timedelta(days=1))

    assert (figures.sessions, figures.pending, figures.deflected, figures.case_opened) == (
        5,
        1,
        3,
        1,
    )
    assert figures.rate == 0.75
    assert figures.top_articles == [(article.pk, "Fix", 3)]


def test_the_demo_knowledge_base_loads_twice_without_duplicates() -> None:
    import io

    from supportdesk.demo_knowledge import ARTICLES, load_knowledge

    out = io.StringIO()
    load_knowledge(out)
    load_knowledge(out)

    assert Article.objects.filter(status="published").count() == len(ARTICLES)
    assert out.getvalue().splitlines()[-1].startswith("demo knowledge base: 0 articles written")


def test_opening_a_suggestion_is_recorded_on_it_once_per_first_time() -> None:
    deflection, first, _ = _session()
    services.deflection_suggest(actor=deflection.user, deflection=deflection, text="vss", at=AT)
    later = AT + timedelta(minutes=2)

    services.deflection_open(actor=deflection.user, deflection=deflection, article=first, at=AT)
    shown = services.deflection_open(
        actor=deflection.user, deflection=deflection, article=first, at=later
    )

    assert (shown.article, shown.first_opened_at, shown.times_opened) == (first, AT, 2)
    assert AuditEvent.objects.count() == 0  # a log of the session, like the suggestions


def test_only_a_shown_article_of_the_own_session_is_opened() -> None:
    deflection, first, second = _session()
    services.deflection_suggest(actor=deflection.user, deflection=deflection, text="vss", at=AT)
    stranger = MembershipFactory.create().user

    with pytest.raises(ValidationError) as caught:
        services.deflection_open(
            actor=deflection.user, deflection=deflection, article=second, at=AT
        )
    assert caught.value.message_dict == {
        "article": ["Name one of the articles the session showed."]
    }
    with pytest.raises(Deflection.DoesNotExist):
        services.deflection_open(actor=stranger, deflection=deflection, article=first, at=AT)
    assert SuggestionShown.objects.get(article=first).times_opened == 0


def test_a_decided_session_keeps_its_record_of_opened_suggestions() -> None:
    deflection, first, _ = _session()
    services.deflection_suggest(actor=deflection.user, deflection=deflection, text="vss", at=AT)
    services.deflection_decide(
        actor=deflection.user, deflection=deflection, outcome="deflected", article=first, at=AT
    )

    shown = services.deflection_open(
        actor=deflection.user, deflection=deflection, article=first, at=AT
    )

    assert (shown.first_opened_at, shown.times_opened) == (None, 0)
