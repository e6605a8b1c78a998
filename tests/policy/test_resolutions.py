"""Resolutions and their effect (R-30, R-31), exhaustively: every type x every state x every
severity, and every refusal naming its field."""

from __future__ import annotations

import itertools

import pytest

from supportdesk.policy import InputError
from supportdesk.policy.case_states import STATES
from supportdesk.policy.resolutions import OUT_OF_SCOPE, TYPES, resolution_effect

# written out once more by hand from: type -> (closes?, severity rule)
EXPECTED = {
    "software_fix": (True, "keep"),
    "permanent_workaround": (True, "keep"),
    "temporary_workaround": (False, "lower"),
    "action_plan": (False, "may_lower"),
    "enhancement_needed": (True, "keep"),
    "out_of_scope": (True, "keep"),
}


def test_the_types_are_those_of_r30_and_r31() -> None:
    assert {k: (t.closes, t.severity) for k, t in TYPES.items()} == EXPECTED
    assert {k: t.rule for k, t in TYPES.items()} == {
        **{k: "R-30" for k in EXPECTED if k != "out_of_scope"},
        "out_of_scope": "R-31",
    }
    assert list(OUT_OF_SCOPE) == ["installation", "configuration", "upgrade", "custom_scripts"]


def _args(kind: str, severity: int) -> dict[str, object]:
    """The least a resolution of ``kind`` needs."""
    args: dict[str, object] = {}
    if kind == "temporary_workaround" and severity < 4:
        args["new_severity"] = severity + 1
    if kind == "action_plan":
        args["milestones"] = 2
    if kind == "out_of_scope":
        args["out_of_scope_reason"] = "installation"
    return args


@pytest.mark.parametrize(
    ("kind", "status", "severity"), list(itertools.product(EXPECTED, STATES, (1, 2, 3, 4)))
)
def test_every_type_in_every_state_at_every_severity(kind: str, status: str, severity: int) -> None:
    closes = EXPECTED[kind][0]
    args = _args(kind, severity)
    if status == "closed":
        with pytest.raises(InputError) as caught:
            resolution_effect(kind, status=status, severity=severity, **args)  # type: ignore[arg-type]
        assert (caught.value.field, caught.value.message) == (
            "status",
            "the case is closed: it takes no more resolutions",
        )
        return
    effect = resolution_effect(kind, status=status, severity=severity, **args)  # type: ignore[arg-type]
    if closes:
        assert effect.status == "closed"
    else:
        assert effect.status == ("in_progress" if status == "new" else status)
    assert effect.severity == args.get("new_severity", severity)


def test_what_the_customer_is_told() -> None:
    def told(kind: str, **kw: object) -> str:
        return resolution_effect(kind, status="in_progress", severity=2, **kw).explanation  # type: ignore[arg-type]

    assert told("software_fix") == "Software that fixes the problem: the case is closed (R-30)."
    assert told("permanent_workaround") == (
        "Permanent business or system workaround: the case is closed (R-30)."
    )
    assert told("temporary_workaround", new_severity=3) == (
        "A temporary workaround: the case stays open (R-30). Severity 2 → 3."
    )
    assert told("action_plan", milestones=1) == (
        "An action plan, its milestones tracked and communicated (R-30)."
    )
    assert told("action_plan", milestones=1, new_severity=4) == (
        "An action plan, its milestones tracked and communicated (R-30). Severity 2 → 4."
    )
    assert told("enhancement_needed") == (
        "The problem needs a customization or enhancement outside maintenance: the case is "
        "closed (R-30)."
    )
    assert told("out_of_scope", out_of_scope_reason="custom_scripts") == (
        "Writing or debugging custom scripts is outside the scope of support: the case is "
        "closed (R-31)."
    )


def test_a_temporary_workaround_at_the_lowest_severity_keeps_it() -> None:
    effect = resolution_effect("temporary_workaround", status="in_progress", severity=4)
    assert (effect.status, effect.severity) == ("in_progress", 4)


@pytest.mark.parametrize(
    ("kind", "kw", "field", "message"),
    [
        ("rebooted", {}, "type", "unknown resolution 'rebooted' (one of: software_fix, "
         "permanent_workaround, temporary_workaround, action_plan, enhancement_needed, "
         "out_of_scope)"),
        ("temporary_workaround", {}, "new_severity",
         "a temporary workaround lowers the severity: give the new one (R-30)"),
        ("temporary_workaround", {"new_severity": 2}, "new_severity",
         "lowering Severity 2 means a higher number, up to 4"),
        ("action_plan", {"new_severity": 1, "milestones": 1}, "new_severity",
         "lowering Severity 2 means a higher number, up to 4"),
        ("action_plan", {"new_severity": 5, "milestones": 1}, "new_severity",
         "a severity from 1 to 4"),
        ("action_plan", {"new_severity": True, "milestones": 1}, "new_severity",
         "a severity from 1 to 4"),
        ("software_fix", {"new_severity": 3}, "new_severity",
         "Software that fixes the problem does not change the severity (R-30)"),
        ("action_plan", {}, "milestones",
         "an action plan has milestones, with their dates and dependencies (R-30)"),
        ("software_fix", {"milestones": 1}, "milestones",
         "only an action plan has milestones (R-30)"),
        ("out_of_scope", {}, "out_of_scope_reason",
         "say what is out of scope (one of: installation, configuration, upgrade, "
         "custom_scripts) (R-31)"),
        ("out_of_scope", {"out_of_scope_reason": "training"}, "out_of_scope_reason",
         "say what is out of scope (one of: installation, configuration, upgrade, "
         "custom_scripts) (R-31)"),
        ("software_fix", {"out_of_scope_reason": "upgrade"}, "out_of_scope_reason",
         "only an out-of-scope close has that reason (R-31)"),
    ],
)  # fmt: skip
def test_refusals_name_their_field(
    kind: str, kw: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        resolution_effect(kind, status="in_progress", severity=2, **kw)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.message) == (field, message)


def test_the_same_severity_given_again_is_no_change_for_a_closing_type() -> None:
    effect = resolution_effect(
        "software_fix", status="waiting_for_third_party", severity=2, new_severity=2
    )
    assert (effect.status, effect.severity) == ("closed", 2)
