"""The line of each key of a configuration file, which its parser does not give: a small scanner
per format finds the line of each key the parser read (see `config_keys`). Lines are counted at
newlines only, as the parsers count them."""

from __future__ import annotations

import json
import re

from pants_calver.core.text import split_lines

_INI_SECTION = re.compile(r"\[(?P<header>.+)\]")
_INI_OPTION = re.compile(r"(?P<option>.*?)\s*[=:]")


def ini_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each section and option, by configparser's rules: a comment line starts with
    `#` or `;`, an indented line continues the value above, option names are lower-cased."""
    lines: dict[tuple[str, ...], int] = {}
    section = ""
    for number, line in enumerate(split_lines(text), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;" or line[0].isspace():
            continue
        header = _INI_SECTION.match(stripped)
        if header:
            section = header.group("header")
            lines.setdefault((section,), number)
        else:
            option = _INI_OPTION.match(stripped)
            if option and section:
                lines.setdefault((section, option.group("option").strip().lower()), number)
    return lines


_TOML_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_TOML_KEY = re.compile(rf"\s*({_TOML_PART}(?:\s*\.\s*{_TOML_PART})*)\s*=(.*)")
_TOML_HEADER = re.compile(rf"\s*(\[\[?)\s*({_TOML_PART}(?:\s*\.\s*{_TOML_PART})*)\s*\]")


def _toml_parts(dotted: str) -> tuple[str, ...]:
    parts = re.findall(_TOML_PART, dotted)
    return tuple(json.loads(p) if p[0] == '"' else p.strip("'") for p in parts)


def toml_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each table header and key. Keys under an array of tables (`[[x]]`) are not
    placed (the array is one leaf); lines inside a multi-line string or array are skipped."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] | None = ()
    skip_until: str | None = None
    depth = 0
    for number, line in enumerate(split_lines(text), 1):
        if skip_until:
            skip_until = None if line.count(skip_until) % 2 else skip_until
            continue
        if depth > 0:
            depth += _depth(line)
            continue
        header = _TOML_HEADER.match(line)
        key = None if header else _TOML_KEY.match(line)
        if header:
            table = _toml_parts(header.group(2)) if header.group(1) == "[" else None
            lines.setdefault(_toml_parts(header.group(2)), number)
        elif key and table is not None:
            lines.setdefault((*table, *_toml_parts(key.group(1))), number)
        value = key.group(2).strip() if key else ""
        quotes = next((q for q in ('"""', "'''") if value.startswith(q)), None)
        if quotes and value.count(quotes) == 1:
            skip_until = quotes
        elif value.startswith("["):
            depth = _depth(value)
    return lines


def _depth(text: str) -> int:
    """Brackets opened minus closed in a line of a TOML array, outside strings and comments."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', "", text).split("#", 1)[0]
    return text.count("[") - text.count("]")


def json_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each object key of valid JSON; keys inside arrays are not placed."""
    lines: dict[tuple[str, ...], int] = {}
    # Each open container: the path of an object, or None (an array, or what lies inside one).
    stack: list[tuple[str, ...] | None] = []
    pending: tuple[str, ...] | None = None
    number, i = 1, 0
    while i < len(text):
        char = text[i]
        if char == "\n":
            number += 1
        elif char == '"':
            end = i + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            after = text[end + 1 :].lstrip()
            if stack and stack[-1] is not None and after.startswith(":"):
                pending = (*stack[-1], json.loads(text[i : end + 1]))
                lines.setdefault(pending, number)
            i = end
        elif char in "{[":
            inside = pending if stack and stack[-1] is not None else (None if stack else ())
            stack.append(inside if char == "{" else None)
            pending = None
        elif char in "}]":
            stack.pop()
        i += 1
    return lines
