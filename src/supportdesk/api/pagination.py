"""Paging for every list of the API: ninja's page numbers, bounded so that no page number
or size can push the database past its integer range (a 422 naming the field instead)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 100


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, page_size: int = 50, **kwargs: object) -> None:
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)
