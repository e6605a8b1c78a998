"""The case state machine, exhaustively: every (state, state, actor) triple."""

from __future__ import annotations

import itertools

import pytest

from supportdesk.policy import InputError
from supportdesk.policy.case_states import (
    OPEN_STATES,
    STATES,
    TRANSITIONS,
    next_states,
    transition,
)

ACTORS = ("customer", "engineer", "system")

# the whole table, written out once more by hand: (source, target) -> who may
EXPECTED = {
    ("new", "in_progress"): {"engineer"},
    ("new", "waiting_for_customer"): {"engineer"},
    ("new", "resolved"): {"engineer"},
    ("new", "closed"): {"customer", "engineer"},
    ("in_progress", "waiting_for_customer"): {"engineer"},
    ("in_progress", "waiting_for_third_party"): {"engineer"},
    ("in_progress", "resolved"): {"engineer"},
    ("in_progress", "closed"): {"customer", "engineer"},
    ("waiting_for_customer", "in_progress"): {"customer", "engineer"},
    ("waiting_for_customer", "resolved"): {"engineer"},
    ("waiting_for_customer", "closed"): {"customer", "engineer", "system"},
    ("waiting_for_third_party", "in_progress"): {"engineer"},
    ("waiting_for_third_party", "closed"): {"customer", "engineer"},
    ("resolved", "closed"): {"customer", "engineer", "system"},
    ("resolved", "in_progress"): {"customer", "engineer"},
}


@pytest.mark.parametrize(
    ("source", "target", "actor"), list(itertools.product(STATES, STATES, ACTORS))
)
def test_every_triple(source: str, target: str, actor: str) -> None:
    allowed = actor in EXPECTED.get((source, target), set())
    if allowed:
        assert transition(source, target, actor).target == target  # type: ignore[arg-type]
    else:
        with pytest.raises(InputError) as caught:
            transition(source, target, actor)  # type: ignore[arg-type]
        assert caught.value.field == "status"


def test_closed_is_final_and_the_table_has_no_duplicates() -> None:
    assert next_states("closed", "engineer") == ()
    pairs = [(t.source, t.target) for t in TRANSITIONS]
    assert len(pairs) == len(set(pairs))
    assert {"new", "in_progress", "waiting_for_customer", "waiting_for_third_party"} == OPEN_STATES


def test_refusal_says_what_is_allowed() -> None:
    with pytest.raises(InputError, match=r"may go to: closed"):
        transition("waiting_for_third_party", "resolved", "customer")
    with pytest.raises(InputError, match="unknown state"):
        transition("new", "archived", "engineer")
    with pytest.raises(InputError, match="unknown state"):
        transition("draft", "new", "engineer")
