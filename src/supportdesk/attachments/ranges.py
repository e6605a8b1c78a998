"""HTTP byte ranges (RFC 9110, section 14) for downloads: one range, or the whole file."""

from __future__ import annotations

import re

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    """A range that lies outside the file (416)."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(first, last)`` inclusive for a single satisfiable range; None for the whole file
    (no header, several ranges, or one we do not understand: the whole file is a valid
    answer to those); :class:`Unsatisfiable` for a range past the end."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        count = int(last)
        if count == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - count), size - 1
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if last and int(last) < start:
        return None  # invalid: ignored
    if start >= size:
        raise Unsatisfiable
    return start, end
