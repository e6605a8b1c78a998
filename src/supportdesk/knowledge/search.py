"""Full-text search of published articles with the database's own engine, ranked, with a
snippet: FTS5 with bm25 on SQLite, ``tsvector``/``tsquery`` with ``ts_rank_cd`` and
``ts_headline`` on PostgreSQL (the index: migration 0002). What to look for and who may read
what comes from the policy core; this module only runs the query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from supportdesk.policy import knowledge as rules

#: Around the matched words in snippets; turned into <mark> after the text is escaped.
OPEN, CLOSE = "\u27e6", "\u27e7"
SNIPPET_WORDS = 24


@dataclass(frozen=True)
class Filters:
    audience: str
    languages: tuple[str, ...] = ()  # empty: every language
    product_id: int | None = None
    version_id: int | None = None
    category_id: int | None = None


@dataclass(frozen=True)
class Hit:
    article_id: int
    score: float  # higher is better, on the engine's own scale
    snippet: str  # plain text, matches between OPEN and CLOSE

    def snippet_html(self) -> SafeString:
        """The snippet escaped for HTML with matches in <mark>."""
        text = escape(self.snippet).replace(OPEN, "<mark>").replace(CLOSE, "</mark>")
        return mark_safe(text)  # noqa: S308 - escaped on the line above


def _where(filters: Filters, *, unindexed: bool = False) -> tuple[list[str], list[Any]]:
    """The audience's and the filters' conditions on article ``a``. ``unindexed``: written so
    that no b-tree index can serve the status, visibility and language conditions (see
    :func:`_postgresql`)."""
    status, visibility, language = (
        ("(a.status || '')", "(a.visibility || '')", "(a.language || '')")
        if unindexed
        else ("a.status", "a.visibility", "a.language")
    )
    levels = rules.visible_levels(filters.audience)
    clauses = [f"{visibility} IN ({', '.join(['%s'] * len(levels))})"]
    params: list[Any] = list(levels)
    if not rules.sees_drafts(filters.audience):
        clauses.append(f"{status} = 'published'")
    if filters.languages:
        clauses.append(f"{language} IN ({', '.join(['%s'] * len(filters.languages))})")
        params.extend(filters.languages)
    if filters.category_id is not None:
        clauses.append("a.category_id = %s")
        params.append(filters.category_id)
    if filters.product_id is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM knowledge_article_products p "
            "WHERE p.article_id = a.id AND p.product_id = %s)"
        )
        params.append(filters.product_id)
    if filters.version_id is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM knowledge_article_versions v "
            "WHERE v.article_id = a.id AND v.productversion_id = %s)"
        )
        params.append(filters.version_id)
    return clauses, params


#: How many matches a query ranks at most, taken in the index's order (on SQLite the newest
#: articles first): ranking every match of a common word would cost in proportion to the
#: corpus, and so would the body's matches when the title and summary fill the page.
CANDIDATES = 300


def _in(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def _sqlite_rank(
    match: str, filters: Filters, *, limit: int, exclude: Sequence[int]
) -> list[tuple[int, float]]:
    clauses, params = _where(filters)
    if exclude:
        clauses.append(f"a.id NOT IN ({_in(exclude)})")
        params.extend(exclude)
    # One pass over the index: the first CANDIDATES matches that the audience may read,
    # newest first (FTS5 walks its lists backwards and stops there), each ranked as it is
    # read; the best of them are the answer. bm25: lower is better; title counts most,
    # then summary, then body.
    sql = f"""
        SELECT id, score FROM (
            SELECT a.id AS id, -bm25(knowledge_article_fts, 10.0, 4.0, 1.0) AS score
            FROM knowledge_article_fts
            JOIN knowledge_article a ON a.id = knowledge_article_fts.rowid
            WHERE knowledge_article_fts MATCH %s AND {" AND ".join(clauses)}
            ORDER BY knowledge_article_fts.rowid DESC
            LIMIT %s
        )
        ORDER BY score DESC, id
        LIMIT %s
    """  # noqa: S608 - the clauses are fixed text; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *params, CANDIDATES, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def _sqlite_snippets(match: str, ids: Sequence[int]) -> dict[int, str]:
    sql = f"""
        SELECT rowid, snippet(knowledge_article_fts, 2, %s, %s, '…', %s)
        FROM knowledge_article_fts
        WHERE knowledge_article_fts MATCH %s AND rowid IN ({_in(ids)})
    """  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, [OPEN, CLOSE, SNIPPET_WORDS, match, *ids])
        return {row[0]: row[1] or "" for row in cursor.fetchall()}


def _sqlite(
    terms: Sequence[str], filters: Filters, *, any_term: bool, prefix_last: bool, limit: int
) -> list[Hit]:
    every = rules.fts5_match(terms, any_term=any_term, prefix_last=prefix_last)
    head = rules.fts5_match(
        terms, any_term=any_term, prefix_last=prefix_last, columns=rules.HEAD_COLUMNS
    )
    ranked = _sqlite_rank(head, filters, limit=limit, exclude=())
    if len(ranked) < limit:
        ranked += _sqlite_rank(
            every, filters, limit=limit - len(ranked), exclude=[pk for pk, _ in ranked]
        )
    snippets = _sqlite_snippets(every, [pk for pk, _ in ranked]) if ranked else {}
    return [Hit(pk, score, snippets.get(pk, "")) for pk, score in ranked]


def _pg_query(
    terms: Sequence[str], configs: Sequence[str], **options: Any
) -> tuple[str, list[Any]]:
    """The tsquery as SQL with its parameters, written out where it is used (not in a CTE)
    so that the planner sees its words and estimates how many rows match."""
    text = rules.tsquery_text(terms, **options)
    sql = " || ".join(["to_tsquery(%s::regconfig, %s)"] * len(configs))
    return f"({sql})", [value for config in configs for value in (config, text)]


def _pg_rank(
    query: tuple[str, list[Any]],
    filters: Filters,
    *,
    vector: str,
    limit: int,
    exclude: Sequence[int],
) -> list[tuple[int, float]]:
    clauses, params = _where(filters, unindexed=True)
    if exclude:
        clauses.append(f"a.id NOT IN ({_in(exclude)})")
        params.extend(exclude)
    q, q_params = query
    # the first CANDIDATES matches the audience may read, ranked; the best are the answer
    sql = f"""
        SELECT id, score FROM (
            SELECT a.id AS id, ts_rank_cd(a.{vector}, {q}) AS score
            FROM knowledge_article a
            WHERE a.{vector} @@ {q} AND {" AND ".join(clauses)}
            LIMIT %s
        ) AS pool
        ORDER BY score DESC, id
        LIMIT %s
    """  # noqa: S608 - the clauses are fixed text; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [*q_params, *q_params, *params, CANDIDATES, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def _pg_snippets(query: tuple[str, list[Any]], ids: Sequence[int]) -> dict[int, str]:
    options = f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords={SNIPPET_WORDS}, MinWords=8"
    q, q_params = query
    sql = f"""
        SELECT a.id, ts_headline(a.stemming::regconfig, left(a.body, 2000), {q}, %s)
        FROM knowledge_article a WHERE a.id IN ({_in(ids)})
    """  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, [*q_params, options, *ids])
        return {row[0]: row[1] or "" for row in cursor.fetchall()}


def _postgresql(
    terms: Sequence[str], filters: Filters, *, any_term: bool, prefix_last: bool, limit: int
) -> list[Hit]:
    configs = rules.pg_configs(filters.languages or ("en",))
    query = _pg_query(terms, configs, any_term=any_term, prefix_last=prefix_last)
    # Both vectors are read through their GIN index, as a bitmap, and nothing else: the
    # planner, hoping to meet CANDIDATES matches early, would rather walk the table (or the
    # filter index) in its own order, and reads most of it when the words are rare together
    # (60-100 ms at 100,000 articles, where the bitmap takes 5-15 ms). Hence no sequential
    # scan in this transaction, and filter conditions that no b-tree serves (otherwise it
    # ANDs the bitmap with the filter index's tens of thousands of rows: 6 ms more).
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        ranked = _pg_rank(query, filters, vector="head_vector", limit=limit, exclude=())
        if len(ranked) < limit:
            ranked += _pg_rank(
                query,
                filters,
                vector="search_vector",
                limit=limit - len(ranked),
                exclude=[pk for pk, _ in ranked],
            )
    snippets = _pg_snippets(query, [pk for pk, _ in ranked]) if ranked else {}
    return [Hit(pk, score, snippets.get(pk, "")) for pk, score in ranked]


def search(
    text: str,
    filters: Filters,
    *,
    any_term: bool = False,
    prefix_last: bool = False,
    limit: int = 10,
) -> list[Hit]:
    """The best ``limit`` articles for the words of ``text`` that ``filters.audience`` may
    read: all words must match (``any_term``: any of them; ``prefix_last``: the last word is
    still being typed), best first.

    Matches in the title or summary come first, ranked among themselves; matches only in
    the body fill the rest. Each is ranked among the first :data:`CANDIDATES` matches in the
    index's order, so that a common word costs no more than a rare one."""
    terms = rules.search_terms(text)
    if not terms or limit < 1:
        return []
    run = {"sqlite": _sqlite, "postgresql": _postgresql}.get(connection.vendor)
    if run is None:
        raise NotImplementedError(f"no full-text search on {connection.vendor}")
    return run(terms, filters, any_term=any_term, prefix_last=prefix_last, limit=limit)


def naive_search(text: str, filters: Filters, *, limit: int = 10) -> list[int]:
    """The baseline the benchmark compares with: every word as a case-insensitive substring
    of title or body (``LIKE``), no ranking beyond newest first."""
    terms = rules.search_terms(text)
    if not terms:
        return []
    clauses, params = _where(filters)
    for term in terms:
        clauses.append("(LOWER(a.title) LIKE %s OR LOWER(a.body) LIKE %s)")
        params.extend([f"%{term}%", f"%{term}%"])
    sql = f"""
        SELECT a.id FROM knowledge_article a WHERE {" AND ".join(clauses)}
        ORDER BY a.updated_at DESC, a.id LIMIT %s
    """  # noqa: S608 - the clauses are fixed text; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [row[0] for row in cursor.fetchall()]
