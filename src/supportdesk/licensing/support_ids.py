"""Support ID codes: what a customer types when opening a case (R-2).

``SID-XXXX-XXXX-XXXX``: twelve characters of Crockford's base 32 (digits and capitals without
I, L, O and U), 60 random bits from :mod:`secrets`. People may type them in lower case, without
the dashes or the ``SID`` prefix, with O for zero and I or L for one; :func:`normalise` reads
all of that back to the one spelling.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "SID"
GROUPS = 3
GROUP_LENGTH = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SHAPE = re.compile(rf"^[{ALPHABET}]{{{GROUPS * GROUP_LENGTH}}}$")


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return _format(body)


def _format(body: str) -> str:
    groups = [body[i : i + GROUP_LENGTH] for i in range(0, len(body), GROUP_LENGTH)]
    return "-".join([PREFIX, *groups])


def normalise(text: str) -> str | None:
    """The canonical spelling of a typed Support ID, or None when it cannot be one."""
    compact = re.sub(r"[\s-]", "", text).upper()
    if compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    compact = compact.translate(_READ_AS)
    return _format(compact) if _SHAPE.match(compact) else None
