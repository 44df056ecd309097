"""JSON from clients, bounded: nesting deeper than JSON_MAX_DEPTH is refused before parsing.

`json.loads` recurses once per level: `[` × 100,000 raised RecursionError (a 500). The depth is
found without recursion: a body with fewer brackets than the limit is passed at once; others
are scanned (strings skipped) by one regular expression pass in C.
"""

import json
import re

_TOKENS = re.compile(rb'[\[\]{}]|"(?:[^"\\]|\\.)*"')


class TooDeep(ValueError):
    pass


def nesting_depth(raw: bytes) -> int:
    depth = deepest = 0
    for match in _TOKENS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def loads_bounded(raw: bytes | str, *, max_depth: int):
    """json.loads, refusing (TooDeep) anything nested deeper than `max_depth`."""
    data = raw.encode() if isinstance(raw, str) else raw
    if data.count(b"[") + data.count(b"{") > max_depth and nesting_depth(data) > max_depth:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels.")
    return json.loads(data)
