"""Extra version sources (`[calver].version_sources`): read, checked and planned over plain
bytes, with no Pants import.

`read` places every site of one declared file: each match of a text pattern, or each key's string
value (its format's editor in `formats/`, held to the format's parser). What cannot be placed is
a failure, never dropped: a missing file, a glob that matches nothing, a pattern or a key that
matches nothing, a value the editor cannot rewrite exactly. `check` holds each site to its
version in the declared form; `plan` gives the edits that move it, only ever the version's own
characters, and holds a structured file's rewrite to its parser once more.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable, Mapping, Sequence

from packaging.utils import canonicalize_name

from pants_calver.core.problems import Problem
from pants_calver.core.text import Edit, apply_edits, decode
from pants_calver.core.versions.formats import key_path, text_pattern
from pants_calver.core.versions.formats.key_path import UNMATCHED, UNPLACEABLE, Unplaced, line_of
from pants_calver.core.versions.source_specs import EDITORS, OPTION, SourceSpec, values
from pants_calver.core.versions.version import CalVersion, Scheme

MISSING = "version-source-missing"
MISMATCH = "version-source-mismatch"
UNVERSIONED = "version-source-unversioned"
# Problems that `bump-version --sync` rewrites away.
FIXABLE_CODES = frozenset({MISMATCH})


@dataclass(frozen=True)
class Site:
    """One place a source holds a version: what reports call it, the template it is held to, what
    it holds (the matched text of a pattern, the value of a key), and the spans to rewrite (a
    pattern's placeholders: start, end, name; a key's literal: start, end, its quote)."""

    line: int
    what: str
    template: str
    found: str
    spans: tuple[tuple[int, int, str], ...]
    key: tuple[str, ...] = ()
    # What each placeholder of a pattern holds (the literal text between may end its lines otherwise).
    parts: tuple[str, ...] = ()

    def holds(self, wanted: Mapping[str, str]) -> bool:
        """Whether the site holds the version whose placeholders read `wanted`."""
        if self.key:
            return self.found == text_pattern.render(self.template, wanted)
        return self.parts == tuple(wanted[name] for _, _, name in self.spans)


@dataclass(frozen=True)
class Failure:
    """A declared pattern or key that cannot be checked: `message` says why and what to do."""

    line: int
    code: str
    what: str
    template: str
    message: str


@dataclass(frozen=True)
class ExtraFile:
    """One file of a declared source (content None: missing; for a glob, `path` is the glob),
    and what was placed in it."""

    path: str
    content: bytes | None
    spec: SourceSpec
    sites: tuple[Site, ...] = ()
    failures: tuple[Failure, ...] = ()

    @property
    def distribution(self) -> str:
        """The PEP 503 name of the distribution it follows; "" for the repo's version."""
        return str(canonicalize_name(self.spec.distribution)) if self.spec.distribution else ""


def _templates(spec: SourceSpec) -> list[tuple[str, str]]:
    """(what reports call it, its template) for each pattern or key of `spec`."""
    if spec.patterns:
        return [(f"the pattern `{p}`", p) for p in spec.patterns]
    return [(f"`{key}`", spec.value) for key in spec.keys]


def read(spec: SourceSpec, path: str, content: bytes | None) -> ExtraFile:
    """Place every site of `spec` in one file (`content` None: the file, or for a glob any file,
    is missing)."""
    if content is None:
        why = f"no file matches `{path}`" if spec.is_glob else "the file is missing"
        fix = f"create it, or remove `{spec.files}` from {OPTION}"
        # One problem for the file, naming every pattern or key it should hold (and what they
        # should read when they share one template).
        whats, templates = zip(*_templates(spec))
        template = templates[0] if len(set(templates)) == 1 else ""
        failure = Failure(0, MISSING, " and ".join(whats), template, f"{why}; {fix}")
        return ExtraFile(path, None, spec, (), (failure,))
    text = decode(content)
    if spec.patterns:
        sites, failures = _pattern_sites(spec, text)
    else:
        sites, failures = _key_sites(spec, path, text)
    return ExtraFile(path, content, spec, tuple(sites), tuple(failures))


def _pattern_sites(spec: SourceSpec, text: str) -> tuple[list[Site], list[Failure]]:
    sites, failures = [], []
    for what, pattern in _templates(spec):
        matches = text_pattern.find(text, pattern)
        if not matches:
            fix = f"write it there, or fix the pattern in {OPTION}"
            failures.append(Failure(0, UNMATCHED, what, pattern, f"no text in the file matches it; {fix}"))
        for match in matches:
            found = text[match.start : match.end]
            parts = tuple(text[start:end] for start, end, _ in match.placeholders)
            sites.append(
                Site(line_of(text, match.start), what, pattern, found, match.placeholders, (), parts)
            )
    return sites, failures


def _key_sites(spec: SourceSpec, path: str, text: str) -> tuple[list[Site], list[Failure]]:
    fmt = spec.format_of(path)
    if fmt not in EDITORS:
        message = f"its format cannot be told from its name; give `format` (toml, yaml or json) in {OPTION}"
        return [], [Failure(0, key_path.UNREADABLE, what, t, message) for what, t in _templates(spec)]
    sites, failures = [], []
    for (what, template), key in zip(_templates(spec), spec.keys):
        segments = key_path.parse_key(key) or ()
        placed = EDITORS[fmt].place(text, segments)
        if isinstance(placed, Unplaced):
            line = line_of(text, placed.offset) if placed.offset else 0
            failures.append(Failure(line, placed.code, what, template, placed.message))
        else:
            span = ((placed.start, placed.end, placed.quote),)
            sites.append(Site(line_of(text, placed.start), what, template, placed.value, span, segments))
    return sites, failures


def _failure_problem(file: ExtraFile, failure: Failure, target: CalVersion | None, scheme: Scheme) -> Problem:
    expected = (
        text_pattern.render(failure.template, values(target, scheme)) if target and failure.template else ""
    )
    head = f"{failure.what} should read `{expected}`, but " if expected else f"{failure.what}: "
    return Problem(file.path, failure.line, failure.code, head + failure.message, "", expected)


def unversioned(file: ExtraFile) -> Problem:
    """A source that follows a distribution with no version to hold it to."""
    message = (
        f"its distribution `{file.spec.distribution}` has no version that can be read; give it a "
        f"version file, or fix `distribution` of `{file.spec.files}` in {OPTION}"
    )
    return Problem(file.path, 0, UNVERSIONED, message)


def check(
    files: Sequence[ExtraFile], versions: Mapping[str, tuple[CalVersion, str]], scheme: Scheme
) -> list[Problem]:
    """Every problem of the declared sources. `versions` gives the version each follows and how
    reports name where it comes from (`VERSION has `23.09.6``): "" for the repo's version, the
    PEP 503 name of an independent distribution for its own; a source whose version is not there
    (an unreadable version file, reported apart) is checked for what can be placed alone."""
    problems = []
    for file in files:
        target, source = versions.get(file.distribution, (None, ""))
        if target is None and file.distribution:
            problems.append(unversioned(file))
        problems += [_failure_problem(file, failure, target, scheme) for failure in file.failures]
        if target is None:
            continue
        wanted = values(target, scheme)
        for site in file.sites:
            expected = text_pattern.render(site.template, wanted)
            if not site.holds(wanted):
                message = f"{site.what} reads `{site.found}`, but {source}; write `{expected}`"
                problems.append(Problem(file.path, site.line, MISMATCH, message, site.found, expected))
    return problems


def _offset_edit(text: str, start: int, end: int, new: str) -> Edit:
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    return Edit(line_of(text, start), start - line_start, end - line_start, new)


def _site_edits(text: str, site: Site, wanted: Mapping[str, str], fmt: str) -> list[Edit]:
    """The edits that make `site` read its template with `wanted`: a pattern's placeholders
    whose text changes, or a key's whole literal."""
    if not site.key:
        return [
            _offset_edit(text, start, end, wanted[name])
            for start, end, name in site.spans
            if text[start:end] != wanted[name]
        ]
    start, end, quote = site.spans[0]
    return [
        _offset_edit(
            text, start, end, EDITORS[fmt].literal(text_pattern.render(site.template, wanted), quote)
        )
    ]


def _held(site: Site, was: str | None, source: str, path: str) -> Problem:
    """A site that a bump would move though it does not hold the version before."""
    holds = f"reads `{site.found}`, not `{was}` ({source})" if was else f"reads `{site.found}`, and {source}"
    message = f"{site.what} {holds}; fix it by hand or run with --sync first"
    return Problem(path, site.line, MISMATCH, message, site.found, was or "")


def plan(
    file: ExtraFile, new: CalVersion, old: CalVersion | None, scheme: Scheme, sync: bool, source: str
) -> tuple[list[Edit], list[Problem]]:
    """The edits that move one file's sites to `new`, or the problems that stop them.

    A site holding `old` (`source` says where that comes from) in its declared form moves; one
    holding anything else moves only with `sync`. What cannot be placed stops the bump."""
    problems = [_failure_problem(file, failure, new, scheme) for failure in file.failures]
    if file.content is None:
        return [], problems
    text, fmt = decode(file.content), file.spec.format_of(file.path)
    edits: list[Edit] = []
    changed: dict[tuple[str, ...], str] = {}
    wanted, before = values(new, scheme), values(old, scheme) if old else None
    for site in file.sites:
        was = text_pattern.render(site.template, before) if before else None
        if site.holds(wanted):
            continue
        if not sync and not (before and site.holds(before)):
            problems.append(_held(site, was, source, file.path))
            continue
        edits += _site_edits(text, site, wanted, fmt)
        if site.key:
            changed[site.key] = text_pattern.render(site.template, wanted)
    if changed and not key_path.same_except(EDITORS[fmt].load, text, apply_edits(text, edits), changed):
        message = (
            f"rewriting {', '.join(f'`{key_path.show_key(k)}`' for k in changed)} would change what the "
            f"{fmt.upper()} parser reads elsewhere, or not as a string; quote the value, or edit it by hand"
        )
        line = min(site.line for site in file.sites if site.key in changed)
        problems.append(Problem(file.path, line, UNPLACEABLE, message))
        edits = []
    return sorted(set(edits), key=lambda e: (e.line, e.start)), problems


def followed(
    root: tuple[CalVersion, str] | None, own: Mapping[str, tuple[CalVersion, str]], shared: Iterable[str]
) -> dict[str, tuple[CalVersion, str]]:
    """The version each source follows, by the PEP 503 name its `distribution` gives ("" for
    none), with how reports name where it comes from: the repo's version (`root`) for "" and
    every distribution that shares it, its own for an independent one (`own`: its version and
    how its file spells it)."""
    versions = {key: (version, f"{key} has `{text}`") for key, (version, text) in own.items()}
    if root is not None:
        versions.update({key: root for key in ["", *shared]})
    return versions
