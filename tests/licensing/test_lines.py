from __future__ import annotations

import re

import pytest

from supportdesk.licensing.lines import format_lines, parse_lines
from supportdesk.policy.entitlement import SocketLine


def test_read_and_write_lines() -> None:
    lines = parse_lines("6 prod production; 4 PROD basic;2 nonprod premium ;")

    assert lines == (
        SocketLine(6, True, "production"),
        SocketLine(4, True, "basic"),
        SocketLine(2, False, "premium"),
    )
    assert format_lines(lines) == "6 prod production; 4 prod basic; 2 nonprod premium"
    assert parse_lines("") == ()
    assert parse_lines("3 production basic; 1 non-production basic") == (
        SocketLine(3, True, "basic"),
        SocketLine(1, False, "basic"),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("6 prod", "line 1 '6 prod': write COUNT USE LEVEL, such as 6 prod basic"),
        (
            "1 prod basic; 0 prod basic",
            "line 2 '0 prod basic': the count must be a whole number above 0",
        ),
        ("x prod basic", "line 1 'x prod basic': the count must be a whole number above 0"),
        ("2 test basic", "line 1 '2 test basic': the use must be prod or nonprod"),
        ("2 prod gold", "line 1 '2 prod gold': the level must be basic, production, premium"),
    ],
)
def test_bad_lines_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        parse_lines(text)

    assert str(error.value) == message
