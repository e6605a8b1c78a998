"""The knowledge API beyond the permission matrix: search answers, bad input, the wizard."""

from __future__ import annotations

import pytest
from django.test import Client

from supportdesk.knowledge.models import Deflection
from tests.accounts.factories import ApiTokenFactory, MembershipFactory, StaffFactory
from tests.api.calls import call, error
from tests.cases.factories import CaseFactory
from tests.knowledge.factories import ArticleFactory, CategoryFactory
from tests.licensing.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer() -> str:
    membership = MembershipFactory.create(role="case_admin")
    ApiTokenFactory.create(user=membership.user, secret="sdt_customer")
    return "sdt_customer"


def test_search_answers_ranked_hits_with_snippets(client: Client) -> None:
    best = ArticleFactory.create(
        title="Tape job fails", summary="Rescan", body="The tape job fails when the drive sleeps.",
        visibility="public", category=CategoryFactory.create(slug="tapes"),
    )  # fmt: skip
    ArticleFactory.create(title="Other", body="A tape.", visibility="public")

    status, body = call(client, "GET", "/knowledge/search?q=tape+job+fails")

    assert status == 200
    assert [(hit["id"], hit["slug"], hit["category"]) for hit in body] == [
        (best.pk, best.slug, "tapes")
    ]
    assert body[0]["snippet"] == (
        "The <mark>tape</mark> <mark>job</mark> <mark>fails</mark> when the drive sleeps."
    )
    assert body[0]["score"] > 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "q"),
        ("q=x&limit=0", "limit"),
        ("q=x&limit=51", "limit"),
        ("q=x&product=abc", "product"),
    ],
)
def test_bad_search_input_names_the_field(client: Client, query: str, field: str) -> None:
    status, body = call(client, "GET", f"/knowledge/search?{query}")

    assert status == 422
    assert [item["field"] for item in body["errors"]] == [field]


def test_writing_an_article_names_the_wrong_field(client: Client) -> None:
    ApiTokenFactory.create(user=StaffFactory.create(), secret="sdt_staff")
    CategoryFactory.create(slug="howto")
    good = {"slug": "a", "language": "en", "title": "T", "body": "B", "category": "howto"}

    cases: list[tuple[dict[str, object], str, str]] = [
        ({"category": "nope"}, "category", "No category 'nope'."),
        ({"products": ["NOPE"]}, "products.0", "No product with the code 'NOPE'."),
        ({"versions": [999999]}, "versions.0", "No product version 999999."),
    ]
    for change, field, message in cases:
        status, body = call(client, "POST", "/knowledge/articles", {**good, **change},
                            token="sdt_staff")  # fmt: skip
        assert (status, body) == (422, error(message, field))
    status, body = call(client, "POST", "/knowledge/articles", {**good, "language": "English"},
                        token="sdt_staff")  # fmt: skip
    assert status == 422
    assert [item["field"] for item in body["errors"]] == ["language"]


def test_the_wizard_suggests_and_records_the_case_opened_all_the_same(
    client: Client, customer: str
) -> None:
    product = ProductFactory.create(code="VBR")
    article = ArticleFactory.create(title="Backup copy job is slow", body="Check the WAN.")
    article.products.set([product])
    ArticleFactory.create(title="Backup copy to tape", body="Other product.")

    status, session = call(client, "POST", "/knowledge/deflections",
                           {"language": "en", "product": "VBR"}, token=customer)  # fmt: skip
    assert (status, session["outcome"], session["product"]) == (201, "pending", "VBR")
    url = f"/knowledge/deflections/{session['id']}"

    status, hits = call(client, "POST", f"{url}/suggestions", {"text": "copy sl"}, token=customer)
    assert (status, [hit["id"] for hit in hits]) == (200, [article.pk])

    opener = Deflection.objects.get(pk=session["id"]).user
    case = CaseFactory.create(organization=opener.memberships.get().organization)
    decided = {"outcome": "case_opened", "case": case.number}
    status, body = call(client, "POST", f"{url}/outcome", decided, token=customer)
    assert status == 200
    assert (body["outcome"], body["case"], body["shown"], body["resolved_by"]) == (
        "case_opened", case.number, [article.pk], None,
    )  # fmt: skip


def test_an_unknown_case_number_names_the_field(client: Client, customer: str) -> None:
    status, session = call(client, "POST", "/knowledge/deflections", {}, token=customer)
    assert status == 201

    status, body = call(client, "POST", f"/knowledge/deflections/{session['id']}/outcome",
                        {"outcome": "case_opened", "case": "C-1"}, token=customer)  # fmt: skip

    assert (status, body) == (422, error("No case C-1.", "case"))
    assert Deflection.objects.get().outcome == "pending"


def test_a_null_in_an_article_patch_names_the_fields(client: Client) -> None:
    ApiTokenFactory.create(user=StaffFactory.create(), secret="sdt_staff")
    article = ArticleFactory.create(title="Keep")

    status, body = call(client, "PATCH", f"/knowledge/articles/{article.pk}",
                        {"language": None, "slug": None, "status": "draft"},
                        token="sdt_staff")  # fmt: skip

    assert (status, body) == (422, {"errors": [
        {"field": "language", "message": "May not be null."},
        {"field": "slug", "message": "May not be null."},
    ]})  # fmt: skip
    article.refresh_from_db()
    assert (article.title, article.status) == ("Keep", "published")
