"""Every extra version source of a repo (`[calver].version_sources`): read from the files the
engine found, counted, and planned for a bump by the file that holds their bytes, with no Pants
import. One file's sources are `pants_calver.core.versions.extra_sources`' business."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pants_calver.core.problems import Problem
from pants_calver.core.repo_paths import glob_pattern
from pants_calver.core.text import Edit
from pants_calver.core.versions.drift import followed_versions
from pants_calver.core.versions.extra_sources import ExtraFile, plan, read, unversioned
from pants_calver.core.versions.formats.key_path import UNPLACEABLE
from pants_calver.core.versions.source_specs import OPTION, SourceSpec
from pants_calver.core.versions.version import CalVersion, Scheme
from pants_calver.core.versions.versioned_repo import Links, VersionedRepo
from pants_calver.core.errors import VersionError


def read_all(specs: Sequence[SourceSpec], contents: Mapping[str, bytes]) -> tuple[ExtraFile, ...]:
    """Every declared source, from the files read for them (`contents`: each declared path that
    exists, and every file a glob matched). A glob that matches nothing is one missing source."""
    files = []
    for spec in specs:
        if not spec.is_glob:
            files.append(read(spec, spec.files, contents.get(spec.files)))
            continue
        pattern = glob_pattern(spec.files)
        matched = sorted(path for path in contents if pattern.match(path))
        files += [read(spec, path, contents[path]) for path in matched] or [read(spec, spec.files, None)]
    return tuple(files)


def plan_all(
    files: Sequence[ExtraFile],
    targets: Mapping[str, tuple[CalVersion, CalVersion | None, str]],
    scheme: Scheme,
    sync: bool,
) -> tuple[dict[str, list[Edit]], list[Problem]]:
    """The edits of every declared source, by path, or the problems that stop them. `targets`
    gives, by the name a source follows (see `followed`), the version to move to, the version
    before and where that comes from; a source of an independent distribution moves to its own
    version, which the bump leaves as it is."""
    by_path: dict[str, set[Edit]] = {}
    problems: list[Problem] = []
    for file in files:
        if file.distribution not in targets:
            problems.append(unversioned(file))
            continue
        new, old, source = targets[file.distribution]
        edits, found = plan(file, new, old, scheme, sync, source)
        problems += found
        by_path.setdefault(file.path, set()).update(edits)
    planned = {}
    for path, unique in by_path.items():
        ordered, clashes = merge(path, [(SOURCE, unique)])
        problems += clashes
        if ordered and not clashes:
            planned[path] = ordered
    return planned, problems


# What `merge` calls the edits of the declared version sources.
SOURCE = "a version source"


def merge(path: str, groups: Sequence[tuple[str, Iterable[Edit]]]) -> tuple[list[Edit], list[Problem]]:
    """One file's edits from every planner (`groups`: what each rewrites, such as `a pin`, with its
    edits), in order: an edit planned twice is made once, and two that rewrite the same text
    otherwise are a problem at their line, which stops the bump (applying both corrupts the file)."""
    labelled: dict[Edit, str] = {}
    for what, edits in groups:
        for edit in edits:
            labelled.setdefault(edit, what)
    ordered = sorted(labelled, key=lambda e: (e.line, e.start, e.end, e.new))
    problems = []
    for a, b in zip(ordered, ordered[1:]):
        if a.line == b.line and b.start < a.end:
            problems.append(Problem(path, b.line, UNPLACEABLE, _clash(labelled[a], labelled[b])))
    return ordered, problems[:1]


def _clash(a: str, b: str) -> str:
    if a == b == SOURCE:
        return f"two entries of {OPTION} rewrite the same text otherwise; keep one"
    if SOURCE in (a, b):
        other = b if a == SOURCE else a
        return f"the text is already rewritten as {other}; remove its entry from {OPTION}"
    return f"the text is rewritten both as {a} and as {b}; edit it by hand"


def bump_edits(
    versioned: VersionedRepo, new: CalVersion, old_text: str | None, links: Links, scheme: Scheme, sync: bool
) -> tuple[dict[str, list[Edit]], list[Problem]]:
    """The edits of every declared source for a bump to `new` (`old_text`: the version file's text,
    None when unreadable), by the path of the file that holds their bytes, or the problems that
    stop them."""
    try:
        old = CalVersion.parse(old_text) if old_text is not None else None
    except VersionError:
        old = None
    path = versioned.version_file
    source = f"{path} has `{old_text}`" if old is not None else f"{path} cannot be read"
    shared = {"", *(d.key for d in versioned.distributions if not d.independent)}
    targets: dict[str, tuple[CalVersion, CalVersion | None, str]] = {
        key: (version, version, where)
        for key, (version, where) in followed_versions(versioned, old, old_text).items()
        if key not in shared
    }
    targets.update({key: (new, old, source) for key in shared})
    planned, problems = plan_all(versioned.extra_files, targets, scheme, sync)
    by_real_path: dict[str, set[Edit]] = {}
    for file_path, edits in planned.items():
        real_path = links.real_path(file_path)
        if real_path is None:
            message = "is a link to a file outside the repo; edit it by hand"
            problems.append(Problem(file_path, 0, "link-outside-repo", message))
        else:
            by_real_path.setdefault(real_path, set()).update(edits)
    return {p: sorted(e, key=lambda e: (e.line, e.start)) for p, e in by_real_path.items()}, problems


def describe(edits: Sequence[Edit]) -> str:
    """How the bump's report counts what it rewrote in one file: `2 version sources` (the lines)."""
    lines = len({edit.line for edit in edits})
    return f"{lines} version source{'' if lines == 1 else 's'}"
