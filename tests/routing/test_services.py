"""Routing on opening and the moves of a case (R-10, R-20, R-21): exact values, one
CaseAssignment row and one audit event per move, nothing changed by a refused move."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from supportdesk.audit.models import AuditEvent
from supportdesk.errors import Conflict
from supportdesk.routing import services
from supportdesk.routing.models import CaseAssignment, EngineerProfile, Queue
from tests.accounts.factories import PdmFactory, StaffFactory
from tests.cases.factories import CaseFactory
from tests.cases.test_services import AT, make_customer, open_case
from tests.licensing.factories import ProductFactory
from tests.routing.factories import EngineerProfileFactory, QueueFactory

pytestmark = pytest.mark.django_db

#: Monday 1 June 2026, 21:00 in Berlin: outside the language hours
EVENING = datetime(2026, 6, 1, 19, 0, tzinfo=UTC)


def manager():
    return StaffFactory.create(staff_role="support_manager")


def test_a_flagship_case_goes_to_the_german_l1_queue_when_a_german_speaker_is_on_shift() -> None:
    c = make_customer()
    c.product.is_flagship = True
    c.product.save()
    english = QueueFactory.create(code="l1-en")
    german = QueueFactory.create(code="l1-de", language="de", product=c.product)
    EngineerProfileFactory.create(languages=["de", "en"], queues=[german])

    case = open_case(c)
    evening = open_case(c, at=EVENING)

    case.refresh_from_db()
    assert (case.queue, case.assignee, case.tier, case.language) == (german, None, "L1", "de")
    assert case.routing_reasons[-1] == "An L1 engineer speaking de is on shift: routed in de."
    assert (evening.queue, evening.language) == (english, "en")
    (routed, _) = CaseAssignment.objects.order_by("at")
    assert (routed.case, routed.kind, routed.to_queue, routed.by, routed.language) == (
        case,
        "routed",
        german,
        None,
        "de",
    )
    event = AuditEvent.objects.get(action="case.open", target_id=str(case.pk))
    assert event.changes["queue"] == [None, german.pk]
    assert event.changes["language"] == [None, "de"]


def test_a_premium_case_goes_to_the_customers_pdm() -> None:
    c = make_customer(level="premium")
    pdm = PdmFactory.create()
    c.org.pdm = pdm
    c.org.save()
    QueueFactory.create(code="l1-en")

    case = open_case(c)

    assert (case.assignee, case.assigned_at, case.program) == (pdm, AT, "premium")


def test_take_hand_over_escalate_and_release_are_each_recorded() -> None:
    product = ProductFactory.create(code="BR")
    l1 = QueueFactory.create(code="l1", product=product)
    l2 = QueueFactory.create(code="l2", tier="L2", product=product)
    alice = EngineerProfileFactory.create(queues=[l1]).user
    bob = EngineerProfileFactory.create(queues=[l1, l2]).user
    case = CaseFactory.create(product=product, queue=l1)

    case = services.case_take(actor=alice, case=case, expected_version=1, at=AT)
    case = services.case_assign(
        actor=alice, case=case, assignee=bob, note="Bob knows tape.", expected_version=2, at=AT
    )
    case = services.case_escalate(
        actor=bob, case=case, reason="Needs a debugger.", expected_version=3, at=AT
    )

    case.refresh_from_db()
    assert (case.queue, case.assignee, case.tier, case.language, case.version) == (
        l2,
        None,
        "L2",
        "en",
        4,
    )
    moves = [
        (m.kind, m.from_assignee, m.to_assignee, m.from_queue, m.to_queue, m.by)
        for m in CaseAssignment.objects.order_by("pk")
    ]
    assert moves == [
        ("taken", None, alice, l1, l1, alice),
        ("handed_over", alice, bob, l1, l1, alice),
        ("escalated", bob, None, l1, l2, bob),
    ]
    events = list(AuditEvent.objects.order_by("pk").values_list("action", "changes"))
    assert [a for a, _ in events] == ["case.taken", "case.handed_over", "case.escalated"]
    assert events[2][1]["tier"] == ["L1", "L2"]
    assert events[2][1]["reasons"] == [
        None,
        ["Escalated L1 → L2; L2 support is in English only (R-21).", "Needs a debugger."],
    ]


def test_refused_moves_change_nothing() -> None:
    l1 = QueueFactory.create(code="l1")
    stranger = EngineerProfileFactory.create().user  # in no queue
    inside = EngineerProfileFactory.create(queues=[l1]).user
    case = CaseFactory.create(queue=l1)

    with pytest.raises(ObjectDoesNotExist):
        services.case_take(actor=stranger, case=case, expected_version=1, at=AT)
    with pytest.raises(Conflict):
        services.case_take(actor=inside, case=case, expected_version=7, at=AT)
    with pytest.raises(ValidationError) as exc:
        services.case_escalate(actor=inside, case=case, reason=" ", expected_version=1, at=AT)
    assert exc.value.message_dict == {"reason": ["Say why the case needs the next tier."]}
    with pytest.raises(ValidationError) as exc:
        services.case_escalate(actor=inside, case=case, reason="why", expected_version=1, at=AT)
    assert list(exc.value.message_dict) == ["tier"]
    with pytest.raises(PermissionDenied):
        services.case_take(actor=make_customer().admin, case=case, expected_version=1, at=AT)

    case.refresh_from_db()
    assert (case.assignee, case.version, CaseAssignment.objects.count()) == (None, 1, 0)
    assert AuditEvent.objects.count() == 0


def test_managers_maintain_queues_and_profiles_audited() -> None:
    boss = manager()
    product = ProductFactory.create(code="BR")
    queue = services.queue_create(
        actor=boss, code="L1-BR-DE", name="L1 B&R German", language="DE", product=product, at=AT
    )
    user = StaffFactory.create()
    profile = services.engineer_profile_create(
        actor=boss,
        user=user,
        languages=["de", "en"],
        products=[product],
        queues=[queue],
        shifts=[{"days": "mon-fri", "start": "08:00", "end": "16:00"}],
        at=AT,
    )
    services.engineer_profile_update(
        actor=boss, profile=profile, changes={"tier": "L2", "queues": []}, at=AT
    )

    assert (queue.code, queue.language) == ("l1-br-de", "de")
    profile.refresh_from_db()
    assert (profile.tier, list(profile.queues.all()), profile.time_zone) == ("L2", [], "UTC")
    update = AuditEvent.objects.get(action="engineer_profile.update")
    assert update.changes == {"tier": ["L1", "L2"], "queues": [["l1-br-de"], []]}


def test_only_managers_maintain_routing_and_bad_input_names_the_field() -> None:
    with pytest.raises(PermissionDenied):
        services.queue_create(actor=StaffFactory.create(), code="x", name="X", at=AT)
    with pytest.raises(ValidationError) as exc:
        services.engineer_profile_create(
            actor=manager(),
            user=StaffFactory.create(),
            shifts=[{"days": "mon", "start": "8", "end": "16:00"}],
            at=AT,
        )
    assert list(exc.value.message_dict) == ["shifts"]
    with pytest.raises(ValidationError) as exc:
        services.engineer_profile_create(actor=manager(), user=make_customer().admin, at=AT)
    assert list(exc.value.message_dict) == ["user"]
    assert (Queue.objects.count(), EngineerProfile.objects.count()) == (0, 0)
