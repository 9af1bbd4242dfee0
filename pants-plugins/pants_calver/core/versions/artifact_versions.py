"""The versions distributions write themselves, the standard Pants way, with no Pants import.

Pants documents `python_distribution(provides=python_artifact(name=..., version="1.2.3"))`, and a
distribution built from its own `pyproject.toml` takes its `[project] version`. Each such string
literal is a version source of its distribution: held to the root version in normalized form (an
independent distribution to its own version), and moved by `bump-version` byte for byte. What
Pants read from the BUILD file (and a TOML parser from `pyproject.toml`) is the oracle: a literal
is a source only when the characters placed in the file read as exactly that value; anything else
is reported, never guessed.
"""

from __future__ import annotations

import tokenize
from dataclasses import dataclass, replace
from collections.abc import Iterable, Mapping, Sequence

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pants_calver.core.versions.formats import build_file, pyproject
from pants_calver.core.versions.formats.found import Located
from pants_calver.core.problems import Problem, plural
from pants_calver.core.text import Edit, decode
from pants_calver.core.versions.version import CalVersion

PROVIDES = "provides"
PYPROJECT = "pyproject"
# How reports and counts name each kind of literal.
KIND_NAMES = {PROVIDES: "provides version", PYPROJECT: "[project] version"}

MISMATCH = "distribution-version-mismatch"
NOT_NORMALIZED = "distribution-version-not-normalized"
INVALID = "distribution-version-invalid"
UNREADABLE = "distribution-version-unreadable"
TWICE = "distribution-version-twice"
# Problems that `bump-version --sync` rewrites away.
FIXABLE_CODES = frozenset({MISMATCH, NOT_NORMALIZED})


@dataclass(frozen=True)
class Declared:
    """A distribution whose version a file may set and, for a BUILD file, the `version` of its
    `provides` as Pants read it: the string, or the repr of another value (None: not given)."""

    name: str
    key: str
    independent: bool
    provides: str | None = None
    provides_is_text: bool = True


@dataclass(frozen=True)
class Literal:
    """A distribution's version, written as one string literal and placed: columns `start:end` of
    line `line` (1-based) hold `text`."""

    path: str
    line: int
    start: int
    end: int
    text: str
    distribution: str
    key: str
    independent: bool
    kind: str

    @property
    def what(self) -> str:
        return f"{self.distribution}'s {KIND_NAMES[self.kind]}"


@dataclass(frozen=True)
class ArtifactFile:
    """A BUILD file or a distribution's pyproject.toml that sets distribution versions: its bytes,
    whose versions it may set, the literals placed in it, and what cannot be read exactly."""

    path: str
    content: bytes
    kind: str
    declared: tuple[Declared, ...]
    literals: tuple[Literal, ...] = ()
    problems: tuple[Problem, ...] = ()


def read(path: str, content: bytes, kind: str, declared: Sequence[Declared]) -> ArtifactFile:
    """Place the version literals of the `declared` distributions in a BUILD file (`PROVIDES`) or
    a pyproject.toml (`PYPROJECT`), or report why they cannot be placed."""
    text = decode(content)
    # Read without a byte-order mark, then put its column back on line 1.
    bom = text.startswith("\ufeff")
    reader = _read_build if kind == PROVIDES else _read_pyproject
    literals, problems = reader(path, text[1:] if bom else text, declared)
    if bom:
        literals = [replace(x, start=x.start + 1, end=x.end + 1) if x.line == 1 else x for x in literals]
    return ArtifactFile(path, content, kind, tuple(declared), tuple(literals), tuple(problems))


def _literal(path: str, d: Declared, place: Located, kind: str) -> Literal:
    line, start = place.positions[0]
    return Literal(path, line, start, start + len(place.text), place.text, d.name, d.key, d.independent, kind)


def _read_build(path: str, text: str, declared: Sequence[Declared]) -> tuple[list[Literal], list[Problem]]:
    try:
        calls = build_file.find_artifacts(text)
    except (tokenize.TokenError, SyntaxError) as e:
        return [], [Problem(path, 1, UNREADABLE, f"cannot read this BUILD file: {e}; fix its syntax")]
    literals: list[Literal] = []
    problems: list[Problem] = []
    for d in declared:
        if d.provides is None:
            continue
        found = _match(path, d, [call for call in calls if call.name == d.name])
        if isinstance(found, Literal):
            literals.append(found)
        else:
            problems.append(found)
    return literals, problems


def _match(path: str, d: Declared, calls: Sequence[build_file.ArtifactCall]) -> Literal | Problem:
    """The literal of `d`'s `provides` version, when the one call that names it holds, as one
    plain string, exactly what Pants read; otherwise why not, and what to write."""
    call = calls[0] if len(calls) == 1 else None
    line = (call.version_line or call.line) if call else (calls[0].line if calls else 0)
    read_as = f"`{d.provides}`" if d.provides_is_text else f"{d.provides}, which is not a string"
    wanted = f'version="{d.provides if d.provides_is_text else "x.y.z"}"'
    if not calls:
        why = f'no `python_artifact(name="{d.name}", ...)` with a plain string name stands in this file'
        fix = f'write `python_artifact(name="{d.name}", {wanted})` here'
    elif call is None:
        why, fix = (
            f'`python_artifact(name="{d.name}", ...)` stands {len(calls)} times in this file',
            "keep one",
        )
    elif call.version is None or not call.version.text:
        why, fix = "the version there is not one plain string literal", f"write it as {wanted}"
    elif not d.provides_is_text or call.version.text != d.provides:
        why, fix = f"the string literal there reads `{call.version.text}`", f"write it as {wanted}"
    else:
        return _literal(path, d, call.version, PROVIDES)
    return Problem(
        path,
        line,
        UNREADABLE,
        f"{d.name}: Pants reads the version {read_as} from `provides`, but {why}, so it can be neither "
        f"checked nor rewritten; {fix}",
    )


def _read_pyproject(
    path: str, text: str, declared: Sequence[Declared]
) -> tuple[list[Literal], list[Problem]]:
    found = pyproject.find_version(text)
    if found.value is None:  # No version, `dynamic = ["version"]`, or not TOML (`find` reports that).
        return [], []
    owners = [d for d in declared if len(declared) == 1 or canonicalize_name(found.name or "") == d.key]
    names = " or ".join(d.name for d in declared)
    read_as = f"`{found.value}`" if found.is_text else f"{found.value}, which is not a string"
    if found.dynamic:
        why = "`dynamic` lists it too, which PEP 621 forbids; remove one of them"
    elif len(owners) != 1:
        why = f"it cannot be told whose it is ({names}); set `[project] name` to one of them"
    elif not found.is_text or found.literal is None or not found.literal.text:
        why = (
            "it cannot be placed, so it can be neither checked nor rewritten; "
            'write `version = "x.y.z"` on one line under `[project]`'
        )
    else:
        return [_literal(path, owners[0], found.literal, PYPROJECT)], []
    return [], [Problem(path, found.line, UNREADABLE, f"`[project] version` reads {read_as}, but {why}")]


def twice(files: Sequence[ArtifactFile], version_files: Iterable[tuple[str, str]]) -> list[Problem]:
    """A distribution whose version is set in more than one place: `provides`, `[project]
    version`, its version file (`version_files`: each distribution name with its version file)."""
    places: dict[str, list[tuple[str, int, str]]] = {}
    names: dict[str, str] = {}
    for file in sorted(files, key=lambda f: (f.kind != PROVIDES, f.path)):
        for d, line in _setters(file):
            names[d.key] = d.name
            where = f"{file.path}:{line}" if line else file.path
            places.setdefault(d.key, []).append((file.path, line, f"its {KIND_NAMES[file.kind]} ({where})"))
    for name, path in version_files:
        key = canonicalize_name(name)
        if key in places:
            places[key].append((path, 1, f"its version file ({path})"))
    return [
        Problem(
            found[0][0],
            found[0][1],
            TWICE,
            f"{names[key]}'s version is set in {len(found)} places: "
            f"{', '.join(what for _, _, what in found)}; keep only one of them",
        )
        for key, found in sorted(places.items())
        if len(found) > 1
    ]


def _setters(file: ArtifactFile) -> list[tuple[Declared, int]]:
    """The distributions whose version a file sets, each with its literal's line (0 when it
    cannot be placed)."""
    placed = {literal.key: literal.line for literal in file.literals}
    if file.kind == PYPROJECT:
        return [(d, placed[d.key]) for d in file.declared if d.key in placed]
    return [(d, placed.get(d.key, 0)) for d in file.declared if d.provides is not None]


def _parsed(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def check(
    files: Sequence[ArtifactFile],
    version: CalVersion | None,
    version_path: str,
    shown: str | None,
    own: Mapping[str, tuple[CalVersion, str]],
) -> list[Problem]:
    """Every problem of the distribution versions in `files`: what cannot be read, and literals
    that do not hold their version in normalized form. `version` is the root version (None when
    unreadable; `shown` as its file spells it), `own` the versions of independent distributions
    that have a version file."""
    problems = [problem for file in files for problem in file.problems]
    for literal in (literal for file in files for literal in file.literals):
        if literal.independent and literal.key in own:
            target, source = own[literal.key][0], f"its own version is `{own[literal.key][1]}`"
        elif not literal.independent and version is not None:
            target, source = version, f"{version_path} has `{shown}`"
        else:  # Without a version to hold it to, only its spelling is checked.
            target, source = None, ""
        problems.extend(_check_literal(literal, target, source))
    return problems


def _check_literal(literal: Literal, target: CalVersion | None, source: str) -> list[Problem]:
    found = _parsed(literal.text)
    place = (literal.path, literal.line)
    if target is not None and found != target.version:
        expected = target.normalized()
        message = f"{literal.what} is `{literal.text}`, but {source}; write `{expected}`"
        return [Problem(*place, MISMATCH, message, literal.text, expected)]
    if found is None:
        message = f"{literal.what} `{literal.text}` is not a version; write the version, e.g. `24.3.1`"
        return [Problem(*place, INVALID, message, literal.text)]
    if str(found) != literal.text:
        message = f"{literal.what} `{literal.text}` is not normalized, write `{found}`"
        return [Problem(*place, NOT_NORMALIZED, message, literal.text, str(found))]
    return []


def plan(
    file: ArtifactFile, new: CalVersion, old_text: str | None, version_path: str, sync: bool
) -> tuple[list[Edit], list[Problem]]:
    """The edits that move the literals of one file to `new`, or why they cannot move.

    A literal of a distribution that shares the version and holds the old one (in any spelling)
    gets `new`, normalized; one holding anything else only with `sync`, and is a problem
    otherwise. A literal of an independent distribution is only normalized (one that also has a
    version file is set twice, which `twice` reports). What cannot be read stops the bump.
    """
    edits: list[Edit] = []
    problems = list(file.problems)
    old = _parsed(old_text) if old_text is not None else None
    for literal in file.literals:
        found = _parsed(literal.text)
        if literal.independent:
            wanted = str(found) if found is not None else ""
        else:
            wanted = new.normalized() if sync or (found is not None and found == old) else ""
        if not wanted:
            problems.append(_cannot_move(literal, old_text, version_path))
        elif wanted != literal.text:
            edits.append(Edit(literal.line, literal.start, literal.end, wanted))
    return edits, problems


def _cannot_move(literal: Literal, old_text: str | None, version_path: str) -> Problem:
    if literal.independent:
        message = f"{literal.what} `{literal.text}` is not a version; write the version, e.g. `24.3.1`"
        return Problem(literal.path, literal.line, INVALID, message, literal.text)
    message = (
        f"{literal.what} is `{literal.text}`, not {version_path}'s `{old_text}`; "
        "fix it by hand or run with --sync first"
        if old_text is not None
        else f"{literal.what} is `{literal.text}`, and {version_path} cannot be read; run with --sync first"
    )
    return Problem(literal.path, literal.line, MISMATCH, message, literal.text, old_text or "")


def describe(edits: Sequence[Edit], file: ArtifactFile | None) -> list[str]:
    """What the edits of a file's literals change, for the bump's report: `1 provides version`,
    `1 [project] version`."""
    edited = {(e.line, e.start) for e in edits}
    literals = file.literals if file else ()
    kinds = [literal.kind for literal in literals if (literal.line, literal.start) in edited]
    return [plural(kinds.count(kind), KIND_NAMES[kind]) for kind in (PROVIDES, PYPROJECT) if kind in kinds]


def rewritten(file: ArtifactFile, content: bytes) -> ArtifactFile:
    """The file read again after a plan rewrote its literals (and nothing else): each provides
    version is held to the literal now written in its call, as Pants would read it."""
    if file.kind != PROVIDES:
        return read(file.path, content, file.kind, file.declared)
    placed = {literal.key: literal for literal in file.literals}
    text = decode(content)
    calls = build_file.find_artifacts(text[1:] if text.startswith("\ufeff") else text)
    now = {call.name: call.version.text for call in calls if call.version is not None}
    declared = [
        replace(d, provides=now.get(d.name, d.provides)) if d.key in placed else d for d in file.declared
    ]
    return read(file.path, content, file.kind, declared)
