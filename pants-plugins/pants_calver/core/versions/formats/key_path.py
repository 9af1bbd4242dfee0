"""What the structured-file editors share, with no Pants import: key paths, a value placed in
the text, what cannot be placed, and the parser as the oracle of a rewrite.

An editor (`json_path`, `toml_path`, `yaml_path`) finds the characters of one string value in a
file's text by its key path. Its own reading is never trusted alone: the format's real parser
reads the document first, the characters placed must decode to exactly what the parser read, and
after a rewrite the parser must read the same document except the keys rewritten.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, Callable
from collections.abc import Mapping, Sequence

# Problem codes of a key that cannot be used: not there, or not placeable exactly.
UNMATCHED = "version-source-unmatched"
UNPLACEABLE = "version-source-unplaceable"
UNREADABLE = "version-source-unreadable"

_SEGMENT = re.compile(r'"([^"]*)"|([^."]+)')


def parse_key(key: str) -> tuple[str, ...] | None:
    """The segments of a dotted key path: `info.version`, `metadata."app.kubernetes.io/version"`
    (a quoted segment may hold dots); None when the text is no key path."""
    segments, position = [], 0
    while True:
        match = _SEGMENT.match(key, position)
        if not match:
            return None
        segment = match.group(1) if match.group(1) is not None else match.group(2)
        if match.group(2) is not None and segment != segment.strip():
            return None
        segments.append(segment)
        position = match.end()
        if position == len(key):
            return tuple(segments)
        if key[position] != ".":
            return None
        position += 1


def show_key(path: Sequence[str]) -> str:
    """A key path as written in the settings (segments with a dot or a quote are quoted)."""
    return ".".join(f'"{s}"' if ("." in s or not s or s != s.strip()) else s for s in path)


@dataclass(frozen=True)
class Placed:
    """A string value and where it stands: characters `start:end` of the text are its literal,
    quotes included (`quote` is `"`, `'`, or empty for a plain YAML scalar)."""

    value: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Unplaced:
    """Why a key's value cannot be read or rewritten exactly: `code`, the offset it is about
    (0 for the whole file), and a message that ends with what to do."""

    code: str
    offset: int
    message: str


def lookup(document: Any, path: Sequence[str]) -> Any:
    """The value at `path` in a parsed document, or the `Unplaced` that says why there is none."""
    node = document
    for depth, segment in enumerate(path):
        if isinstance(node, list):
            where = show_key(path[:depth])
            message = (
                f"the key path `{show_key(path)}` goes into the array `{where}`, which names no one "
                "value; declare a key of nested tables only, or a text pattern"
            )
            return Unplaced(UNPLACEABLE, 0, message)
        if not isinstance(node, Mapping) or segment not in node:
            message = f"the file has no key `{show_key(path)}`; add it, or fix the key path"
            return Unplaced(UNMATCHED, 0, message)
        node = node[segment]
    return node


def _replaced(document: Any, path: Sequence[str], value: str) -> Any:
    """A copy of `document` (dicts along `path` copied, the rest shared) with `value` at `path`."""
    if not path:
        return value
    copy = dict(document)
    copy[path[0]] = _replaced(document[path[0]], path[1:], value)
    return copy


def _plain(value: Any) -> Any:
    """A parsed value in a shape `==` compares strictly: key order and types count, NaN equals
    itself, and a date compares by its text (toml's time zones compare by identity)."""
    if isinstance(value, Mapping):
        return ("map", [(k, _plain(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_plain(v) for v in value])
    if isinstance(value, float) and value != value:
        return ("nan",)
    if isinstance(value, (datetime.date, datetime.time)):
        return (type(value).__name__, value.isoformat())
    return (type(value).__name__, value)


def same_except(
    load: Callable[[str], Any], old: str, new: str, changed: Mapping[tuple[str, ...], str]
) -> bool:
    """Whether the parser reads `new` as `old` with the `changed` keys set to their new values."""
    expected = load(old)
    for path, value in changed.items():
        expected = _replaced(expected, path, value)
    try:
        return _plain(load(new)) == _plain(expected)
    except Exception:  # The parser's own errors: any of them means the rewrite is not exact.
        return False


def line_of(text: str, offset: int) -> int:
    """The 1-based line of `offset`, lines ending at `\\n`, `\\r\\n` or `\\r` (as `core.text`)."""
    before = text[:offset]
    return before.count("\n") + len(re.findall(r"\r(?!\n)", before)) + 1


def not_a_string(what: str, value: Any, offset: int) -> Unplaced:
    shown = "null" if value is None else repr(value)
    return Unplaced(
        UNPLACEABLE,
        offset,
        f"{what} reads {shown}, which is not a string; write the version there as a quoted string",
    )
