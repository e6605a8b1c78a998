from __future__ import annotations

import io
import re
import signal

import pytest
from django.test import Client
from django.utils import timezone

from supportdesk.accounts.models import Delegation, Organization, User
from supportdesk.cases.models import Case
from supportdesk.demo import DEMO_LOGINS, load_demo_data
from supportdesk.demo_customers import PEOPLE
from supportdesk.licensing.models import ProductVersion, SupportId
from supportdesk.licensing.selectors import entitlement_for, version_lifecycle
from tests import processes


@pytest.mark.django_db
def test_demo_data_loads_twice_and_the_logins_work(client: Client) -> None:
    first, second = io.StringIO(), io.StringIO()

    load_demo_data(first)
    load_demo_data(second)

    people = "".join(
        f"demo login: {person.username} / demo  ({person.description})\n" for person in PEOPLE
    )
    customers = "demo customers: 5 customers (one per region), 1 partner, 2 products, 6 licenses\n"
    cases = "demo cases: 5 open cases (basic, none, premium, production, trial)\n"
    assert first.getvalue() == (
        "demo login created: admin / admin\ndemo login created: engineer / engineer\n"
        + customers
        + people
        + "demo queue: L1 English\ndemo queue: L2 English\ndemo queue: L3 English\n"
        + "demo engineer profile: engineer works L1 English and L2 English\n"
        + cases
        + "demo knowledge base: 6 articles written, see /kb/ and /kb/ask/\n"
    )
    assert second.getvalue() == (
        "demo login refreshed: admin / admin\ndemo login refreshed: engineer / engineer\n"
        + customers
        + people
        + cases
        + "demo knowledge base: 0 articles written, see /kb/ and /kb/ask/\n"
    )
    assert sorted(
        User.objects.filter(is_staff=True).values_list("username", "is_superuser", "staff_role")
    ) == [
        ("admin", True, ""),
        ("engineer", False, "engineer"),
        ("manager", False, "support_manager"),
        ("pdm", False, "pdm"),
    ]
    for login in DEMO_LOGINS:
        assert client.login(username=login.username, password=login.password)
        assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_demo_engineer_works_the_queues_the_demo_cases_are_routed_to(client: Client) -> None:
    load_demo_data(io.StringIO())
    engineer = User.objects.get(username="engineer")
    client.force_login(engineer)

    listed = client.get("/api/v1/cases").json()
    queued = Case.objects.filter(queue__code__in=("l1-en", "l2-en"))

    assert queued.count() >= 1
    assert {c["number"] for c in listed["items"]} >= set(queued.values_list("number", flat=True))
    assert client.get("/console/").status_code == 200


@pytest.mark.django_db
def test_demo_customers_cover_every_region_and_program(client: Client) -> None:
    load_demo_data(io.StringIO())
    at = timezone.now()

    programs = {
        sid.code: entitlement_for(support_id=sid, version="12", at=at).entitlement.program
        if sid.license.product.code == "VBR"
        else entitlement_for(support_id=sid, at=at).entitlement.program
        for sid in SupportId.objects.select_related("license__product")
    }
    assert programs == {
        "SID-DEM0-0000-0001": "premium",
        "SID-DEM0-0000-0002": "production",
        "SID-DEM0-0000-0003": "basic",  # 6 of 10 production sockets at Production
        "SID-DEM0-0000-0004": None,  # maintenance lapsed (R-8a)
        "SID-DEM0-0000-0005": "trial",
        "SID-DEM0-0000-0006": "free",  # NFR
    }
    assert sorted(Organization.objects.values_list("region", flat=True)) == [
        "apac", "canada", "emea", "emea", "latam", "us",
    ]  # fmt: skip
    today = at.date()
    assert sorted(version_lifecycle(v, today) for v in ProductVersion.objects.all()) == [
        "end_of_fix", "end_of_sale", "end_of_support", "ga", "ga",
    ]  # fmt: skip
    assert Organization.objects.get(name="Nordlicht Versicherung AG").pdm.username == "pdm"  # type: ignore[union-attr]
    assert Delegation.objects.filter(partner__name="Bluewave IT Services").count() == 2
    assert client.login(username="nora", password="demo")
    assert client.get("/licenses/").context["rows"][0].support_id == "SID-DEM0-0000-0001"


def test_demo_serves_and_prints_where_to_look() -> None:
    with processes.Running("demo", "--port", "0") as demo:
        url = demo.wait_for(processes.URL).group(1)
        demo.wait_for(re.compile(r"Stop with Ctrl-C"))

        assert f"When will we answer?  {url}/when/" in demo.output
        assert f"Admin                 {url}/admin/" in demo.output
        assert f"API docs              {url}/api/v1/docs" in demo.output
        assert "admin / admin" in demo.output
        assert f"Customer portal       {url}/   logins: pdm, manager, nora" in demo.output
        assert f"cases, open a case  {url}/cases/, {url}/cases/new/" in demo.output
        assert f"licenses            {url}/licenses/" in demo.output
        assert f"people              {url}/people/" in demo.output
        assert (
            f"Engineer console      {url}/console/   logins: engineer / engineer, pdm / demo"
            in demo.output
        )
        assert processes.get(f"{url}/login/")[0] == 200
        assert processes.get(f"{url}/when/")[0] == 200
        assert processes.get(f"{url}/api/v1/docs")[0] == 200
        assert demo.stop(signal.SIGINT, timeout=10, group=True) == 0
    assert "Traceback" not in demo.output


@pytest.mark.django_db
def test_demo_cases_open_once_across_programs() -> None:
    load_demo_data(io.StringIO())
    load_demo_data(io.StringIO())

    cases = Case.objects.order_by("idempotency_key")
    assert [
        (c.idempotency_key, c.program, c.kind, c.severity, c.round_the_clock) for c in cases
    ] == [
        ("demo-case-1", "premium", "technical", 2, False),
        ("demo-case-2", "production", "technical", 1, True),
        ("demo-case-3", "basic", "technical", 3, False),
        ("demo-case-4", "", "licensing", 4, False),
        ("demo-case-5", "trial", "general_inquiry", 4, False),
    ]
    assert [c.first_response_due_at is not None for c in cases] == [True, True, True, False, False]
