from __future__ import annotations

import io
import re
import signal

import pytest
from django.test import Client

from supportdesk.accounts.models import User
from supportdesk.demo import DEMO_LOGINS, load_demo_data
from tests import processes


@pytest.mark.django_db
def test_demo_data_loads_twice_and_the_logins_work(client: Client) -> None:
    first, second = io.StringIO(), io.StringIO()

    load_demo_data(first)
    load_demo_data(second)

    assert first.getvalue() == (
        "demo login created: admin / admin\ndemo login created: engineer / engineer\n"
    )
    assert second.getvalue() == (
        "demo login refreshed: admin / admin\ndemo login refreshed: engineer / engineer\n"
    )
    assert sorted(User.objects.values_list("username", "is_staff", "is_superuser")) == [
        ("admin", True, True),
        ("engineer", True, False),
    ]
    for login in DEMO_LOGINS:
        assert client.login(username=login.username, password=login.password)
        assert client.get("/admin/").status_code == 200


def test_demo_serves_and_prints_where_to_look() -> None:
    with processes.Running("demo", "--port", "0") as demo:
        url = demo.wait_for(processes.URL).group(1)
        demo.wait_for(re.compile(r"Stop with Ctrl-C"))

        assert f"When will we answer?  {url}/when/" in demo.output
        assert f"Admin                 {url}/admin/" in demo.output
        assert f"API docs              {url}/api/v1/docs" in demo.output
        assert "admin / admin" in demo.output
        assert processes.get(f"{url}/when/")[0] == 200
        assert processes.get(f"{url}/api/v1/docs")[0] == 200
        assert demo.stop(signal.SIGINT, timeout=10, group=True) == 0
    assert "Traceback" not in demo.output
