"""The command-line contract of ``supportdesk sla`` (issue: foundation, point 5)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from supportdesk.policy.cli import main

GOOD = ["--program", "basic", "--severity", "2", "--opened-at", "2026-03-27T19:00",
        "--timezone", "Europe/Prague", "--country", "CZ"]  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_due_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "due", *GOOD)
    assert (code, err) == (0, "")
    assert out.count("\n") == 1
    data = json.loads(out)
    # Friday 19:00 CET: one hour on Friday, seven on Monday after the spring clock change
    assert data["due_at"] == "2026-03-30T15:00:00+02:00"
    assert data["target_minutes"] == 480
    assert data["clock"] == "business_hours"
    assert "segments" not in data


def test_due_with_explain_lists_segments(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "due", *GOOD, "--explain")
    data = json.loads(out)
    assert code == 0
    kinds = [(s["kind"], s.get("date")) for s in data["segments"]]
    assert kinds == [
        ("counted", None), ("outside_hours", None), ("weekend", "2026-03-28"),
        ("weekend", "2026-03-29"), ("outside_hours", None), ("counted", None),
    ]  # fmt: skip
    assert [s.get("minutes") for s in data["segments"] if s["kind"] == "counted"] == [60, 420]


def test_offset_in_the_timestamp_wins_over_the_zone(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*GOOD]
    argv[5] = "2026-03-27T18:00:00Z"  # 19:00 in Prague
    _, out, _ = run(capsys, "due", *argv)
    assert json.loads(out)["due_at"] == "2026-03-30T15:00:00+02:00"
    assert json.loads(out)["opened_at"] == "2026-03-27T19:00:00+01:00"


def test_no_target_prints_nulls(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*GOOD]
    argv[1], argv[3] = "trial", "1"
    code, out, _ = run(capsys, "due", *argv)
    data = json.loads(out)
    assert code == 0
    assert (data["due_at"], data["target_minutes"], data["clock"]) == (None, None, "none")


def test_24x7_clock(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*GOOD]
    argv[1], argv[3] = "production", "1"
    argv[5] = "2026-10-25T02:30:00+02:00"  # first pass through the repeated hour
    data = json.loads(run(capsys, "due", *argv)[1])
    assert data["due_at"] == "2026-10-25T02:30:00+01:00"  # one real hour later
    assert data["clock"] == "24x7"


BAD = [
    ("--program", "gold", "--program"),
    ("--severity", "5", "--severity"),
    ("--severity", "0", "--severity"),
    ("--severity", "two", "--severity"),
    ("--timezone", "Europe/Nowhere", "--timezone"),
    ("--timezone", "../../etc/passwd", "--timezone"),
    ("--country", "XX", "--country"),
    ("--country", "", "--country"),
    ("--opened-at", "2026-13-40T25:00", "--opened-at"),
    ("--opened-at", "tomorrow", "--opened-at"),
]


@pytest.mark.parametrize(("option", "value", "named"), BAD)
def test_bad_input_exits_2_with_one_line_naming_the_option(
    capsys: pytest.CaptureFixture[str], option: str, value: str, named: str
) -> None:
    argv = [*GOOD]
    argv[argv.index(option) + 1] = value
    code, out, err = run(capsys, "due", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert named in err
    assert "Traceback" not in err


def test_bad_subdivision(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "due", *GOOD, "--subdivision", "XYZ")
    assert (code, out) == (2, "")
    assert "--subdivision" in err
    assert err.count("\n") == 1


def test_missing_option_and_unknown_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "due", "--program", "basic")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "--severity" in err
    code, out, err = run(capsys, "due", *GOOD, "--colour", "red")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "--colour" in err


def test_elapsed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "elapsed", "--program", "basic", "--start", "2026-03-27T19:00",
        "--end", "2026-03-31T09:00", "--timezone", "Europe/Prague", "--country", "CZ",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["elapsed_minutes"] == 60 + 720 + 60


def test_policy_command(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    code, out, _ = run(capsys, "policy")
    assert code == 0
    assert json.loads(out)["programs"]["premium"]["targets"]["1"]["minutes"] == 30
    broken = tmp_path / "p.toml"
    broken.write_text("[policy]\n", encoding="utf-8")
    code, out, err = run(capsys, "policy", str(broken))
    assert (code, out) == (2, "")
    assert str(broken) in err
    assert "policy.name" in err


def test_the_installed_command_keeps_the_contract() -> None:
    """A real process through the ``supportdesk`` entry point: stdout, stderr, status."""
    cmd = [sys.executable, "-c", "import sys; from supportdesk.cli import main; sys.exit(main())"]
    ok = subprocess.run([*cmd, "sla", "due", *GOOD], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["due_at"] == "2026-03-30T15:00:00+02:00"
    bad = subprocess.run(
        [*cmd, "sla", "due", *GOOD[:3], "7", *GOOD[4:]], capture_output=True, text=True, check=False
    )
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.count("\n") == 1
    assert "--severity" in bad.stderr


def test_the_server_refuses_to_start_on_a_broken_policy_file(tmp_path) -> None:
    """A broken operator policy is refused at start, naming the file, key and problem."""
    import os

    broken = tmp_path / "ops.toml"
    broken.write_text('[policy]\nname = "ops"\n', encoding="utf-8")
    env = {**os.environ, "SUPPORTDESK_POLICY": str(broken), "SUPPORTDESK_HOME": str(tmp_path)}
    cmd = [sys.executable, "-c", "import sys; from supportdesk.cli import main; sys.exit(main())"]
    for argv in (["serve", "--port", "0"], ["worker"], ["manage", "check"]):
        done = subprocess.run(
            [*cmd, *argv], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        assert done.returncode == 2, argv
        assert (
            done.stderr == f"supportdesk: error: policy file {broken}: policy.version: is missing\n"
        )
