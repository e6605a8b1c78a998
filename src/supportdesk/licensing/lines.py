"""Socket/instance lines written as text, for the CSV import and the admin:
``6 prod production; 4 prod basic; 2 nonprod basic``.

Each line is ``COUNT USE LEVEL``: a whole number of sockets or instances, ``prod`` or
``nonprod`` (production or not), and the support level ``basic``, ``production`` or
``premium`` (R-7). Lines are separated by semicolons; an empty text is no lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from supportdesk.licensing.choices import SupportLevel
from supportdesk.policy.entitlement import SocketLine

_USES = {"prod": True, "production": True, "nonprod": False, "non-production": False}


def parse_lines(text: str) -> tuple[SocketLine, ...]:
    """The lines of ``text``; ``ValueError`` with a message that names the bad line."""
    lines: list[SocketLine] = []
    for number, part in enumerate((p.strip() for p in text.split(";")), start=1):
        if not part:
            continue
        words = part.split()
        if len(words) != 3:
            raise ValueError(f"line {number} {part!r}: write COUNT USE LEVEL, such as 6 prod basic")
        count, use, level = words
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"line {number} {part!r}: the count must be a whole number above 0")
        if use.lower() not in _USES:
            raise ValueError(f"line {number} {part!r}: the use must be prod or nonprod")
        if level.lower() not in SupportLevel.values:
            raise ValueError(
                f"line {number} {part!r}: the level must be {', '.join(SupportLevel.values)}"
            )
        lines.append(
            SocketLine(count=int(count), production=_USES[use.lower()], level=level.lower())
        )
    return tuple(lines)


def format_lines(lines: Iterable[SocketLine]) -> str:
    return "; ".join(
        f"{line.count} {'prod' if line.production else 'nonprod'} {line.level}" for line in lines
    )
