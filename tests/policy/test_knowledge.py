"""The knowledge base's rules in the policy core: who reads what, query building, stemming,
deflection outcomes."""

from __future__ import annotations

import pytest

from supportdesk.policy import InputError
from supportdesk.policy import knowledge as rules


@pytest.mark.parametrize(
    ("audience", "levels", "drafts"),
    [
        ("anonymous", ("public",), False),
        ("customer", ("public", "customers"), False),
        ("staff", ("public", "customers", "internal"), True),
    ],
)
def test_who_reads_what(audience: str, levels: tuple[str, ...], drafts: bool) -> None:
    assert rules.visible_levels(audience) == levels
    assert rules.sees_drafts(audience) is drafts


def test_an_unknown_audience_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        rules.sees_drafts("robot")
    assert (caught.value.field, caught.value.message) == (
        "audience",
        "must be one of anonymous, customer, staff",
    )


def test_visibility_and_status_values() -> None:
    assert rules.check_visibility("internal") == "internal"
    assert rules.check_status("draft") == "draft"
    with pytest.raises(InputError, match="visibility"):
        rules.check_visibility("secret")
    with pytest.raises(InputError, match="status"):
        rules.check_status("archived")


def test_search_terms_keep_words_only_once_without_stop_words() -> None:
    assert rules.search_terms('The backup "job" FAILS; the job: a x OR (NEAR*') == (
        "backup",
        "job",
        "fails",
        "near",
    )
    assert rules.search_terms("Zálohy selhávají v noci") == ("zálohy", "selhávají", "noci")
    assert rules.search_terms(" ".join(f"w{i}" for i in range(20)), limit=3) == ("w0", "w1", "w2")
    assert rules.search_terms("!!! ?? *") == ()


def test_fts5_expressions() -> None:
    assert rules.fts5_match(["tape", "drive"]) == '"tape" AND "drive"'
    assert rules.fts5_match(["tape", "dri"], any_term=True, prefix_last=True) == (
        '"tape" OR "dri"*'
    )
    assert rules.fts5_match([]) == ""


def test_tsquery_texts() -> None:
    assert rules.tsquery_text(["tape", "drive"]) == "tape & drive"
    assert rules.tsquery_text(["tape", "dri"], any_term=True, prefix_last=True) == ("tape | dri:*")


@pytest.mark.parametrize("bad", ["two words", 'quo"te', "", "a:*"])
def test_only_single_words_go_into_a_query(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        rules.tsquery_text(["ok", bad])
    assert caught.value.field == "terms[1]"
    with pytest.raises(InputError):
        rules.fts5_match([bad])


def test_stemming_follows_the_language() -> None:
    assert rules.pg_config("de") == "german"
    assert rules.pg_config("pt-BR") == "portuguese"
    assert rules.pg_config("cs") == "simple"  # PostgreSQL ships no Czech stemmer
    assert rules.pg_configs(["en", "en-GB", "cs", "ja"]) == ("english", "simple")
    assert rules.base_language("zh-Hant") == "zh"


@pytest.mark.parametrize(
    ("current", "new", "result"),
    [("pending", "deflected", "deflected"), ("pending", "case_opened", "case_opened")],
)
def test_a_pending_session_is_decided_once(current: str, new: str, result: str) -> None:
    assert rules.deflection_outcome(current, new) == result


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("deflected", "case_opened", "already decided: deflected"),
        ("case_opened", "deflected", "already decided: case_opened"),
        ("pending", "pending", "must be deflected or case_opened"),
        ("lost", "deflected", "unknown current outcome 'lost'"),
    ],
)
def test_a_decided_session_stays_decided(current: str, new: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        rules.deflection_outcome(current, new)
    assert (caught.value.field, caught.value.message) == ("outcome", message)


def test_deflection_rate() -> None:
    assert rules.deflection_rate(3, 1) == 0.75
    assert rules.deflection_rate(0, 0) is None
    with pytest.raises(InputError):
        rules.deflection_rate(-1, 2)


def test_the_head_of_an_article_is_searched_first() -> None:
    assert rules.fts5_match(["tape"], columns=rules.HEAD_COLUMNS) == '{title summary} : ("tape")'
    assert rules.tsquery_text(["tape", "dri"], prefix_last=True, weights="AB") == (
        "tape:AB & dri:*AB"
    )
    with pytest.raises(InputError):
        rules.tsquery_text(["tape"], weights="AZ")
