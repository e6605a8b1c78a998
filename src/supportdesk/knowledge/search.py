"""Full-text search of published articles with the database's own engine, ranked, with a
snippet: FTS5 with bm25 on SQLite, ``tsvector``/``tsquery`` with ``ts_rank_cd`` and
``ts_headline`` on PostgreSQL (the index: migration 0002). What to look for and who may read
what comes from the policy core; this module only runs the query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
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


def _where(filters: Filters) -> tuple[list[str], list[Any]]:
    levels = rules.visible_levels(filters.audience)
    clauses = [f"a.visibility IN ({', '.join(['%s'] * len(levels))})"]
    params: list[Any] = list(levels)
    if not rules.sees_drafts(filters.audience):
        clauses.append("a.status = 'published'")
    if filters.languages:
        clauses.append(f"a.language IN ({', '.join(['%s'] * len(filters.languages))})")
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


def _sqlite(
    terms: Sequence[str], filters: Filters, *, any_term: bool, prefix_last: bool, limit: int
) -> list[Hit]:
    match = rules.fts5_match(terms, any_term=any_term, prefix_last=prefix_last)
    clauses, params = _where(filters)
    # bm25: lower is better; title counts most, then summary, then body
    sql = f"""
        SELECT a.id, -bm25(knowledge_article_fts, 10.0, 4.0, 1.0) AS score,
               snippet(knowledge_article_fts, 2, %s, %s, '…', %s)
        FROM knowledge_article_fts JOIN knowledge_article a ON a.id = knowledge_article_fts.rowid
        WHERE knowledge_article_fts MATCH %s AND {" AND ".join(clauses)}
        ORDER BY score DESC, a.id
        LIMIT %s
    """  # noqa: S608 - the clauses are fixed text; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [OPEN, CLOSE, SNIPPET_WORDS, match, *params, limit])
        return [Hit(row[0], float(row[1]), row[2] or "") for row in cursor.fetchall()]


def _postgresql(
    terms: Sequence[str], filters: Filters, *, any_term: bool, prefix_last: bool, limit: int
) -> list[Hit]:
    text = rules.tsquery_text(terms, any_term=any_term, prefix_last=prefix_last)
    configs = rules.pg_configs(filters.languages or ("en",))
    query = " || ".join(["to_tsquery(%s::regconfig, %s)"] * len(configs))
    query_params: list[Any] = [value for config in configs for value in (config, text)]
    clauses, params = _where(filters)
    options = f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords={SNIPPET_WORDS}, MinWords=8"
    # rank the matches, then make headlines for the few that are returned
    sql = f"""
        WITH q AS (SELECT {query} AS query),
        top AS (
            SELECT a.id, a.stemming, a.summary, a.body,
                   ts_rank_cd(a.search_vector, q.query) AS score
            FROM knowledge_article a, q
            WHERE a.search_vector @@ q.query AND {" AND ".join(clauses)}
            ORDER BY score DESC, a.id
            LIMIT %s
        )
        SELECT top.id, top.score,
               ts_headline(top.stemming::regconfig, left(top.body, 2000), q.query, %s)
        FROM top, q
        ORDER BY top.score DESC, top.id
    """  # noqa: S608 - the clauses are fixed text; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [*query_params, *params, limit, options])
        return [Hit(row[0], float(row[1]), row[2] or "") for row in cursor.fetchall()]


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
    still being typed), best first."""
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
