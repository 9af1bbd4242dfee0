"""Finding and rewriting first-party version pins in requirement sources, with no Pants import.

A *pin* is a requirement on a first-party distribution, found in a requirements file, a BUILD file's
`python_requirement(requirements=[...])`, a pyproject.toml `[project]` table or a setup.cfg
`[options]` section. Each pin knows where every version literal in its specifier stands (line and
columns), so that a rewrite changes those characters and nothing else in the file.

Files are decoded with `surrogateescape`, so any bytes (a BOM, Latin-1, CRLF) come back unchanged
when the text is encoded again.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, replace
from enum import Enum
from typing import Iterable, List, Optional, Sequence, Tuple

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


class SourceKind(Enum):
    """The formats a requirement can be written in."""

    requirements = "requirements"
    build = "build"
    pyproject = "pyproject"
    setup_cfg = "setup_cfg"

    @classmethod
    def for_path(cls, path: str) -> SourceKind:
        name = path.rsplit("/", 1)[-1]
        if name == "pyproject.toml":
            return cls.pyproject
        if name == "setup.cfg":
            return cls.setup_cfg
        if name == "BUILD" or name.startswith("BUILD."):
            return cls.build
        return cls.requirements


@dataclass(frozen=True)
class SourceError:
    """Something in a requirement source that cannot be read as a requirement."""

    path: str
    line: int
    message: str


@dataclass(frozen=True)
class VersionLiteral:
    """One `operator version` clause of a specifier and where its version stands in the file."""

    operator: str
    text: str
    line: int
    start: int
    end: int

    def normalized(self) -> str:
        """The literal as `packaging` spells it (`23.09.*` → `23.9.*`); unchanged if it is no version."""
        prefix, wildcard = (self.text[:-2], ".*") if self.text.endswith(".*") else (self.text, "")
        try:
            return str(Version(prefix)) + wildcard
        except InvalidVersion:
            return self.text


@dataclass(frozen=True)
class Pin:
    """A requirement on a first-party distribution."""

    path: str
    line: int
    name: str
    requirement: str
    literals: Tuple[VersionLiteral, ...]
    hashed: bool = False


@dataclass(frozen=True)
class ScanResult:
    """What one file holds: its first-party pins, the lines that could not be read, and includes."""

    pins: Tuple[Pin, ...] = ()
    errors: Tuple[SourceError, ...] = ()
    includes: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Edit:
    """Replace columns `start:end` of line `line` (1-based) with `new`."""

    line: int
    start: int
    end: int
    new: str


def decode(data: bytes) -> str:
    """Decode file bytes so that `encode(decode(data)) == data` for any input."""
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply column edits to `text`, keeping every other character (line endings included)."""
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: (e.line, e.start), reverse=True):
        line = lines[edit.line - 1]
        lines[edit.line - 1] = line[: edit.start] + edit.new + line[edit.end :]
    return "".join(lines)


# --- Finding requirement strings -------------------------------------------------------------------


@dataclass(frozen=True)
class _Located:
    """A requirement text and, for each of its characters, the (line, column) it came from."""

    text: str
    positions: Tuple[Tuple[int, int], ...]
    hashed: bool = False

    @property
    def line(self) -> int:
        return self.positions[0][0] if self.positions else 0


def _located(text: str, line: int, column: int) -> _Located:
    return _Located(text, tuple((line, column + i) for i in range(len(text))))


_OPTION = re.compile(r"(?:^|\s)(--?[A-Za-z][\w-]*)")
_COMMENT = re.compile(r"(?:^|\s)#")


def _requirements_txt(text: str) -> Tuple[List[_Located], List[str]]:
    """Requirement lines of a pip requirements file, joined across `\\` continuations, and the
    files it includes with `-r`/`-c`."""
    found: List[_Located] = []
    includes: List[str] = []
    chars: List[str] = []
    positions: List[Tuple[int, int]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        comment = _COMMENT.search(line)
        if comment:
            line = line[: comment.start()]
        continued = line.endswith("\\")
        if continued:
            line = line[:-1]
        chars.extend(line)
        positions.extend((number, i) for i in range(len(line)))
        if continued:
            continue
        logical = "".join(chars)
        start = len(logical) - len(logical.lstrip())
        option = _OPTION.search(logical)
        end = option.start() if option else len(logical)
        requirement = logical[start:end].rstrip()
        if option and not requirement:
            words = logical.split()
            if words[0] in ("-r", "-c", "--requirement", "--constraint") and len(words) > 1:
                includes.append(words[1])
            elif words[0].split("=", 1)[0] in ("-r", "-c", "--requirement", "--constraint"):
                includes.append(words[0].split("=", 1)[1])
        elif requirement:
            found.append(
                _Located(
                    requirement,
                    tuple(positions[start : start + len(requirement)]),
                    hashed=bool(option) and "--hash" in logical[end:],
                )
            )
        chars, positions = [], []
    return found, includes


def _build_file(path: str, text: str) -> Tuple[List[_Located], List[SourceError]]:
    """String literals in `requirements=[...]` of `python_requirement(...)` calls."""
    found: List[_Located] = []
    errors: List[SourceError] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as e:
        return [], [SourceError(path, 1, f"cannot read this BUILD file: {e}")]
    call_depth: Optional[int] = None
    list_depth: Optional[int] = None
    depth = 0
    for i, token in enumerate(tokens):
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
            if (
                call_depth is not None
                and list_depth is None
                and token.string == "["
                and i >= 2
                and tokens[i - 1].string == "="
                and tokens[i - 2].string == "requirements"
                and depth == call_depth + 1
            ):
                list_depth = depth
        elif token.type == tokenize.OP and token.string in ")]}":
            if list_depth is not None and depth == list_depth:
                list_depth = None
            if call_depth is not None and depth == call_depth:
                call_depth = None
            depth -= 1
        elif token.type == tokenize.NAME and token.string == "python_requirement":
            if i + 1 < len(tokens) and tokens[i + 1].string == "(":
                call_depth = depth + 1
        elif token.type == tokenize.STRING and list_depth is not None and depth == list_depth:
            (row, column), (end_row, _) = token.start, token.end
            raw = token.string
            body_start = len(raw) - len(raw.lstrip("rRbBuUfF"))
            quote = (
                raw[body_start : body_start + 3]
                if raw[body_start : body_start + 3] in ('"""', "'''")
                else raw[body_start]
            )
            body = raw[body_start + len(quote) : len(raw) - len(quote)]
            try:
                value = ast.literal_eval(raw)
            except (ValueError, SyntaxError):
                value = None
            if value != body or end_row != row or body_start:
                errors.append(
                    SourceError(path, row, f"write the requirement {raw} as a plain one-line string")
                )
                continue
            column += len(quote)
            found.append(_located(body, row, column))
    return found, errors


_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ARRAY_KEY = re.compile(r"^\s*([A-Za-z0-9_.\"'-]+)\s*=\s*\[")


def _toml_array_strings(
    path: str, lines: Sequence[str], number: int, column: int
) -> Tuple[List[_Located], List[SourceError], int]:
    """The strings of a TOML array whose `[` is at `lines[number - 1][column - 1]`.

    Returns them with the line number where the array ends.
    """
    found: List[_Located] = []
    line_index, i = number - 1, column
    while line_index < len(lines):
        line = lines[line_index]
        while i < len(line):
            char = line[i]
            if char == "]":
                return found, [], line_index + 1
            if char == "#":
                break
            if char in "\"'":
                if line.startswith(char * 3, i):
                    return (
                        found,
                        [
                            SourceError(
                                path,
                                line_index + 1,
                                "write one single-line string per requirement, not a multi-line string",
                            )
                        ],
                        line_index + 1,
                    )
                end = line.find(char, i + 1)
                if end < 0:
                    return found, [SourceError(path, line_index + 1, "unterminated string")], line_index + 1
                body = line[i + 1 : end]
                if char == '"' and "\\" in body:
                    return (
                        found,
                        [
                            SourceError(
                                path, line_index + 1, f"write the requirement {body!r} without escapes"
                            )
                        ],
                        line_index + 1,
                    )
                found.append(_located(body, line_index + 1, i + 1))
                i = end + 1
                continue
            i += 1
        line_index += 1
        i = 0
    return found, [SourceError(path, number, "unterminated array")], len(lines)


def _pyproject(path: str, text: str) -> Tuple[List[_Located], List[SourceError]]:
    """`[project]` dependencies and `[project.optional-dependencies]` of a pyproject.toml."""
    found: List[_Located] = []
    errors: List[SourceError] = []
    lines = text.splitlines()
    table = ""
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        header = _TABLE.match(line)
        if header:
            table = header.group(1).replace('"', "").replace("'", "")
            continue
        key = _ARRAY_KEY.match(line)
        if not key:
            continue
        name = key.group(1).strip("\"'")
        if (table == "project" and name == "dependencies") or table == "project.optional-dependencies":
            strings, problems, number = _toml_array_strings(path, lines, number, key.end())
            found.extend(strings)
            errors.extend(problems)
    return found, errors


_INI_SECTION = re.compile(r"^\[([^\]]+)\]")
_INI_KEY = re.compile(r"^([A-Za-z0-9_.-]+)\s*[=:]\s*")


def _setup_cfg(text: str) -> List[_Located]:
    """`install_requires` in `[options]` and every key of `[options.extras_require]`."""
    found: List[_Located] = []
    section = ""
    collecting = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        section_match = _INI_SECTION.match(line)
        if section_match:
            section, collecting = section_match.group(1).strip(), False
            continue
        if not line[:1].isspace():
            key = _INI_KEY.match(line)
            collecting = bool(key) and (
                (section == "options" and key.group(1) == "install_requires")  # type: ignore[union-attr]
                or section == "options.extras_require"
            )
            if not collecting or key is None:
                continue
            value_start = key.end()
        else:
            if not collecting:
                continue
            value_start = 0
        value = line[value_start:]
        comment = _COMMENT.search(value)
        if comment:
            value = value[: comment.start()]
        stripped = value.strip()
        if not stripped or stripped.startswith((";", "#")):
            continue
        found.append(_located(stripped, number, value_start + value.index(stripped)))
    return found


# --- From requirement strings to pins ---------------------------------------------------------------

_NAME = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*")
_CLAUSE = re.compile(r"(===|==|~=|!=|<=|>=|<|>)\s*([^\s,;()]+)")


def _literals(located: _Located) -> Tuple[VersionLiteral, ...]:
    text = located.text
    head = _NAME.match(text)
    region_start = head.end() if head else 0
    if text[region_start : region_start + 1] == "@":
        return ()
    region_end = text.find(";", region_start)
    region_end = len(text) if region_end < 0 else region_end
    literals = []
    for clause in _CLAUSE.finditer(text, region_start, region_end):
        start, end = clause.span(2)
        line, column = located.positions[start]
        end_line, end_column = located.positions[end - 1]
        if end_line != line:
            continue
        literals.append(VersionLiteral(clause.group(1), clause.group(2), line, column, end_column + 1))
    return tuple(literals)


def scan(path: str, text: str, first_party: Iterable[str]) -> ScanResult:
    """Find every pin on a first-party distribution (canonical names) in one file's text."""
    kind = SourceKind.for_path(path)
    # Scan without a byte-order mark, then put its column back on line 1.
    bom = text.startswith("\ufeff")
    text = text[1:] if bom else text
    includes: List[str] = []
    errors: List[SourceError] = []
    if kind is SourceKind.requirements:
        located, includes = _requirements_txt(text)
    elif kind is SourceKind.build:
        located, errors = _build_file(path, text)
    elif kind is SourceKind.pyproject:
        located, errors = _pyproject(path, text)
    else:
        located = _setup_cfg(text)
    names = frozenset(first_party)
    pins = []
    for item in located:
        try:
            requirement = Requirement(item.text)
        except InvalidRequirement as e:
            errors.append(SourceError(path, item.line, f"cannot parse requirement `{item.text}`: {e}"))
            continue
        name = canonicalize_name(requirement.name)
        if name not in names:
            continue
        literals = _literals(item)
        if bom:
            literals = tuple(
                replace(lit, start=lit.start + 1, end=lit.end + 1) if lit.line == 1 else lit
                for lit in literals
            )
        pins.append(Pin(path, item.line, name, item.text, literals, item.hashed))
    return ScanResult(tuple(pins), tuple(errors), tuple(includes))


@dataclass(frozen=True)
class PinProblem:
    """A pin that disagrees with the scheme. `code` is stable, for machine-readable reports."""

    code: str
    message: str
    found: str
    expected: str


def _specifier(clauses: Sequence[str]) -> Optional[SpecifierSet]:
    try:
        return SpecifierSet(",".join(clauses))
    except InvalidSpecifier:
        return None


def check_pin(
    pin: Pin, version: Optional[Version], independent: bool, shown: Optional[str] = None
) -> List[PinProblem]:
    """What is wrong with one pin: literals not in normalized form, and (unless the distribution
    keeps its own version, or `version` is unknown) a specifier that excludes `version`.

    `shown` is the version as the version file spells it, for messages.
    """
    problems = [
        PinProblem(
            "pin-not-normalized",
            f"`{pin.requirement}`: `{lit.text}` is not normalized, write `{lit.normalized()}`",
            lit.text,
            lit.normalized(),
        )
        for lit in pin.literals
        if lit.normalized() != lit.text
    ]
    if independent or version is None or not pin.literals:
        return problems
    shown = shown or str(version)
    specifier = _specifier([f"{lit.operator}{lit.normalized()}" for lit in pin.literals])
    if specifier is None:
        problems.append(
            PinProblem(
                "pin-invalid", f"`{pin.requirement}` has an invalid specifier", pin.requirement, str(version)
            )
        )
    elif not specifier.contains(version, prereleases=True):
        exact = [lit for lit in pin.literals if lit.operator in ("==", "===")]
        if len(pin.literals) == 1 and exact:
            message = f"`{pin.requirement}` pins {exact[0].normalized()}, but the version is {shown}; write `{version}`"
        else:
            message = f"`{pin.requirement}` excludes the version {shown}"
        problems.append(PinProblem("pin-excludes-version", message, str(specifier), str(version)))
    return problems


@dataclass(frozen=True)
class PinPlan:
    """The edits that move one pin to a new version, or why it cannot move."""

    edits: Tuple[Edit, ...] = ()
    problem: Optional[str] = None


def plan_pin(pin: Pin, new: Version, independent: bool) -> PinPlan:
    """Plan the rewrite of one pin to `new`.

    Exact pins (`==`, `===`) on a distribution that shares VERSION get `new`; every other literal is
    only normalized. Another specifier that would no longer admit `new` is a problem, and so is any
    edit on a line that carries `--hash` options.
    """
    target = str(new)
    clauses = []
    edits = []
    for lit in pin.literals:
        exact = not independent and lit.operator in ("==", "===") and not lit.text.endswith(".*")
        wanted = target if exact else lit.normalized()
        clauses.append(f"{lit.operator}{wanted}")
        if wanted != lit.text:
            edits.append(Edit(lit.line, lit.start, lit.end, wanted))
    if not independent and clauses:
        specifier = _specifier(clauses)
        if specifier is None or not specifier.contains(new, prereleases=True):
            return PinPlan(problem=f"`{pin.requirement}` would not admit {target}; change it by hand")
    if edits and pin.hashed:
        return PinPlan(
            problem=f"`{pin.requirement}` carries `--hash` options, which cannot follow a new version"
        )
    return PinPlan(tuple(edits))
