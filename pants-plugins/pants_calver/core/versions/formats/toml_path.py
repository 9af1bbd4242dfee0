"""A string value of a TOML file, placed by its key path, with no Pants import.

The `toml` that Pants ships (0.10.2) gives no positions, so this reads just enough of the text
to place each value (table headers, dotted and quoted keys, inline tables, arrays, the four
kinds of string, comments), after `toml.loads` has read it: the key must lead to a one-line
string that the parser reads there, and the characters placed must decode to exactly that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional
from collections.abc import Sequence

import toml

from pants_calver.core.versions.formats.key_path import (
    UNPLACEABLE,
    UNREADABLE,
    Placed,
    Unplaced,
    lookup,
    not_a_string,
    show_key,
)

_BLANK = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*")
_SPACE = re.compile(r"[ \t]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"(?:[^"\\\r\n]|\\.)*"')
_LITERAL = re.compile(r"'[^'\r\n]*'")
_MULTILINE = re.compile(r'"""(?:[^\\]|\\.)*?"""(?!")|"""(?:[^\\]|\\.)*?""""{1,2}', re.DOTALL)
_MULTILINE_LITERAL = re.compile(r"'''.*?'''(?!')|'''.*?''''{1,2}", re.DOTALL)
# Numbers, booleans and dates (a date may hold one space: `1979-05-27 07:32:00`).
_SCALAR = re.compile(r"[^,\]}#\r\n]*[^,\]}#\r\n \t]")


def load(text: str) -> Any:
    """The document as `toml` reads it. toml 0.10.2 drops the keys after a multi-line string
    whose lines end in CRLF; TOML lets a parser normalize line ends, so it reads them as LF."""
    return toml.loads((text[1:] if text.startswith("\ufeff") else text).replace("\r\n", "\n"))


@dataclass(frozen=True)
class _Value:
    """A key's value as placed: its full key path, its span, the kind of literal (the quote of a
    one-line string, `multiline`, `other`), and whether it stands under an array of tables."""

    path: tuple[str, ...]
    start: int
    end: int
    kind: str
    in_array: bool


class _Unread(Exception):
    """Text that the parser reads and this reader cannot place."""


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.values: list[_Value] = []

    def blank(self, position: int) -> int:
        return _BLANK.match(self.text, position).end()  # type: ignore[union-attr]

    def key(self, position: int) -> tuple[tuple[str, ...], int]:
        """A dotted key at `position`: its segments, and where it ends."""
        segments = []
        while True:
            position = _SPACE.match(self.text, position).end()  # type: ignore[union-attr]
            for pattern in (_BASIC, _LITERAL, _BARE_KEY):
                match = pattern.match(self.text, position)
                if match:
                    break
            if not match:  # toml.loads has read the text already: this reader falls short.
                raise _Unread(position)
            part = match.group(0)
            segments.append(toml.loads(f"x = {part}")["x"] if part[0] in "\"'" else part)
            position = _SPACE.match(self.text, match.end()).end()  # type: ignore[union-attr]
            if self.text[position : position + 1] != ".":
                return tuple(segments), position
            position += 1

    def document(self, start: int) -> None:
        table: tuple[str, ...] = ()
        arrays: set[tuple[str, ...]] = set()
        position = self.blank(start)
        while position < len(self.text):
            if self.text[position] == "[":
                double = self.text.startswith("[[", position)
                table, position = self.key(position + (2 if double else 1))
                position += 2 if double else 1
                if double:
                    arrays.add(table)
            else:
                key, position = self.key(position)
                under = any(table[: len(a)] == a for a in arrays)
                position = self.value(table + key, self.blank(position + 1), under)
            position = self.blank(position)

    def value(self, path: Optional[tuple[str, ...]], position: int, in_array: bool) -> int:
        """Reads the value at `position`, recording it under `path` (None inside an array)."""
        text, kind = self.text, "other"
        if text[position] == "{":
            return self.inline_table(path, position, in_array)
        if text[position] == "[":
            return self.array(position)
        for pattern, name in ((_MULTILINE, "multiline"), (_MULTILINE_LITERAL, "multiline")):
            match = pattern.match(text, position)
            if match:
                kind = name
                break
        else:
            match = _BASIC.match(text, position) or _LITERAL.match(text, position)
            if match:
                kind = text[position]
            else:
                match = _SCALAR.match(text, position)
        if not match:
            raise _Unread(position)
        if path is not None:
            self.values.append(_Value(path, position, match.end(), kind, in_array))
        return match.end()

    def inline_table(self, path: Optional[tuple[str, ...]], position: int, in_array: bool) -> int:
        position = self.blank(position + 1)
        while self.text[position] != "}":
            key, position = self.key(position)
            inner = None if path is None else path + key
            position = self.blank(self.value(inner, self.blank(position + 1), in_array))
            if self.text[position] == ",":
                position = self.blank(position + 1)
        return position + 1

    def array(self, position: int) -> int:
        position = self.blank(position + 1)
        while self.text[position] != "]":
            position = self.blank(self.value(None, position, True))
            if self.text[position] == ",":
                position = self.blank(position + 1)
        return position + 1


def place(text: str, path: Sequence[str]) -> Placed | Unplaced:
    """The string at `path` in a TOML document `text` (a byte-order mark is kept in the offsets),
    or why it cannot be placed exactly."""
    try:
        document = load(text)
    except (toml.TomlDecodeError, IndexError, ValueError) as e:
        return Unplaced(
            UNREADABLE,
            0,
            f"the file cannot be read by toml 0.10.2, the TOML parser Pants ships ({e}); fix its syntax",
        )
    value = lookup(document, path)
    if isinstance(value, Unplaced):
        return value
    reader = _Reader(text)
    what = f"`{show_key(path)}`"
    try:
        reader.document(1 if text.startswith("\ufeff") else 0)
    except (_Unread, IndexError):  # What the parser reads and this reader does not.
        return Unplaced(UNPLACEABLE, 0, f"{what} cannot be placed exactly; edit it by hand")
    found = [v for v in reader.values if v.path == tuple(path)]
    if len(found) != 1:
        return Unplaced(UNPLACEABLE, 0, f"{what} cannot be placed exactly; edit it by hand")
    at = found[0]
    if not isinstance(value, str):
        return not_a_string(what, value, at.start)
    if at.in_array:
        message = f"{what} stands under an array of tables, which names no one value; use a text pattern"
        return Unplaced(UNPLACEABLE, at.start, message)
    if at.kind == "multiline":
        message = f'{what} is a multi-line string; write it on one line, as `"x.y.z"`'
        return Unplaced(UNPLACEABLE, at.start, message)
    if at.kind not in "\"'" or toml.loads(f"x = {text[at.start : at.end]}")["x"] != value:
        return Unplaced(UNPLACEABLE, at.start, f"{what} cannot be placed exactly; edit it by hand")
    return Placed(value, at.start, at.end, at.kind)


def literal(value: str, quote: str) -> str:
    """The TOML string literal of `value`, in the quotes it had where they can hold it."""
    if quote == "'" and "'" not in value and not re.search(r"[\x00-\x1f\x7f]", value):
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group(0)):04x}", escaped) + '"'
