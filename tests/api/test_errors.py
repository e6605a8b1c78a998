"""The error format, on a throw-away API that has one route of each kind."""

from __future__ import annotations

import pytest
from django.http import Http404, HttpRequest
from ninja import Query, Schema
from ninja.errors import HttpError
from ninja.testing import TestClient

from supportdesk.api.errors import SupportdeskAPI, field_name

api = SupportdeskAPI(urls_namespace="test-errors")


class Line(Schema):
    product: str
    quantity: int


class Order(Schema):
    title: str
    lines: list[Line]


class Filters(Schema):
    page: int = 1


@api.post("/orders")
def create_order(request: HttpRequest, order: Order) -> dict[str, str]:
    return {"title": order.title}


@api.get("/orders")
def list_orders(request: HttpRequest, filters: Query[Filters], limit: int = 10) -> list[int]:
    return []


@api.get("/missing")
def missing(request: HttpRequest) -> None:
    raise Http404("no such order")


@api.get("/conflict")
def conflict(request: HttpRequest) -> None:
    raise HttpError(409, "The case is already closed.")


client = TestClient(api)


def test_invalid_body_is_422_with_one_entry_per_field() -> None:
    response = client.post("/orders", json={"title": 5, "lines": [{"product": "x"}]})

    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {"field": "title", "message": "Input should be a valid string"},
            {"field": "lines.0.quantity", "message": "Field required"},
        ]
    }


def test_invalid_query_is_422() -> None:
    response = client.get("/orders?page=two&limit=ten")

    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {
                "field": "page",
                "message": "Input should be a valid integer, unable to parse string as an integer",
            },
            {
                "field": "limit",
                "message": "Input should be a valid integer, unable to parse string as an integer",
            },
        ]
    }


def test_a_body_that_is_not_json_is_400_not_500() -> None:
    response = client.post(
        "/orders",
        data=b"{not json",  # type: ignore[arg-type]  # ninja's TestClient types data as a dict
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": None, "message": "Cannot parse request body"}]}


def test_not_found_and_http_errors_use_the_same_format() -> None:
    missing = client.get("/missing")
    conflict = client.get("/conflict")

    assert (missing.status_code, missing.json()) == (
        404,
        {"errors": [{"field": None, "message": "Not found."}]},
    )
    assert (conflict.status_code, conflict.json()) == (
        409,
        {"errors": [{"field": None, "message": "The case is already closed."}]},
    )


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("body", "items", 0, "qty"), "items.0.qty"),
        (("query", "page"), "page"),
        (("body",), None),
        ((), None),
    ],
)
def test_field_name(loc: tuple[object, ...], expected: str | None) -> None:
    assert field_name(loc) == expected
