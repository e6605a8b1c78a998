"""The SQLite backend's cursor keeps each statement's conversion of its placeholders: the
same text as Django's conversion, made once per statement (supportdesk.sqlite)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper

from supportdesk.sqlite import base as sqlite_base

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's cursor"),
]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT %s",
        "SELECT %s, '%%' WHERE 1 = %s",
        'INSERT INTO "t" ("a", "b") VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING "id"',
        "SELECT 1",
    ],
)
def test_a_statement_is_converted_as_django_converts_it(query: str) -> None:
    ours = sqlite_base._CursorWrapper.convert_query
    django = SQLiteCursorWrapper.convert_query
    # unbound: the conversion reads nothing of the cursor
    assert ours(None, query) == django(None, query)  # type: ignore[arg-type]


def test_each_statement_is_converted_once_and_run_with_its_parameters() -> None:
    query = "SELECT %s || '%%', %s + 1 -- converted once"
    sqlite_base._qmark.cache_clear()
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, sqlite_base._CursorWrapper)
        for n in range(3):
            cursor.execute(query, ["a", n])
            assert cursor.fetchone() == ("a%", n + 1)
    info = sqlite_base._qmark.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_named_parameters_go_as_django_sends_them() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(x)s * 2", {"x": 21})
        assert cursor.fetchone() == (42,)
