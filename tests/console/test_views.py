"""The engineer console: who sees it, what the queue shows (in the viewer's zone, by due
instant, a bounded number of queries), and the actions through the services."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from supportdesk.audit.models import AuditEvent
from supportdesk.cases.models import Case, Comment
from supportdesk.routing.models import CaseAssignment, Queue
from tests.accounts.factories import EngineerFactory, OrganizationFactory, StaffFactory, member
from tests.cases.factories import CaseFactory, ManagerRequestFactory
from tests.licensing.factories import ProductFactory
from tests.routing.factories import EngineerProfileFactory, QueueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    product = ProductFactory.create(code="BR")
    mine, other = QueueFactory.create(code="l1-mine"), QueueFactory.create(code="l1-other")
    engineer = EngineerProfileFactory.create(
        queues=[mine], user=EngineerFactory.create(time_zone="America/New_York")
    ).user
    org = OrganizationFactory.create()
    now = timezone.now().replace(microsecond=0)
    return {
        "product": product,
        "mine": mine,
        "other": other,
        "engineer": engineer,
        "org": org,
        "now": now,
    }


def make_case(world: dict[str, Any], queue: Queue, due_in: timedelta | None, **kw: Any) -> Case:
    now = world["now"]
    return CaseFactory.create(
        organization=world["org"],
        product=world["product"],
        queue=queue,
        opened_at=now - timedelta(hours=1),
        first_response_due_at=None if due_in is None else now + due_in,
        **kw,
    )


def test_anonymous_visitors_sign_in_first_and_customers_never_see_the_console(
    world: dict[str, Any],
) -> None:
    case = make_case(world, world["mine"], timedelta(hours=1))
    client = Client()
    urls = ["/console/", "/console/queue/", f"/console/cases/{case.number}/", "/console/manager/"]

    anonymous = [client.get(url) for url in urls]
    client.force_login(member(world["org"], "license_admin"))
    customer = [client.get(url).status_code for url in urls]
    posted = client.post(f"/console/cases/{case.number}/take/", {"expected_version": 1})

    assert [(r.status_code, r["Location"].split("?")[0]) for r in anonymous] == [
        (302, "/login/")
    ] * 4
    assert customer == [403, 403, 403, 403]
    assert posted.status_code == 403
    case.refresh_from_db()
    assert (case.assignee, case.version) == (None, 1)


def test_the_team_queue_shows_the_engineers_queues_by_due_time_in_their_zone(
    world: dict[str, Any],
) -> None:
    later = make_case(world, world["mine"], timedelta(hours=3), subject="later")
    sooner = make_case(world, world["mine"], timedelta(minutes=20), subject="sooner")
    none = make_case(world, world["mine"], None, subject="best effort")
    late = make_case(world, world["mine"], timedelta(minutes=-5), subject="late", severity=1,
                     round_the_clock=True)  # fmt: skip
    hidden = make_case(world, world["other"], timedelta(minutes=1), subject="hidden")
    make_case(world, world["mine"], timedelta(minutes=2), status="resolved", subject="done")
    client = Client()
    client.force_login(world["engineer"])

    page = client.get("/console/queue/").content.decode()

    order = [page.index(c.number) for c in (late, sooner, later, none)]
    assert order == sorted(order)
    assert hidden.number not in page
    assert "done" not in page
    local = (world["now"] + timedelta(minutes=20)).astimezone(ZoneInfo("America/New_York"))
    assert local.strftime("%H:%M") + (" EST" if local.dst() == timedelta(0) else " EDT") in page
    assert "overdue by 5 min" in page
    assert "in 20 min" in page or "in 19 min" in page
    assert "24x7" in page


def test_filters_narrow_the_queue(world: dict[str, Any]) -> None:
    s1 = make_case(world, world["mine"], timedelta(hours=1), severity=1)
    s3 = make_case(world, world["mine"], timedelta(hours=1), severity=3)
    waiting = make_case(world, world["mine"], timedelta(hours=2), status="waiting_for_customer")
    client = Client()
    client.force_login(world["engineer"])

    sev1 = client.get("/console/queue/", {"severity": "1"}).content.decode()
    wait = client.get("/console/queue/", {"waiting": "yes"}).content.decode()
    bad = client.get("/console/queue/", {"severity": "9"})

    assert (s1.number in sev1, s3.number in sev1) == (True, False)
    assert (waiting.number in wait, s1.number in wait) == (True, False)
    assert bad.status_code == 422
    assert 'id="error-severity"' in bad.content.decode()


def test_my_cases_are_the_ones_assigned_to_me(world: dict[str, Any]) -> None:
    mine = make_case(world, world["other"], timedelta(hours=1), assignee=world["engineer"])
    queued = make_case(world, world["mine"], timedelta(hours=1))
    client = Client()
    client.force_login(world["engineer"])

    page = client.get("/console/").content.decode()

    assert (mine.number in page, queued.number in page) == (True, False)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_queue_page_takes_the_same_few_queries_for_5_or_50_rows(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["engineer"])
    for i in range(5):
        make_case(world, world["mine"], timedelta(minutes=i), assignee=StaffFactory.create())
    few = _queries(client, "/console/queue/")
    for i in range(60):
        make_case(world, world["mine"], timedelta(minutes=i), assignee=StaffFactory.create())

    many = _queries(client, "/console/queue/")
    page = client.get("/console/queue/").content.decode()

    assert page.count('class="countdown"') == 50
    # session, user, products for the filter, the user's queues, the cases: no query per row
    assert (few, many) == (5, 5)


def test_take_hand_over_comment_and_escalate_from_the_case_page(world: dict[str, Any]) -> None:
    l2 = QueueFactory.create(code="l2", tier="L2")
    case = make_case(world, world["mine"], timedelta(hours=1))
    colleague = EngineerProfileFactory.create(queues=[world["mine"]]).user
    client = Client()
    client.force_login(world["engineer"])
    url = f"/console/cases/{case.number}"

    page = client.get(f"{url}/")
    took = client.post(f"{url}/take/", {"expected_version": 1})
    stale = client.post(f"{url}/take/", {"expected_version": 1})
    handed = client.post(f"{url}/assign/", {"expected_version": 2, "assignee": colleague.pk})
    empty = client.post(f"{url}/comment/", {"expected_version": 3, "body": "  "})
    internal = client.post(
        f"{url}/comment/", {"expected_version": 3, "body": "tape issue", "internal": "on"}
    )
    escalated = client.post(f"{url}/escalate/", {"expected_version": 4, "reason": "needs L2"})

    assert page.status_code == 200
    assert (took.status_code, took["Location"]) == (302, f"/console/cases/{case.number}/")
    assert stale.status_code == 409
    assert "has changed since you read it" in stale.content.decode()
    assert handed.status_code == 302
    assert empty.status_code == 422
    assert "body: This field is required." in empty.content.decode()
    assert (internal.status_code, escalated.status_code) == (302, 302)
    case.refresh_from_db()
    assert (case.queue, case.tier, case.assignee, case.version) == (l2, "L2", None, 5)
    assert list(Comment.objects.values_list("body", "internal")) == [("tape issue", True)]
    assert list(CaseAssignment.objects.values_list("kind", flat=True).order_by("pk")) == [
        "taken",
        "handed_over",
        "escalated",
    ]
    assert AuditEvent.objects.filter(target_id=str(case.pk)).count() == 4


def test_an_engineer_cannot_open_or_act_on_a_case_outside_their_queues(
    world: dict[str, Any],
) -> None:
    case = make_case(world, world["other"], timedelta(hours=1))
    client = Client()
    client.force_login(world["engineer"])

    page = client.get(f"/console/cases/{case.number}/")
    take = client.post(f"/console/cases/{case.number}/take/", {"expected_version": 1})

    assert (page.status_code, take.status_code) == (404, 404)
    case.refresh_from_db()
    assert (case.assignee, case.version) == (None, 1)


def test_the_manager_view_lists_breached_at_risk_severity_1_and_queue_load(
    world: dict[str, Any],
) -> None:
    boss = StaffFactory.create(staff_role="support_manager")
    breached = make_case(world, world["other"], timedelta(minutes=-30))
    risky = make_case(world, world["other"], timedelta(minutes=30))
    calm = make_case(world, world["other"], timedelta(hours=5))
    sev1 = make_case(world, world["mine"], timedelta(hours=5), severity=1)
    client = Client()
    client.force_login(boss)

    page = client.get("/console/manager/").content.decode()
    engineer = Client()
    engineer.force_login(world["engineer"])

    sections = page.split("<h2>")[1:]  # the first: "Talk to a manager" requests
    assert "No open requests." in sections[0]
    assert (breached.number in sections[1], risky.number in sections[1]) == (True, False)
    assert (risky.number in sections[2], calm.number in sections[2]) == (True, False)
    assert (sev1.number in sections[3], calm.number in sections[3]) == (True, False)
    assert "l1-other)</td><td>L1</td><td>3</td><td>3</td><td>0</td>" in sections[4]
    assert engineer.get("/console/manager/").status_code == 403
    assert Case.objects.count() == 4


# --- "Talk to a manager" in the manager view (R-32) -------------------------------------------


def _requests_section(page: str) -> str:
    return page.split('<section id="manager-requests">')[1].split("</section>")[0]


def test_the_manager_view_counts_down_to_each_request_s_answer_in_the_viewer_s_zone(
    world: dict[str, Any], settings: Any
) -> None:
    settings.SUPPORTDESK_MANAGER_ACK_MINUTES = 30
    now = world["now"]
    late = ManagerRequestFactory.create(
        case=make_case(world, world["other"], None), requested_at=now - timedelta(minutes=45)
    )
    fresh = ManagerRequestFactory.create(
        case=make_case(world, world["mine"], None), requested_at=now - timedelta(minutes=10)
    )
    ManagerRequestFactory.create(  # answered already: not waiting
        case=make_case(world, world["mine"], None), status="answered", answered_at=now
    )
    boss = StaffFactory.create(staff_role="support_manager", time_zone="Asia/Tokyo")
    client = Client()
    client.force_login(boss)

    section = _requests_section(client.get("/console/manager/").content.decode())

    rows = section.split("<tr")[2:]  # after the header
    assert [late.case.number in rows[0], fresh.case.number in rows[1], len(rows)] == [
        True,
        True,
        2,
    ]
    tokyo = ZoneInfo("Asia/Tokyo")
    due = (fresh.requested_at + timedelta(minutes=30)).astimezone(tokyo)
    assert f"{due:%H:%M} JST" in rows[1]
    assert "to answer within 30 min" in section
    # the page is rendered a moment after ``now``: a minute may have begun since
    assert ('class="overdue"' in rows[0], "late</span>" in rows[0]) == (True, True)
    assert re.search(r">overdue by 1[56] min<", rows[0])
    assert re.search(r">in (19|20) min<", rows[1])
    assert 'class="overdue"' not in rows[1]


def test_a_manager_answers_a_request_from_the_manager_view_recorded_and_audited(
    world: dict[str, Any],
) -> None:
    case = make_case(world, world["other"], None)
    request = ManagerRequestFactory.create(case=case, requested_at=world["now"])
    boss = StaffFactory.create(staff_role="support_manager")
    client = Client()
    client.force_login(boss)
    url = f"/console/manager/requests/{request.pk}/answer/"

    response = client.post(url, {"answer": "We put a senior on it.", "resources_adjusted": "L3"})

    assert (response.status_code, response["Location"]) == (302, "/console/manager/")
    request.refresh_from_db()
    assert (request.status, request.answer, request.resources_adjusted, request.answered_by) == (
        "answered",
        "We put a senior on it.",
        "L3",
        boss,
    )
    event = AuditEvent.objects.get(action="case.manager_answer")
    assert (event.actor, event.target_id) == (boss, str(case.pk))
    assert request.case.number not in _requests_section(
        client.get("/console/manager/").content.decode()
    )
    # answered: no second answer
    assert client.post(url, {"answer": "again"}).status_code == 404
    assert AuditEvent.objects.filter(action="case.manager_answer").count() == 1


def test_answering_needs_an_answer_and_a_support_manager(world: dict[str, Any]) -> None:
    request = ManagerRequestFactory.create(
        case=make_case(world, world["mine"], None), requested_at=world["now"]
    )
    url = f"/console/manager/requests/{request.pk}/answer/"
    boss, engineer = Client(), Client()
    boss.force_login(StaffFactory.create(staff_role="support_manager"))
    engineer.force_login(world["engineer"])
    events = AuditEvent.objects.count()

    empty = boss.post(url, {"answer": "  "})
    refused = engineer.post(url, {"answer": "Fine."})

    assert empty.status_code == 422
    assert "answer: Give the customer an answer (R-32)." in empty.content.decode()
    assert refused.status_code == 403
    assert boss.post("/console/manager/requests/999999/answer/", {"answer": "x"}).status_code == 404
    request.refresh_from_db()
    assert (request.status, request.answered_by, AuditEvent.objects.count()) == (
        "open",
        None,
        events,
    )
