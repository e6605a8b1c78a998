"""The API's JSON body parser: a body nested deeper than any schema of ours is refused
before the JSON decoder and the schemas recurse into it. (ninja answers 400 for whatever a
parser raises; the too-large body becomes a 413 in api/errors.py.)"""

from __future__ import annotations

import json
from typing import cast

from django.http import HttpRequest
from ninja.parser import Parser
from ninja.types import DictStrAny

#: No schema of the API nests deeper than a few levels; 64 leaves room and stops stack games.
MAX_DEPTH = 64


def nesting_depth(body: bytes) -> int:
    """How deep arrays and objects nest, counting outside strings only (one pass)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


class GuardedParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        body = request.body
        # the scan runs only when there are enough brackets to nest too deep (counted in C)
        openers = body.count(b"[") + body.count(b"{")
        if openers > MAX_DEPTH and nesting_depth(body) > MAX_DEPTH:
            raise ValueError(f"The request body nests deeper than {MAX_DEPTH} levels.")
        return cast(DictStrAny, json.loads(body))
