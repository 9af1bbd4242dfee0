"""Planning a version bump, all or nothing, with no Pants import.

`make_plan` turns what the engine read and what the command asks for into the new bytes of every
file to change, or into the problems that stop the bump. `stale` tells which files on disk no longer
hold the bytes a plan was made from: before writing, to refuse; after a failed write, to know what
to put back.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from collections.abc import Mapping, Sequence

from pants_calver.core.versions import artifact_versions, extra_sources, pins, repo_sources
from pants_calver.core.versions.artifact_versions import ArtifactFile
from pants_calver.core.versions.extra_sources import ExtraFile
from pants_calver.core.errors import CommandError, VersionError
from pants_calver.core.problems import Problem, plural
from pants_calver.core.versions.drift import own_versions
from pants_calver.core.text import Edit, apply_edits, decode, encode
from pants_calver.core.versions.version import CalVersion, NextKind, Scheme, VersionFile
from pants_calver.core.versions.versioned_repo import Links, PackageFile, SourceFile, VersionedRepo


@dataclass(frozen=True)
class FileChange:
    """New bytes for one file, and what the change is, for the report."""

    path: str
    old: bytes
    new: bytes
    what: str

    def diff(self) -> str:
        """A unified diff of the change, as `git diff` would show it; bytes that are not UTF-8
        are shown escaped (`\\xe9`), so that the diff prints whatever the file's encoding. A last
        line with no line end is marked as git marks it."""
        lines = difflib.unified_diff(
            _printable(self.old).splitlines(keepends=True),
            _printable(self.new).splitlines(keepends=True),
            fromfile=f"a/{self.path}",
            tofile=f"b/{self.path}",
        )
        ended = ("\n", "\r")
        return "".join(
            line if line.endswith(ended) else f"{line}\n\\ No newline at end of file\n" for line in lines
        )


def _printable(data: bytes) -> str:
    return data.decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class BumpPlan:
    """The version before (as the version file spells it; None when unreadable), the version
    after, and either the changes that get there or the problems that stop it."""

    old: str | None
    new: CalVersion
    changes: tuple[FileChange, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class BumpRequest:
    """What the command asks for: exactly one of `to`, `next` and `sync`."""

    to: str | None = None
    next: NextKind | None = None
    sync: bool = False


def target_version(request: BumpRequest, current: CalVersion | None, scheme: Scheme) -> CalVersion:
    """The version the command asks for; raises `CommandError` for a bad command."""
    modes = [
        flag
        for flag, given in (("--to", request.to), ("--next", request.next), ("--sync", request.sync))
        if given
    ]
    if len(modes) != 1:
        said = " and ".join(modes) if modes else "none"
        raise CommandError(f"give exactly one of --to=VERSION, --next=KIND or --sync (got {said}).")
    try:
        if request.to:
            return CalVersion.parse(request.to)
        if current is None:
            raise CommandError("the version file is unreadable: fix it first, or give --to=VERSION.")
        if request.next:
            return current.next(request.next, scheme)
        return current
    except VersionError as e:
        raise CommandError(f"{e.message}.") from None


def make_plan(versioned: VersionedRepo, request: BumpRequest, scheme: Scheme, links: Links) -> BumpPlan:
    """Plan the bump the command asks for; raises `CommandError` for what stops it outright."""
    if versioned.version_content is None:
        raise CommandError(
            f"{versioned.version_file}: the version file is missing; create it with the current version."
        )
    try:
        old_text: str | None = VersionFile.decode(versioned.version_content).text
        current: CalVersion | None = CalVersion.parse(old_text or "")
    except VersionError as e:
        if not request.to:
            raise CommandError(
                f"{versioned.version_file}:1: {e.message}; fix it, or give --to=VERSION."
            ) from None
        old_text, current = None, None
    new = target_version(request, current, scheme)
    return plan_bump(versioned, new, old_text, links, scheme, sync=request.sync)


def plan_cycle(versioned: VersionedRepo, released: BumpPlan, scheme: Scheme, links: Links) -> BumpPlan:
    """The bump from the release just planned to the next cycle's `.dev0`, planned on the bytes
    the release writes."""
    written = {change.path: change.new for change in released.changes}
    return plan_bump(
        _as_written(versioned, written, links),
        released.new.next(NextKind.cycle, scheme),
        released.new.display(scheme),
        links,
        scheme,
        sync=False,
    )


def _as_written(versioned: VersionedRepo, written: Mapping[str, bytes], links: Links) -> VersionedRepo:
    """The repo as a release that wrote `written` leaves it, for the next cycle's plan: each file
    the bump rewrites that the release wrote (at the file that holds its bytes) is read again and
    scanned anew for pins, those that set distribution versions and held no pin among them."""

    def now(path: str) -> bytes | None:
        real_path = links.real_path(path)
        return None if real_path is None else written.get(real_path)

    def reread(source: SourceFile, content: bytes | None) -> SourceFile:
        if content is None:
            return source
        return replace(source, content=content, scan=pins.scan(source.path, decode(content), first_party))

    def reread_artifact(file: ArtifactFile, content: bytes | None) -> ArtifactFile:
        return file if content is None else artifact_versions.rewritten(file, content)

    def reread_extra(file: ExtraFile, content: bytes | None) -> ExtraFile:
        return file if content is None else extra_sources.read(file.spec, file.path, content)

    first_party = versioned.first_party
    return replace(
        versioned,
        version_content=written.get(versioned.version_file, versioned.version_content),
        package_files=tuple(
            replace(p, content=written.get(p.path, p.content)) for p in versioned.package_files
        ),
        sources=tuple(reread(source, now(source.path)) for source in _sources(versioned)),
        artifact_files=tuple(reread_artifact(file, now(file.path)) for file in versioned.artifact_files),
        extra_files=tuple(
            reread_extra(file, now(file.path) if file.content is not None else None)
            for file in versioned.extra_files
        ),
    )


def _sources(versioned: VersionedRepo) -> list[SourceFile]:
    """The files to rewrite but version files: the requirement sources, then the files that set
    distribution versions and are no requirement source."""
    paths = {source.path for source in versioned.sources}
    return [
        *versioned.sources,
        *(
            SourceFile(f.path, f.content, pins.ScanResult())
            for f in versioned.artifact_files
            if f.path not in paths
        ),
    ]


def plan_bump(
    versioned: VersionedRepo, new: CalVersion, old_text: str | None, links: Links, scheme: Scheme, sync: bool
) -> BumpPlan:
    """Plan every edit that moves the repo to `new`.

    `old_text` is the version file's current text (None when unreadable). A package version file
    that is a regular file holding `old_text` is rewritten (a link follows the file it names); one
    holding anything else is only rewritten with `sync`, and is a problem otherwise. Pins follow
    `pins.plan_pin`.
    """
    display = new.display(scheme)
    version_path, version_content = versioned.version_file, versioned.version_content
    changes: list[FileChange] = []
    problems: list[Problem] = []
    new_version_file = _new_version_file(version_content, display)
    if version_content is not None and new_version_file != version_content:
        changes.append(FileChange(version_path, version_content, new_version_file, "version file"))
    for package in versioned.package_files:
        if not package.independent and not links.is_link(package.path):
            change = _package_change(package, display, old_text, version_path, sync)
            if isinstance(change, FileChange):
                changes.append(change)
            elif change is not None:
                problems.append(change)
    pin_changes, pin_problems = _pin_changes(new, versioned, links, scheme, sync, (old_text, version_path))
    problems += artifact_versions.twice(
        versioned.artifact_files, [(p.distribution, p.path) for p in versioned.package_files]
    )
    return BumpPlan(
        old_text,
        new,
        tuple(changes + pin_changes),
        tuple(sorted(problems + pin_problems, key=lambda p: (p.path, p.line))),
    )


def _new_version_file(content: bytes | None, display: str) -> bytes:
    """`display` with the line ending the file had (LF for a new or unreadable file)."""
    try:
        newline = VersionFile.decode(content).newline if content else "\n"
    except VersionError:
        newline = "\n"
    return VersionFile(display, newline).encode()


def _package_change(
    package: PackageFile, display: str, old_text: str | None, version_path: str, sync: bool
) -> FileChange | Problem | None:
    """The rewrite of a regular version file of a distribution that shares the version, or why
    it is not rewritten (None when it holds the new version already)."""
    try:
        found: str | None = VersionFile.decode(package.content).text
    except VersionError:
        found = None
    if found == display:
        return None
    if found != old_text and not sync:
        holds = (
            f"has version `{found}`, not {version_path}'s `{old_text}`"
            if found is not None
            else f"has a version file that cannot be read (it should hold {version_path}'s `{old_text}`)"
        )
        return Problem(
            package.path,
            1,
            "package-version-mismatch",
            f"{package.distribution} {holds}; fix it by hand or run with --sync first",
            found or "",
            old_text or "",
        )
    return FileChange(
        package.path, package.content, _new_version_file(package.content, display), "version file"
    )


def _pin_changes(
    new: CalVersion,
    versioned: VersionedRepo,
    links: Links,
    scheme: Scheme,
    sync: bool,
    old: tuple[str | None, str],
) -> tuple[list[FileChange], list[Problem]]:
    """The rewrite of every file holding pins, distribution versions or declared version sources
    (`old`: the version file's text and path). Files reached through links are edited once, at
    the file that holds their bytes."""
    problems: list[Problem] = []
    by_real_path: dict[str, SourceFile] = {}
    for source in _sources(versioned):
        problems.extend(source.scan.problems)
        real_path = links.real_path(source.path)
        if real_path is None:
            message = "is a link to a file outside the repo; edit it by hand"
            problems.append(Problem(source.path, 0, "link-outside-repo", message))
        else:
            by_real_path.setdefault(real_path, source)
    artifacts = {file.path: file for file in versioned.artifact_files}
    own, independent = own_versions(versioned.package_files), versioned.independent_keys
    extra, extra_problems = repo_sources.bump_edits(versioned, new, old[0], links, scheme, sync)
    problems.extend(extra_problems)
    # A declared source that holds no pin: its bytes, at the file that holds them.
    for file in versioned.extra_files:
        real_path = links.real_path(file.path) if file.content is not None else None
        if real_path in extra and real_path not in by_real_path:
            by_real_path[real_path] = SourceFile(file.path, file.content or b"", pins.ScanResult())
    changes = []
    for path, source in sorted(by_real_path.items()):
        edits, pin_problems = _pin_edits(source, new, own, independent, sync)
        problems.extend(pin_problems)
        artifact = artifacts.get(source.path)
        literal_edits, literal_problems = (
            artifact_versions.plan(artifact, new, *old, sync) if artifact else ([], [])
        )
        problems.extend(literal_problems)
        source_edits = extra.get(path, [])
        groups = [
            ("a pin", edits),
            ("the distribution version", literal_edits),
            (repo_sources.SOURCE, source_edits),
        ]
        merged, clashes = repo_sources.merge(path, groups)
        problems.extend(clashes)
        if merged and not clashes:
            text = apply_edits(decode(source.content), merged)
            count = len({(e.line, e.start) for e in edits})
            what = [plural(count, "pin")] if edits else []
            what += artifact_versions.describe(literal_edits, artifact)
            what += [repo_sources.describe(source_edits)] if source_edits else []
            changes.append(FileChange(path, source.content, encode(text), ", ".join(what)))
    return changes, problems


def _pin_edits(
    source: SourceFile,
    new: CalVersion,
    own: Mapping[str, tuple[CalVersion, str]],
    independent: frozenset,
    sync: bool,
) -> tuple[list[Edit], list[Problem]]:
    """The edits that move the pins of one file to `new`, and why the pins that cannot move
    cannot."""
    edits: list[Edit] = []
    problems: list[Problem] = []
    for pin in source.scan.pins:
        if sync and pin.name in independent and pin.name in own:
            # `--sync` moves exact pins on a distribution with its own version to that version.
            plan = pins.plan_pin(pin, own[pin.name][0].version, False)
        else:
            plan = pins.plan_pin(pin, new.version, pin.name in independent)
        problems.extend([plan.problem] if plan.problem else [])
        edits.extend(plan.edits)
    return edits, problems


def stale(changes: Sequence[FileChange], current: Mapping[str, bytes | None]) -> list[str]:
    """The paths whose bytes on disk are no longer what the plan was made from."""
    return [change.path for change in changes if current.get(change.path) != change.old]
