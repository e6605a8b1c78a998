from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from supportdesk import cli
from tests import processes


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["bogus"], "argument COMMAND: invalid choice: 'bogus'"),
        (["serve", "--port", "abc"], "argument --port: not a port number: 'abc'"),
        (["serve", "--port", "70000"], "argument --port: port must be 0 to 65535, not 70000"),
        (["serve", "--workers", "0"], "argument --workers: must be 1 or more, not 0"),
        (["serve", "--threads", "many"], "argument --threads: not a whole number: 'many'"),
        (["serve", "--nope"], "unrecognized arguments: --nope"),
        (["worker", "--interval", "-1"], "argument --interval: must be more than 0"),
        (["demo", "--port"], "argument --port: expected one argument"),
    ],
)
def test_bad_arguments_print_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)

    captured = capsys.readouterr()
    assert exit_info.value.code == 2
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert message in captured.err
    assert captured.err.startswith("supportdesk")


def test_the_installed_command_reports_bad_arguments_without_a_traceback() -> None:
    result = processes.run("serve", "--port", "nope")

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "supportdesk serve: error: argument --port: not a port number: 'nope'"
        " (see 'supportdesk serve --help')\n"
    )


def test_a_bad_environment_is_one_line_and_exit_2() -> None:
    result = processes.run("manage", "check", DATABASE_URL="nosuchdb://x")

    assert result.returncode == 2
    assert result.stderr.startswith("supportdesk: error: DATABASE_URL is not a database URL")
    assert result.stderr.count("\n") == 1


def test_manage_runs_django_commands() -> None:
    result = processes.run("manage", "check")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_sla_dispatches_to_the_policy_cli_without_django(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "import supportdesk.policy.cli as policy_cli\n"
        "from supportdesk import cli\n"
        "policy_cli.main = lambda argv: print(argv, 'django' in sys.modules) or 7\n"
        "sys.exit(cli.main(['sla', 'first-response', '--severity', '1']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        env=processes.command_env(),
        check=False,
    )

    assert (result.returncode, result.stdout) == (
        7,
        "['first-response', '--severity', '1'] False\n",
    )


@pytest.mark.parametrize(
    ("sig", "group"),
    [
        pytest.param(signal.SIGTERM, False, id="SIGTERM from a service manager"),
        pytest.param(signal.SIGINT, True, id="Ctrl-C in a terminal"),
    ],
)
def test_serve_answers_http_and_stops_cleanly(sig: signal.Signals, group: bool) -> None:
    with processes.Running("serve", "--port", "0", "--workers", "2", "--threads", "2") as server:
        url = server.wait_for(processes.URL).group(1)

        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        status, page = processes.get(f"{url}/when/")
        assert status == 200
        assert "When will we answer?" in page
        status, schema = processes.get(f"{url}/api/v1/openapi.json")
        assert status == 200
        assert '"title": "supportdesk API"' in schema

        assert server.stop(sig, timeout=10, group=group) == 0
    assert "Traceback" not in server.output
    assert "Shutting down: Master" in server.output
    assert "SIGKILL" not in server.output


def test_worker_starts_and_stops_cleanly_on_sigterm() -> None:
    with processes.Running("worker", "--interval", "0.2") as worker:
        worker.wait_for(re.compile(r"Starting worker worker_id="))

        assert worker.stop(signal.SIGTERM, timeout=10) == 0
    assert "Traceback" not in worker.output


def test_worker_stops_cleanly_on_ctrl_c() -> None:
    with processes.Running("worker", "--interval", "0.2") as worker:
        worker.wait_for(re.compile(r"Starting worker worker_id="))

        assert worker.stop(signal.SIGINT, timeout=10, group=True) == 0
    assert "Traceback" not in worker.output
