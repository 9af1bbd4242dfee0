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
import configparser
import io
import re
import tokenize
from dataclasses import dataclass, replace
from collections import Counter
from enum import Enum
from typing import Iterable, List, Optional, Sequence, Tuple

import toml
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


# What ends a line, for every scanner and for the editor alike: the universal newlines that
# Python's tokenizer and configparser read (`str.splitlines` also breaks on form feeds and other
# separators, which would put an edit on the wrong line).
_LINE_END = re.compile(r"\r\n|\r|\n")


_LONE_CR = re.compile(r"\r(?!\n)")


def split_lines(text: str, keepends: bool = False) -> List[str]:
    """The lines of `text`, broken only at `\\n`, `\\r\\n` and `\\r`."""
    lines, start = [], 0
    for end in _LINE_END.finditer(text):
        lines.append(text[start : end.end() if keepends else end.start()])
        start = end.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply column edits to `text`, keeping every other character (line endings included)."""
    lines = split_lines(text, keepends=True)
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


_INCLUDE_OPTIONS = ("-r", "-c", "--requirement", "--constraint")


def _include(words: List[str]) -> Tuple[Optional[str], Optional[str]]:
    """The file an option line includes (`-r x`, `-rx`, `--requirement=x`), or why it names none;
    (None, None) for other options."""
    first = words[0]
    for option in _INCLUDE_OPTIONS:
        if first == option:
            return (words[1], None) if len(words) > 1 else (None, f"`{first}` names no file")
        if first.startswith(option + "="):
            path = first[len(option) + 1 :]
            return (path, None) if path else (None, f"`{first}` names no file")
        if len(option) == 2 and first.startswith(option) and first[2:3] not in ("", "-"):
            return first[2:], None
    return None, None


def _requirements_txt(path: str, text: str) -> Tuple[List[_Located], List[str], List[SourceError]]:
    """Requirement lines of a pip requirements file, joined across `\\` continuations (also one
    at the end of the file), the files it includes with `-r`/`-c`, and what cannot be read."""
    found: List[_Located] = []
    includes: List[str] = []
    errors: List[SourceError] = []
    chars: List[str] = []
    positions: List[Tuple[int, int]] = []

    def logical_line() -> None:
        logical = "".join(chars)
        start = len(logical) - len(logical.lstrip())
        option = _OPTION.search(logical)
        end = option.start() if option else len(logical)
        requirement = logical[start:end].rstrip()
        if option and not requirement:
            include, error = _include(logical.split())
            if include:
                includes.append(include)
            if error:
                errors.append(SourceError(path, positions[start][0], error))
        elif requirement:
            found.append(
                _Located(
                    requirement,
                    tuple(positions[start : start + len(requirement)]),
                    hashed=bool(option) and "--hash" in logical[end:],
                )
            )

    for number, raw in enumerate(split_lines(text), start=1):
        line = raw
        comment = _COMMENT.search(line)
        if comment:
            line = line[: comment.start()]
        continued = line.endswith("\\")
        if continued:
            line = line[:-1]
        chars.extend(line)
        positions.extend((number, i) for i in range(len(line)))
        if not continued:
            logical_line()
            chars, positions = [], []
    if chars:
        logical_line()
    return found, includes, errors


_SKIPPED_TOKENS = (tokenize.NL, tokenize.COMMENT, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)


def _build_file(path: str, text: str) -> Tuple[List[_Located], List[SourceError]]:
    """String literals in `requirements=[...]` (or a tuple) of `python_requirement(...)` calls.

    An element that is not a plain string (`"x==%s" % V`, a name, a call) is reported: its
    version cannot be read or rewritten.
    """
    found: List[_Located] = []
    errors: List[SourceError] = []
    try:
        tokens = [
            token
            # tokenize does not end a line at a lone `\r`, as Python's compiler and `split_lines`
            # do: make it a `\n` (same length, so every column stays) before tokenizing.
            for token in tokenize.generate_tokens(io.StringIO(_LONE_CR.sub("\n", text)).readline)
            if token.type not in _SKIPPED_TOKENS
        ]
    except (tokenize.TokenError, SyntaxError) as e:
        return [], [SourceError(path, 1, f"cannot read this BUILD file: {e}")]
    call_depth: Optional[int] = None
    list_depth: Optional[int] = None
    depth = 0
    element: List[tokenize.TokenInfo] = []

    def end_element() -> None:
        if len(element) == 1 and element[0].type == tokenize.STRING:
            located = _build_string(path, element[0], errors)
            if located:
                found.append(located)
        elif element:
            errors.append(
                SourceError(
                    path,
                    element[0].start[0],
                    "a requirement here is not a plain string, so its version can be neither checked "
                    "nor rewritten; write it as one string literal",
                )
            )
        element.clear()

    for i, token in enumerate(tokens):
        opens, closes = (
            token.type == tokenize.OP and token.string in "([{",
            token.type == tokenize.OP and token.string in ")]}",
        )
        if list_depth is not None and depth == list_depth and not closes and token.string != ",":
            element.append(token)
        elif list_depth is not None and depth == list_depth and token.string == ",":
            end_element()
        if opens:
            depth += 1
            if (
                call_depth is not None
                and list_depth is None
                and token.string in "[("
                and i >= 2
                and tokens[i - 1].string == "="
                and tokens[i - 2].string == "requirements"
                and depth == call_depth + 1
            ):
                list_depth = depth
        elif closes:
            if list_depth is not None and depth == list_depth:
                end_element()
                list_depth = None
            if call_depth is not None and depth == call_depth:
                call_depth = None
            depth -= 1
        elif token.type == tokenize.NAME and token.string == "python_requirement":
            if i + 1 < len(tokens) and tokens[i + 1].string == "(":
                call_depth = depth + 1
    return found, errors


def _build_string(path: str, token: tokenize.TokenInfo, errors: List[SourceError]) -> Optional[_Located]:
    """A plain one-line string literal's text and place; anything else is reported."""
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
        errors.append(SourceError(path, row, f"write the requirement {raw} as a plain one-line string"))
        return None
    return _located(body, row, column + len(quote))


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
    lines = split_lines(text)
    table = ""
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        header = _TABLE.match(line)
        if header:
            table = ".".join(part.strip().strip("\"'") for part in header.group(1).split("."))
            continue
        key = _ARRAY_KEY.match(line)
        if not key:
            continue
        name = key.group(1).strip("\"'")
        if (table == "project" and name == "dependencies") or table == "project.optional-dependencies":
            strings, problems, number = _toml_array_strings(path, lines, number, key.end())
            found.extend(strings)
            errors.extend(problems)
    placed, unplaced = _pyproject_checked(path, text, found)
    return placed, errors + unplaced


def _pyproject_checked(
    path: str, text: str, found: Sequence[_Located]
) -> Tuple[List[_Located], List[SourceError]]:
    """Hold what the scanner found to what a TOML parser reads: only declared dependencies are
    pins (not look-alikes inside a multi-line string), and a declared one the scanner did not place
    (an inline table, dotted keys) is reported, as is a file that is not TOML."""
    try:
        document = toml.loads(text)
    except toml.TomlDecodeError as e:
        return [], [SourceError(path, e.lineno, f"this is not valid TOML: {e.msg}")]
    except (TypeError, ValueError, IndexError) as e:  # The parser's own slips on odd input.
        return [], [SourceError(path, 1, f"this is not valid TOML: {e}")]
    project = document.get("project", {})
    if not isinstance(project, dict):
        return [], []
    declared = list(project.get("dependencies", []) or [])
    extras = project.get("optional-dependencies", {}) or {}
    if isinstance(extras, dict):
        declared += [dep for deps in extras.values() if isinstance(deps, list) for dep in deps]
    wanted = Counter(dependency for dependency in declared if isinstance(dependency, str))
    placed = []
    for item in found:
        if wanted[item.text]:
            wanted[item.text] -= 1
            placed.append(item)
    unplaced = []
    for dependency, count in wanted.items():
        if not count:
            continue
        line = next((i for i, line in enumerate(split_lines(text), 1) if dependency in line), 1)
        unplaced.append(
            SourceError(
                path,
                line,
                f"`{dependency}` cannot be placed in the file to be checked or rewritten; write it as "
                "one string in a `dependencies = [...]` array, or edit it by hand",
            )
        )
    return placed, unplaced


_INI_SECTION = re.compile(r"^\[([^\]]+)\]")
_INI_KEY = re.compile(r"^(.*?)\s*[=:]\s*")  # configparser's own rule: a key is anything before = or :


def _setup_cfg(text: str) -> Tuple[List[_Located], List[str]]:
    """`install_requires` in `[options]` and every key of `[options.extras_require]`, read as
    configparser and setuptools do (blank and comment lines inside a value, `install-requires`
    with a dash), and the files a `file:` directive names."""
    found: List[_Located] = []
    includes: List[str] = []
    section = ""
    collecting = False
    key_indent: Optional[int] = None  # the indentation of the key whose value is being read
    for number, raw in enumerate(split_lines(text), start=1):
        line = raw
        section_match = _INI_SECTION.match(line)
        if section_match:
            section, collecting, key_indent = section_match.group(1), False, None  # spaces are kept
            continue
        if not line.strip() or line.lstrip().startswith(("#", ";")):
            continue  # A blank or comment line does not end a multi-line value.
        indent = len(line) - len(line.lstrip())
        if key_indent is None or indent <= key_indent:
            # As configparser reads it: a line no deeper than the last key starts a new key.
            key = _INI_KEY.match(line[indent:])
            key_indent = indent
            name = key.group(1).replace("-", "_") if key else ""  # setuptools reads `install-requires` too
            collecting = bool(key) and (
                (section == "options" and name == "install_requires") or section == "options.extras_require"
            )
            if not collecting or key is None:
                continue
            value_start = indent + key.end()
        else:
            if not collecting:
                continue
            value_start = 0
        value = line[value_start:]
        comment = _COMMENT.search(value)
        if comment:
            value = value[: comment.start()]
        stripped = value.strip()
        if not stripped:
            continue
        if stripped.startswith("file:"):
            includes.extend(stripped[len("file:") :].replace(",", " ").split())
            continue
        found.append(_located(stripped, number, value_start + value.index(stripped)))
    return found, includes


def _setup_cfg_errors(path: str, text: str) -> List[SourceError]:
    """What configparser, which setuptools reads setup.cfg with, refuses in the file."""
    try:
        # As setuptools reads the file: text mode, so `\r` ends a line too.
        configparser.ConfigParser(interpolation=None).read_file(io.StringIO(text, newline=None), source=path)
    except configparser.ParsingError as e:
        if not getattr(e, "errors", None):  # MissingSectionHeaderError is one, without `errors`
            return [
                SourceError(
                    path, getattr(e, "lineno", 1), "this is not a valid setup.cfg: it has no section header"
                )
            ]
        line, content = e.errors[0]  # configparser keeps the line as its repr
        shown = ast.literal_eval(content).strip() if content[:1] in "'\"" else content
        return [
            SourceError(path, line, f"this is not a valid setup.cfg: `{shown}` is no section, key or value")
        ]
    except configparser.Error as e:
        line = getattr(e, "lineno", None) or 1
        return [SourceError(path, line, f"this is not a valid setup.cfg: {e.message.splitlines()[0]}")]
    return []


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


def _is_version(text: str) -> bool:
    """Whether a specifier's literal is a version (`23.9.6`, `23.9.*`)."""
    try:
        Version(text[:-2] if text.endswith(".*") else text)
    except InvalidVersion:
        return False
    return True


def scan(path: str, text: str, first_party: Iterable[str]) -> ScanResult:
    """Find every pin on a first-party distribution (canonical names) in one file's text."""
    kind = SourceKind.for_path(path)
    # Scan without a byte-order mark, then put its column back on line 1.
    bom = text.startswith("\ufeff")
    text = text[1:] if bom else text
    includes: List[str] = []
    errors: List[SourceError] = []
    if kind is SourceKind.requirements:
        located, includes, errors = _requirements_txt(path, text)
    elif kind is SourceKind.build:
        located, errors = _build_file(path, text)
    elif kind is SourceKind.pyproject:
        located, errors = _pyproject(path, text)
    else:
        located, includes = _setup_cfg(text)
        errors = _setup_cfg_errors(path, text)
    names = frozenset(first_party)
    pins = []
    for item in located:
        try:
            requirement = Requirement(item.text)
        except (InvalidRequirement, InvalidSpecifier, ValueError) as e:
            # packaging raises InvalidSpecifier for some clauses, and ValueError for some URLs.
            errors.append(SourceError(path, item.line, f"cannot parse requirement `{item.text}`: {e}"))
            continue
        name = canonicalize_name(requirement.name)
        if name not in names:
            continue
        literals = _literals(item)
        not_versions = [lit.text for lit in literals if not _is_version(lit.text)]
        if not_versions:
            # A placeholder or a variable (`${VERSION}`) is not a version: never check or rewrite it.
            errors.append(
                SourceError(
                    path,
                    item.line,
                    f"`{item.text}`: `{not_versions[0]}` is not a version, so this pin can be neither "
                    "checked nor rewritten; write the version, or edit the pin by hand",
                )
            )
            continue
        if _specifier([f"{lit.operator}{lit.text}" for lit in literals]) != requirement.specifier:
            # packaging reads a clause the scanner cannot place (split by a `\\` continuation, or
            # an arbitrary `===` string holding a comma): it cannot be rewritten safely.
            errors.append(
                SourceError(
                    path,
                    item.line,
                    f"`{item.text}`: cannot place every version of this requirement in the file, so it "
                    "cannot be rewritten; write it on one line, or edit it by hand",
                )
            )
            continue
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
        # A wildcard (`==23.3.*`) is a range: say that it excludes, as `--sync` cannot rewrite it.
        exact = [lit for lit in pin.literals if lit.operator in ("==", "===") and not lit.text.endswith(".*")]
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
