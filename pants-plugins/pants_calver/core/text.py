"""File text that comes back byte for byte, and column edits on it, with no Pants import.

Files are decoded with `surrogateescape`, so any bytes (a BOM, Latin-1, CRLF, a lone CR) come back
unchanged when the text is encoded again, and an edit changes the characters it names and nothing
else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Iterable


def decode(data: bytes) -> str:
    """Decode file bytes so that `encode(decode(data)) == data` for any input."""
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


# What ends a line, for every scanner and for the editor alike: the universal newlines that
# Python's tokenizer and configparser read (`str.splitlines` also breaks on form feeds and other
# separators, which would put an edit on the wrong line).
_LINE_END = re.compile(r"\r\n|\r|\n")

# A `\r` that is not part of `\r\n`: a line end for Python and configparser, not for tokenize.
LONE_CR = re.compile(r"\r(?!\n)")


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """The lines of `text`, broken only at `\\n`, `\\r\\n` and `\\r`."""
    lines, start = [], 0
    for end in _LINE_END.finditer(text):
        lines.append(text[start : end.end() if keepends else end.start()])
        start = end.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


@dataclass(frozen=True)
class Edit:
    """Replace columns `start:end` of line `line` (1-based) with `new`."""

    line: int
    start: int
    end: int
    new: str


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply column edits to `text`, keeping every other character (line endings included)."""
    lines = split_lines(text, keepends=True)
    for edit in sorted(edits, key=lambda e: (e.line, e.start), reverse=True):
        line = lines[edit.line - 1]
        lines[edit.line - 1] = line[: edit.start] + edit.new + line[edit.end :]
    return "".join(lines)
