"""The knowledge base's rules as pure computation (R-3): who reads which articles, how typed
words become a full-text query for each database engine, which stemming an article's
language gets, and the deflection record's outcomes.

The knowledge app runs the queries; every decision about them is made here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .errors import InputError

#: Who may read an article, widest first.
VISIBILITIES = ("public", "customers", "internal")
#: Who is asking: a visitor who has not signed in, a signed-in customer or partner person,
#: or the vendor's staff.
AUDIENCES = ("anonymous", "customer", "staff")
STATUSES = ("draft", "published")

_LEVELS: dict[str, tuple[str, ...]] = {
    "anonymous": ("public",),
    "customer": ("public", "customers"),
    "staff": VISIBILITIES,
}

#: PostgreSQL text-search configurations by language (stemming where PostgreSQL ships a
#: stemmer for it; "simple" lower-cases and keeps every word otherwise). SQLite's FTS5
#: has one stemmer, Porter's English one, and applies it to every language.
PG_CONFIGS: dict[str, str] = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}

#: Words too common to find anything by, in the languages whose articles are most common.
_STOP = (
    "a an and are as at be but by for from has have how i in is it its my of on or our so "
    "that the this to was we what when where which why will with you your "
    "a ale i je jak k na o po se si to v ve z za "
    "der die das und ist nicht ein eine mit zu im den "
    "le la les des et est un une du en pour"
)
STOP_WORDS = frozenset(_STOP.split())
MAX_TERMS = 12
MIN_TERM = 2
_WORD = re.compile(r"\w+", re.UNICODE)


def visible_levels(audience: str) -> tuple[str, ...]:
    """The visibilities an audience reads: public for everyone, customers for signed-in
    people, internal for staff only."""
    try:
        return _LEVELS[audience]
    except KeyError:
        raise InputError("audience", f"must be one of {', '.join(AUDIENCES)}") from None


def sees_drafts(audience: str) -> bool:
    """Only staff, who write the articles, read drafts."""
    visible_levels(audience)
    return audience == "staff"


def check_visibility(value: str) -> str:
    if value not in VISIBILITIES:
        raise InputError("visibility", f"must be one of {', '.join(VISIBILITIES)}")
    return value


def check_status(value: str) -> str:
    if value not in STATUSES:
        raise InputError("status", f"must be one of {', '.join(STATUSES)}")
    return value


def base_language(tag: str) -> str:
    """``pt-BR`` -> ``pt``."""
    return tag.split("-", 1)[0].lower()


def pg_config(language: str) -> str:
    """The PostgreSQL text-search configuration that stems an article's language."""
    return PG_CONFIGS.get(base_language(language), "simple")


def pg_configs(languages: Iterable[str]) -> tuple[str, ...]:
    """The distinct configurations a query must be stemmed with to match articles in
    ``languages`` (one tsquery each, ORed together)."""
    return tuple(dict.fromkeys(pg_config(language) for language in languages))


def search_terms(text: str, *, limit: int = MAX_TERMS) -> tuple[str, ...]:
    """The words of a typed query that can find something: lower-cased, in order, without
    repeats, stop words or one-letter words; at most ``limit``.

    The result holds only word characters, so it is safe to put into either engine's query
    syntax."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) < MIN_TERM or word in STOP_WORDS:
            continue
        seen.setdefault(word, None)
        if len(seen) == limit:
            break
    return tuple(seen)


def _checked(terms: Sequence[str]) -> None:
    for i, term in enumerate(terms):
        if not term or _WORD.fullmatch(term) is None:
            raise InputError(f"terms[{i}]", "must be one word")


#: Where a search looks first: the title and the summary (FTS5 columns, PostgreSQL weights A
#: and B). Those matches rank first; the body's matches fill the rest of the page.
HEAD_COLUMNS = ("title", "summary")
HEAD_WEIGHTS = "AB"


def fts5_match(
    terms: Sequence[str],
    *,
    any_term: bool = False,
    prefix_last: bool = False,
    columns: Sequence[str] = (),
) -> str:
    """An SQLite FTS5 MATCH expression: every term (or, with ``any_term``, any of them);
    ``prefix_last`` also matches words that begin with the last term, for a word still being
    typed; ``columns`` limits it to those columns."""
    _checked(terms)
    parts = [f'"{term}"' for term in terms]
    if prefix_last and parts:
        parts[-1] += "*"
    expression = (" OR " if any_term else " AND ").join(parts)
    if columns and expression:
        return f"{{{' '.join(columns)}}} : ({expression})"
    return expression


def tsquery_text(
    terms: Sequence[str], *, any_term: bool = False, prefix_last: bool = False, weights: str = ""
) -> str:
    """The text for PostgreSQL's ``to_tsquery(config, text)``, with the same meaning as
    :func:`fts5_match`; ``weights`` (such as ``AB``) limits it to lexemes of those weights."""
    _checked(terms)
    if weights.strip("ABCD"):
        raise InputError("weights", "must be letters of A, B, C and D")
    last = len(terms) - 1
    parts = []
    for i, term in enumerate(terms):
        star = "*" if prefix_last and i == last else ""
        parts.append(f"{term}:{star}{weights}" if star or weights else term)
    return (" | " if any_term else " & ").join(parts)


# --- deflection --------------------------------------------------------------------------------

#: A deflection record follows a customer through the new-case wizard: suggestions are shown
#: while it is pending; it ends as deflected (an article answered the question, no case) or
#: case_opened (the customer opened the case all the same).
OUTCOMES = ("pending", "deflected", "case_opened")


def deflection_outcome(current: str, new: str) -> str:
    """The outcome a pending record may take; a decided one never changes."""
    if current not in OUTCOMES:
        raise InputError("outcome", f"unknown current outcome {current!r}")
    if new not in OUTCOMES[1:]:
        raise InputError("outcome", "must be deflected or case_opened")
    if current != "pending":
        raise InputError("outcome", f"already decided: {current}")
    return new


def deflection_rate(deflected: int, case_opened: int) -> float | None:
    """The share of decided wizard sessions that ended without a case; None when none was
    decided."""
    if deflected < 0 or case_opened < 0:
        raise InputError("count", "must not be negative")
    decided = deflected + case_opened
    return None if decided == 0 else deflected / decided
