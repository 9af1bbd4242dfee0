"""A string value of a JSON file, placed by its key path, with no Pants import.

Python's `json` gives no positions, so this walks the text itself (the smallest reader that
places object members), after `json.loads` has read it: the key must lead to a string that
`json` reads there, and the characters placed must decode to exactly that string.
"""

from __future__ import annotations

import json
import re
from typing import Any
from collections.abc import Sequence

from pants_calver.core.versions.formats.key_path import (
    UNPLACEABLE,
    UNREADABLE,
    Placed,
    Unplaced,
    lookup,
    not_a_string,
    show_key,
)

_SPACE = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
# A number or a literal (`true`, `null`, and Python's `NaN`, `Infinity`).
_SCALAR = re.compile(r"[^\s,\]}]+")


def load(text: str) -> Any:
    return json.loads(text[1:] if text.startswith("\ufeff") else text)


class _Walk:
    """Walks the value at `position` to its end; for an object, `members` maps each key to the
    start of its value, in order (a repeated key stands twice)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def skip(self, position: int) -> int:
        return _SPACE.match(self.text, position).end()  # type: ignore[union-attr]

    def value_end(self, position: int) -> int:
        char = self.text[position]
        if char == '"':
            return _STRING.match(self.text, position).end()  # type: ignore[union-attr]
        if char in "[{":
            return self.container_end(position)
        return _SCALAR.match(self.text, position).end()  # type: ignore[union-attr]

    def container_end(self, position: int) -> int:
        closing = "]" if self.text[position] == "[" else "}"
        position = self.skip(position + 1)
        while self.text[position] != closing:
            if closing == "}":
                position = self.skip(self.value_end(position))  # the key, then `:`
                position = self.skip(position + 1)
            position = self.skip(self.value_end(position))
            if self.text[position] == ",":
                position = self.skip(position + 1)
        return position + 1

    def members(self, position: int) -> list[tuple[str, int, int]]:
        """Each member of the object at `position`: its key, where the key and its value start."""
        found = []
        position = self.skip(position + 1)
        while self.text[position] != "}":
            key_end = self.value_end(position)
            key = json.loads(self.text[position:key_end])
            value = self.skip(self.skip(key_end) + 1)
            found.append((key, position, value))
            position = self.skip(self.value_end(value))
            if self.text[position] == ",":
                position = self.skip(position + 1)
        return found


def place(text: str, path: Sequence[str]) -> Placed | Unplaced:
    """The string at `path` in a JSON document `text` (a byte-order mark is kept in the offsets),
    or why it cannot be placed exactly."""
    try:
        document = load(text)
    except ValueError as e:
        return Unplaced(UNREADABLE, 0, f"the file cannot be read as JSON ({e}); fix its syntax")
    value = lookup(document, path)
    if isinstance(value, Unplaced):
        return value
    walk = _Walk(text)
    position = walk.skip(1 if text.startswith("\ufeff") else 0)
    for depth, segment in enumerate(path):
        members = [m for m in walk.members(position) if m[0] == segment]
        if len(members) > 1:
            where = show_key(path[: depth + 1])
            message = f"the file has the key `{where}` {len(members)} times; keep one"
            return Unplaced(UNPLACEABLE, members[-1][1], message)
        position = members[0][2]
    if not isinstance(value, str):
        return not_a_string(f"`{show_key(path)}`", value, position)
    end = walk.value_end(position)
    if json.loads(text[position:end]) != value:  # The parser is the oracle of the placing.
        return Unplaced(
            UNPLACEABLE, position, f"`{show_key(path)}` cannot be placed exactly; edit it by hand"
        )
    return Placed(value, position, end, '"')


def literal(value: str, quote: str) -> str:
    """The JSON string literal of `value`."""
    return json.dumps(value, ensure_ascii=False)
