"""What a first-party version pin is, how it is checked, and how it follows a new version, with no
Pants import.

A *pin* is a requirement on a first-party distribution, found by the format scanners of
`pants_calver.core.versions.formats` in a requirements file (as pip reads it), a BUILD file's
`python_requirement`, a pyproject.toml `[project]` table or a setup.cfg `[options]` section. Each pin
knows where every version literal of its specifier stands (line and columns), so that a rewrite
changes those characters and nothing else in the file. A first-party requirement installed from a
URL or a path has no specifier to follow: it is reported (`pin-unsyncable`), never a pin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from collections.abc import Iterable, Sequence
from typing import Optional, Tuple

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pants_calver.core.versions import formats
from pants_calver.core.versions.formats.found import Located
from pants_calver.core.versions.formats.requirements_txt import PipRequirement
from pants_calver.core.problems import Problem, unreadable
from pants_calver.core.text import Edit


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
    literals: tuple[VersionLiteral, ...]
    hashed: bool = False


@dataclass(frozen=True)
class ScanResult:
    """What one file holds: its first-party pins, what cannot be read, and the files it includes."""

    pins: tuple[Pin, ...] = ()
    problems: tuple[Problem, ...] = ()
    includes: tuple[str, ...] = ()


# --- From requirement strings to pins ---------------------------------------------------------------

# A first-party requirement installed from a URL or a path: its version is not a specifier.
PIN_UNSYNCABLE = "pin-unsyncable"

_NAME = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*")
_CLAUSE = re.compile(r"(===|==|~=|!=|<=|>=|<|>)\s*([^\s,;()]+)")


def _literals(located: Located, region: tuple[int, int]) -> tuple[VersionLiteral, ...]:
    """Each clause of the specifier at `region` of the text whose version stands in one piece in the
    file (a version split by a continuation or a line break does not)."""
    literals = []
    for clause in _CLAUSE.finditer(located.text, *region):
        start, end = clause.span(2)
        line, column = located.positions[start]
        end_line, end_column = located.positions[end - 1]
        if end_line != line or end_column - column != end - 1 - start:
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
    # Scan without a byte-order mark, then put its column back on line 1.
    bom = text.startswith("\ufeff")
    found = formats.find(path, text[1:] if bom else text)
    names = frozenset(first_party)
    pins: list[Pin] = []
    problems = list(found.problems)
    for item in found.requirements:
        pin = _pin(path, item, names, bom)
        if isinstance(pin, Pin):
            pins.append(pin)
        elif pin is not None:
            problems.append(pin)
    return ScanResult(tuple(pins), tuple(problems), found.includes)


# What a requirement is, for a pin: the name it installs, whether it comes from a URL or a path, its
# specifier, and where the specifier stands in its text.
_Read = Tuple[str, bool, Optional[SpecifierSet], Tuple[int, int]]


def _read(path: str, item: Located) -> _Read | Problem:
    """A requirement as its format's tool reads it: pip's own reading for requirements files (done
    by the scanner), packaging's for the other formats."""
    if isinstance(item, PipRequirement):
        return item.name or "", item.direct, _specifier([item.specifier]), item.span
    try:
        requirement = Requirement(item.text)
    except (InvalidRequirement, InvalidSpecifier, ValueError, RecursionError) as e:
        # packaging raises InvalidSpecifier for some clauses, ValueError for some URLs, and
        # RecursionError for deeply nested markers.
        reason = "nested too deeply" if isinstance(e, RecursionError) else e
        return unreadable(path, item.line, f"cannot parse requirement `{item.text}`: {reason}")
    head = _NAME.match(item.text)
    start = head.end() if head else 0
    end = item.text.find(";", start)
    return (
        requirement.name,
        bool(requirement.url),
        requirement.specifier,
        (start, len(item.text) if end < 0 else end),
    )


def _pin(path: str, item: Located, names: frozenset, bom: bool) -> Pin | Problem | None:
    """The pin a requirement text is, why it cannot be one, or None when it is not first-party."""
    read = _read(path, item)
    if isinstance(read, Problem):
        return read
    written, direct, specifier, region = read
    name = canonicalize_name(written)
    if name not in names:
        return None
    if direct:
        return Problem(
            path,
            item.line,
            PIN_UNSYNCABLE,
            f"`{item.text}` installs {written} from a URL or a path, so its version can be neither checked "
            f"nor rewritten; require it by version instead (`{written}==...`)",
            item.text,
        )
    literals = _literals(item, region)
    not_versions = [lit.text for lit in literals if not _is_version(lit.text)]
    if not_versions:
        # A placeholder or a variable (`${VERSION}`) is not a version: never check or rewrite it.
        return unreadable(
            path,
            item.line,
            f"`{item.text}`: `{not_versions[0]}` is not a version, so this pin can be neither checked nor "
            "rewritten; write the version, or edit the pin by hand",
        )
    if specifier is None or _specifier([f"{lit.operator}{lit.text}" for lit in literals]) != specifier:
        # The tool reads a clause the scanner cannot place (split by a `\` continuation, or an
        # arbitrary `===` string holding a comma): it cannot be rewritten safely.
        return unreadable(
            path,
            item.line,
            f"`{item.text}`: cannot place every version of this requirement in the file, so it "
            "cannot be rewritten; write it on one line, or edit it by hand",
        )
    if bom:
        literals = tuple(
            replace(lit, start=lit.start + 1, end=lit.end + 1) if lit.line == 1 else lit for lit in literals
        )
    return Pin(path, item.line, name, item.text, literals, item.hashed)


def _specifier(clauses: Sequence[str]) -> SpecifierSet | None:
    try:
        return SpecifierSet(",".join(clauses))
    except InvalidSpecifier:
        return None


def check_pin(
    pin: Pin, version: Version | None, independent: bool, shown: str | None = None
) -> list[Problem]:
    """What is wrong with one pin: literals not in normalized form, and (unless the distribution
    keeps its own version, or `version` is unknown) a specifier that excludes `version`.

    `shown` is the version as the version file spells it, for messages.
    """
    problems = [
        Problem(
            pin.path,
            pin.line,
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
            Problem(
                pin.path,
                pin.line,
                "pin-invalid",
                f"`{pin.requirement}` has an invalid specifier",
                pin.requirement,
                str(version),
            )
        )
    elif not specifier.contains(version, prereleases=True):
        # A wildcard (`==23.3.*`) is a range: say that it excludes, as `--sync` cannot rewrite it.
        exact = [lit for lit in pin.literals if lit.operator in ("==", "===") and not lit.text.endswith(".*")]
        if len(pin.literals) == 1 and exact:
            message = f"`{pin.requirement}` pins {exact[0].normalized()}, but the version is {shown}; write `{version}`"
        else:
            message = f"`{pin.requirement}` excludes the version {shown}"
        problems.append(
            Problem(pin.path, pin.line, "pin-excludes-version", message, str(specifier), str(version))
        )
    return problems


@dataclass(frozen=True)
class PinPlan:
    """The edits that move one pin to a new version, or why it cannot move."""

    edits: tuple[Edit, ...] = ()
    problem: Problem | None = None


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
            return _cannot_follow(pin, f"`{pin.requirement}` would not admit {target}; change it by hand")
    if edits and pin.hashed:
        return _cannot_follow(
            pin, f"`{pin.requirement}` carries `--hash` options, which cannot follow a new version"
        )
    return PinPlan(tuple(edits))


def _cannot_follow(pin: Pin, message: str) -> PinPlan:
    return PinPlan(problem=Problem(pin.path, pin.line, "pin-cannot-follow", message))
