"""Routing a case as it is opened (R-10, R-20, R-21), called by ``case_open``: the decision
is made before the write transaction, put on the new case, and recorded inside it."""

from __future__ import annotations

from datetime import datetime

from supportdesk import rows
from supportdesk.cases.models import Case
from supportdesk.policy.routing import RoutingDecision
from supportdesk.routing.choices import AssignmentKind
from supportdesk.routing.models import CaseAssignment


def apply_routing(case: Case, decision: RoutingDecision, at: datetime) -> None:
    """Put the decision's queue, assignee, tier and language on a case not yet saved."""
    case.queue_id = decision.queue
    case.assignee_id = decision.assignee
    case.tier = decision.tier
    case.language = decision.language
    case.routing_reasons = list(decision.reasons)
    case.assigned_at = at if decision.assignee is not None else None


def case_routed_record(*, case: Case, decision: RoutingDecision, at: datetime) -> CaseAssignment:
    """Record how a case just opened was routed, inside the opening's transaction (its
    audit event is the opening's, which carries the queue, assignee and reasons). Inside
    ``rows.pipelined`` the row's key is set at the block's end."""
    row = CaseAssignment(
        case=case,
        kind=AssignmentKind.ROUTED,
        to_queue_id=case.queue_id,
        to_assignee_id=case.assignee_id,
        tier=case.tier,
        language=case.language,
        reasons=list(decision.reasons),
        at=at,
    )
    rows.insert(row, key_later=True)
    return row
