"""PEP 508 requirement strings and markers as pip 24.2 reads them, with no Pants import.

pip 24.2 parses requirements with the packaging 24.1 it vendors; the plugin runs in Pants' process,
which ships packaging 21.3, and the two disagree (21.3 refuses `name @ ./path`, `foo>=1,` and
`foo_`, and reads `foo===1;marker` as one arbitrary version). So this module follows packaging
24.1's grammar (`packaging/_parser.py`, `_tokenizer.py`): the same token rules, the same order of
checks, the same messages. Only the marker grammar is walked with a loop instead of recursion, so
that no nesting raises `RecursionError` here; a marker nested deeper than pip itself can parse
(pip recurses, and stops at Python's recursion limit) is refused as pip refuses it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

_VERSION = r"""
    (?P<operator>(~=|==|!=|<=|>=|<|>|===))
    (?P<version>
        (?:(?<====)\s*[^\s;)]*)
        |(?:(?<===|!=)\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*
            (?:\.\*|(?:[-_\.]?(alpha|beta|preview|pre|a|b|c|rc)[-_\.]?[0-9]*)?
                (?:(?:-[0-9]+)|(?:[-_\.]?(post|rev|r)[-_\.]?[0-9]*))?
                (?:[-_\.]?dev[-_\.]?[0-9]*)?(?:\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*)?)?)
        |(?:(?<=~=)\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+
            (?:[-_\.]?(alpha|beta|preview|pre|a|b|c|rc)[-_\.]?[0-9]*)?
            (?:(?:-[0-9]+)|(?:[-_\.]?(post|rev|r)[-_\.]?[0-9]*))?(?:[-_\.]?dev[-_\.]?[0-9]*)?)
        |(?:(?<!==|!=|~=)\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*
            (?:[-_\.]?(alpha|beta|preview|pre|a|b|c|rc)[-_\.]?[0-9]*)?
            (?:(?:-[0-9]+)|(?:[-_\.]?(post|rev|r)[-_\.]?[0-9]*))?(?:[-_\.]?dev[-_\.]?[0-9]*)?)
    )
"""
_SPECIFIER = re.compile(_VERSION, re.VERBOSE | re.IGNORECASE)
_ONE_SPECIFIER = re.compile(r"^\s*" + _VERSION + r"\s*$", re.VERBOSE | re.IGNORECASE)
_IDENTIFIER = re.compile(r"\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b")
_WS = re.compile(r"[ \t]+")
_URL = re.compile(r"[^ \t]+")
_QUOTED = re.compile(r"('[^']*')|(\"[^\"]*\")")
_OP = re.compile(r"(===|==|~=|!=|<=|>=|<|>)")
_BOOLOP = re.compile(r"\b(or|and)\b")
_IN = re.compile(r"\bin\b")
_NOT = re.compile(r"\bnot\b")
_VARIABLE = re.compile(
    r"\b(python_version|python_full_version|os[._]name|sys[._]platform|platform_(release|system)"
    r"|platform[._](version|machine|python_implementation)|python_implementation"
    r"|implementation_(name|version)|extra)\b"
)
_LOCAL_LABEL_TRAIL = re.compile(r"\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*")

# The deepest marker nesting pip 24.2's packaging parses under Python's default recursion limit,
# called from a script's top level (measured: 493 levels parse, 494 raise RecursionError). It
# recurses twice a level, so a call from deeper in pip stops sooner: a marker nested deeper than
# this never parses in pip.
MAX_MARKER_DEPTH = 493


class InvalidRequirement(ValueError):
    """A requirement or marker pip refuses, with packaging's message and the column it names."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} (column {column + 1})")


@dataclass(frozen=True)
class Requirement:
    """A parsed requirement: `specifier` as packaging keeps it, `span` where it stands."""

    name: str
    extras: tuple[str, ...]
    url: str
    specifier: str
    span: tuple[int, int]


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0

    def take(self, pattern: re.Pattern) -> str | None:
        match = pattern.match(self.source, self.position)
        if match is None:
            return None
        self.position = match.end()
        return match.group()

    def peek(self, pattern: re.Pattern) -> bool:
        return pattern.match(self.source, self.position) is not None

    def expect(self, pattern: re.Pattern, expected: str) -> str:
        text = self.take(pattern)
        if text is None:
            self.fail(f"Expected {expected}")
        return text  # type: ignore[return-value]

    def spaces(self) -> None:
        self.take(_WS)

    def at_end(self) -> bool:
        return self.position >= len(self.source) or self.source[self.position :] == "\n"

    def fail(self, message: str, at: int | None = None) -> None:
        raise InvalidRequirement(message, self.position if at is None else at)


def _literal(text: str) -> re.Pattern:
    return re.compile(re.escape(text))


_OPEN, _CLOSE, _SEMICOLON, _COMMA, _AT = map(_literal, ("(", ")", ";", ",", "@"))
_OPEN_BRACKET, _CLOSE_BRACKET, _TRAIL = _literal("["), _literal("]"), _literal(".*")


def parse(text: str) -> Requirement:
    """A requirement as packaging 24.1's `Requirement(text)` reads it; raises InvalidRequirement."""
    reader = _Reader(text)
    reader.spaces()
    name = reader.expect(_IDENTIFIER, "package name at the start of dependency specifier")
    reader.spaces()
    extras = _extras(reader)
    reader.spaces()
    url, specifier, span = "", "", (reader.position, reader.position)
    if reader.take(_AT):
        reader.spaces()
        url = reader.expect(_URL, "URL after @")
        if not reader.at_end():
            reader.expect(_WS, "whitespace after URL")
            if not reader.at_end():
                _requirement_marker(reader, "URL and whitespace")
    else:
        start = reader.position
        specifier = _specifier(reader)
        span = (start, reader.position)
        reader.spaces()
        if not reader.at_end():
            after = "version specifier" if specifier else "name and no valid version specifier"
            _requirement_marker(reader, after)
    if not reader.at_end():
        reader.fail("Expected end of dependency specifier")
    for clause in (s.strip() for s in specifier.split(",")):
        if clause and not _ONE_SPECIFIER.search(clause):
            raise InvalidRequirement(f"Invalid specifier: '{clause}'", span[0])
    return Requirement(name, tuple(extras), url, specifier, span)


def check_marker(text: str) -> None:
    """Raise InvalidRequirement unless packaging 24.1's `Marker(text)` reads `text`."""
    reader = _Reader(text)
    _marker(reader)
    if not reader.at_end():
        reader.fail("Expected end of marker expression")


def _extras(reader: _Reader) -> list[str]:
    if not reader.take(_OPEN_BRACKET):
        return []
    opened = reader.position - 1
    reader.spaces()
    extras: list[str] = []
    first = reader.take(_IDENTIFIER)
    if first is not None:
        extras.append(first)
        while True:
            reader.spaces()
            if reader.peek(_IDENTIFIER):
                reader.fail("Expected comma between extra names")
            if not reader.take(_COMMA):
                break
            reader.spaces()
            extras.append(reader.expect(_IDENTIFIER, "extra name after comma"))
    reader.spaces()
    if not reader.take(_CLOSE_BRACKET):
        reader.fail("Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras", opened)
    return extras


def _specifier(reader: _Reader) -> str:
    opened = reader.position if reader.take(_OPEN) else None
    reader.spaces()
    clauses = ""
    while reader.peek(_SPECIFIER):
        start = reader.position
        clauses += reader.take(_SPECIFIER) or ""
        if reader.peek(_TRAIL):
            reader.fail(".* suffix can only be used with `==` or `!=` operators", start)
        if reader.peek(_LOCAL_LABEL_TRAIL):
            reader.fail("Local version label can only be used with `==` or `!=` operators", start)
        reader.spaces()
        if not reader.take(_COMMA):
            break
        clauses += ","
        reader.spaces()
    reader.spaces()
    if opened is not None and not reader.take(_CLOSE):
        reader.fail(
            "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier", opened
        )
    return clauses


def _requirement_marker(reader: _Reader, after: str) -> None:
    if not reader.take(_SEMICOLON):
        reader.fail(f"Expected end or semicolon (after {after})")
    _marker(reader)
    reader.spaces()


def _marker(reader: _Reader) -> None:
    """`marker = atom (BOOLOP atom)*`, `atom = WS? "(" WS? marker WS? ")" WS? | WS? item WS?`,
    walked with a count of open parentheses instead of recursion."""
    opened: list[int] = []
    while True:
        reader.spaces()
        if reader.take(_OPEN):
            opened.append(reader.position - 1)
            if len(opened) > MAX_MARKER_DEPTH:
                reader.fail(f"markers nested more than {MAX_MARKER_DEPTH} deep exceed pip's recursion limit")
            continue
        _marker_item(reader)
        reader.spaces()
        while not reader.take(_BOOLOP):
            if not opened:
                return
            if not reader.take(_CLOSE):
                reader.fail(
                    "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression",
                    opened[-1],
                )
            opened.pop()
            reader.spaces()


def _marker_item(reader: _Reader) -> None:
    """`item = var WS? op WS? var WS?`, where op is `in`, `not in` or a comparison."""
    _marker_var(reader)
    reader.spaces()
    if reader.take(_IN):
        pass
    elif reader.take(_NOT):
        reader.expect(_WS, "whitespace after 'not'")
        reader.expect(_IN, "'in' after 'not'")
    elif not reader.take(_OP):
        reader.fail("Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in")
    reader.spaces()
    _marker_var(reader)
    reader.spaces()


def _marker_var(reader: _Reader) -> None:
    if reader.take(_VARIABLE):
        return
    start = reader.position
    quoted = reader.take(_QUOTED)
    if quoted is None:
        reader.fail("Expected a marker variable or quoted string")
    try:
        # packaging reads a quoted string as a Python literal: a bad escape fails there too.
        ast.literal_eval(quoted)  # type: ignore[arg-type]
    except (SyntaxError, ValueError) as e:
        reader.fail(f"cannot read the string {quoted}: {e}", start)
