"""A text pattern with version placeholders, found in a file's text, with no Pants import.

A pattern is literal text with placeholders: `ARG VERSION={normalized}`, `release = "{display}"`,
`version = "{branch}"`, `{major}.{minor}.{patch}{pre}{dev}`. `{{` and `}}` stand for braces. Each
placeholder matches what could be a version's part where it stands (any version, so that a file
holding the wrong one is found and reported, not skipped), and the literal text matches itself,
a line break in it matching any line end. Only the placeholders' characters are ever rewritten.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from collections.abc import Mapping

# Each placeholder, what it holds (for the docs and errors), and what it matches.
_VERSION = (
    r"[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?"
    r"(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?"
)
PLACEHOLDERS: Mapping[str, tuple[str, str]] = {
    "display": ("the version in display form, as the version file spells it: `23.09.6`", _VERSION),
    "normalized": ("the version in normalized form: `23.9.6`", _VERSION),
    "branch": ("the release branch `x.y`, in display form: `23.09`", r"[0-9]+\.[0-9]+"),
    "major": ("the major part: `23`", r"[0-9]+"),
    "minor": ("the minor part, not padded: `9`", r"[0-9]+"),
    "patch": ("the patch part: `6`", r"[0-9]+"),
    "pre": ("the pre-release, `a1`, `b2`, `rc1`, or nothing", r"(?:(?:a|b|rc)[0-9]+)?"),
    "dev": ("the development release, `.dev3`, or nothing", r"(?:\.dev[0-9]+)?"),
}
_LINE_END = re.compile(r"\r\n|\r|\n")
# What may not stand right before or after a placeholder that opens or closes the pattern, so
# that `{normalized}` does not match the `3.9.6` of `23.9.6` or stop halfway through `23.9.6rc1`.
_BEFORE, _AFTER = r"(?<![0-9A-Za-z.])", r"(?![0-9A-Za-z]|\.[0-9A-Za-z])"


def parse(template: str) -> list[tuple[str, str | None]]:
    """The template's parts: (literal text, placeholder name or None). Raises ValueError saying
    what is wrong: an unknown placeholder, a format spec, an unmatched brace."""
    parts = []
    for text, name, spec, conversion in string.Formatter().parse(template):
        if name is not None and name not in PLACEHOLDERS:
            known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            raise ValueError(f"`{{{name}}}` is no placeholder (the placeholders are {known})")
        if spec or conversion:
            raise ValueError(f"`{{{name}}}` takes no `:` or `!` (write `{{{name}}}` alone)")
        parts.append((text, name))
    return parts


def has_placeholder(template: str) -> bool:
    return any(name for _, name in parse(template))


def render(template: str, values: Mapping[str, str]) -> str:
    """The template with each placeholder replaced by its value."""
    return "".join(text + (values[name] if name else "") for text, name in parse(template))


@dataclass(frozen=True)
class Match:
    """Where a pattern matched: characters `start:end` of the text, and the span of each
    placeholder in it (start, end, name)."""

    start: int
    end: int
    placeholders: tuple[tuple[int, int, str], ...]


def _regex(template: str) -> re.Pattern[str]:
    parts = parse(template)
    regex = []
    for index, (text, name) in enumerate(parts):
        regex.append(r"(?:\r\n|\r|\n)".join(re.escape(line) for line in _LINE_END.split(text)))
        if name:
            opens = index == 0 and not text
            closes = index == len(parts) - 1
            regex.append(
                f"{_BEFORE if opens else ''}(?P<p{index}>{PLACEHOLDERS[name][1]}){_AFTER if closes else ''}"
            )
    return re.compile("".join(regex))


def find(text: str, template: str) -> list[Match]:
    """Every place `text` holds the pattern, with any version in its placeholders."""
    names = {f"p{i}": name for i, (_, name) in enumerate(parse(template)) if name}
    return [
        Match(
            match.start(),
            match.end(),
            tuple((match.start(group), match.end(group), name) for group, name in names.items()),
        )
        for match in _regex(template).finditer(text)
    ]
