"""``supportdesk sla``: the policy core on the command line, for scripts and other tools.

Contract: a result is one JSON object on stdout and exit status 0; any bad input prints one
line naming the bad option on stderr, nothing on stdout, and exits with status 2.  This module
does not import Django, so it starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .errors import InputError, PolicyError
from .loader import get_policy, load_policy
from .sla import clock_for, first_response, parse_instant, parse_program

PROG = "supportdesk sla"


class _BadInput(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise _BadInput(f"{self.prog}: error: {message}")


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description="First-response deadlines and business time.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    due = sub.add_parser(
        "due",
        help="the first-response due instant of a case",
        description="Print the first-response due instant (R-16, R-17) as one JSON object.",
    )
    due.add_argument("--program", required=True, help="premium, production, basic, trial, free")
    due.add_argument("--severity", required=True, help="1 to 4")
    due.add_argument(
        "--opened-at", required=True, help="ISO 8601; without an offset it is read in --timezone"
    )
    due.add_argument("--timezone", required=True, help="the customer's IANA time zone")
    due.add_argument("--country", required=True, help="the customer's ISO 3166-1 alpha-2 country")
    due.add_argument("--subdivision", help="the customer's ISO 3166-2 subdivision code")
    due.add_argument("--case-kind", help="technical, licensing, general_inquiry, feature_request")
    due.add_argument("--explain", action="store_true", help="add the counted and skipped segments")

    elapsed = sub.add_parser(
        "elapsed",
        help="time elapsed on a program's clock between two instants",
        description="Print the time elapsed on a program's clock between two instants.",
    )
    elapsed.add_argument("--program", required=True)
    elapsed.add_argument("--start", required=True, help="ISO 8601")
    elapsed.add_argument("--end", required=True, help="ISO 8601")
    elapsed.add_argument("--timezone", required=True)
    elapsed.add_argument("--country", required=True)
    elapsed.add_argument("--subdivision")
    elapsed.add_argument("--explain", action="store_true")

    policy = sub.add_parser(
        "policy",
        help="print the policy in force (or check FILE) as JSON",
        description="Print the policy in force as JSON; with FILE, check that file instead.",
    )
    policy.add_argument("file", nargs="?", help="a policy file to check")
    return parser


_OPTION = {
    "program": "--program",
    "severity": "--severity",
    "opened_at": "--opened-at",
    "start": "--start",
    "end": "--end",
    "timezone": "--timezone",
    "country": "--country",
    "subdivision": "--subdivision",
    "case_kind": "--case-kind",
}


def run(argv: Sequence[str]) -> dict[str, Any]:
    args = _parser().parse_args(list(argv))
    if args.command == "policy":
        policy = load_policy(args.file) if args.file else get_policy()
        return policy.to_dict()
    policy = get_policy()
    if args.command == "due":
        parse_program(policy, args.program)  # report a bad program before anything else
        opened = parse_instant(args.opened_at, args.timezone, "opened_at")
        result = first_response(
            policy,
            program=args.program,
            severity=args.severity,
            opened_at=opened,
            timezone=args.timezone,
            country=args.country,
            subdivision=args.subdivision,
            case_kind=args.case_kind,
            explain=args.explain,
        )
        return result.to_dict()
    program = parse_program(policy, args.program)
    start = parse_instant(args.start, args.timezone, "start")
    end = parse_instant(args.end, args.timezone, "end")
    clock = clock_for(program.hours, args.timezone, args.country, args.subdivision)
    out: dict[str, Any] = {
        "program": program.key,
        "clock": clock.name if clock else "none",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "elapsed_seconds": None,
        "elapsed_minutes": None,
    }
    if clock is not None:
        seconds = clock.between(start, end).total_seconds()
        out["elapsed_seconds"] = int(seconds) if seconds == int(seconds) else seconds
        out["elapsed_minutes"] = round(seconds / 60, 6)
        if args.explain:
            first, last = (start, end) if start <= end else (end, start)
            out["segments"] = [s.to_dict() for s in clock.segments(first, last)]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        result = run(argv)
    except _BadInput as exc:
        sys.stderr.write(str(exc).splitlines()[0] + "\n")
        return 2
    except InputError as exc:
        option = _OPTION.get(exc.field, exc.field)
        sys.stderr.write(f"{PROG}: error: {option}: {exc.message}\n")
        return 2
    except PolicyError as exc:
        sys.stderr.write(f"{PROG}: error: policy file {exc}\n")
        return 2
    try:
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
