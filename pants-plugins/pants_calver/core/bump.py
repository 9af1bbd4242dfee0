"""Planning a version bump, all or nothing, with no Pants import.

`plan_bump` turns what the engine read into the new bytes of every file to change, or into the
problems that stop the bump. `stale` tells which files on disk no longer hold the bytes a plan was
made from: before writing, to refuse; after a failed write, to know what to put back.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from pants_calver.core import pins
from pants_calver.core.sync import PackageFile, Problem, own_versions, plural
from pants_calver.core.version import CalVersion, Scheme, VersionError, VersionFile


@dataclass(frozen=True)
class FileChange:
    """New bytes for one file, and what the change is, for the report."""

    path: str
    old: bytes
    new: bytes
    what: str

    def diff(self) -> str:
        """A unified diff of the change, as `git diff` would show it."""
        return "".join(
            difflib.unified_diff(
                pins.decode(self.old).splitlines(keepends=True),
                pins.decode(self.new).splitlines(keepends=True),
                fromfile=f"a/{self.path}",
                tofile=f"b/{self.path}",
            )
        )


@dataclass(frozen=True)
class Source:
    """A requirement source as read, and the path of the file that holds its bytes: itself, or the
    target of a link (None for a target outside the repo)."""

    path: str
    scan: pins.ScanResult
    content: bytes
    real_path: Optional[str]


@dataclass(frozen=True)
class BumpPlan:
    """The version before (as the version file spells it; None when unreadable), the version
    after, and either the changes that get there or the problems that stop it."""

    old: Optional[str]
    new: CalVersion
    changes: Tuple[FileChange, ...] = ()
    problems: Tuple[Problem, ...] = ()


def _new_version_file(content: Optional[bytes], display: str) -> bytes:
    """`display` with the line ending the file had (LF for a new or unreadable file)."""
    try:
        newline = VersionFile.decode(content).newline if content else "\n"
    except VersionError:
        newline = "\n"
    return VersionFile(display, newline).encode()


def plan_bump(
    new: CalVersion,
    old_text: Optional[str],
    version_path: str,
    version_content: Optional[bytes],
    package_files: Sequence[PackageFile],
    sources: Sequence[Source],
    independent: frozenset,
    scheme: Scheme,
    sync: bool,
) -> BumpPlan:
    """Plan every edit that moves the repo to `new`.

    `old_text` is the version file's current text (None when unreadable). A package version file
    that is a regular file holding `old_text` is rewritten; one holding anything else is only
    rewritten with `sync`, and is a problem otherwise. Pins follow `pins.plan_pin`.
    """
    display = new.display(scheme)
    changes: List[FileChange] = []
    problems: List[Problem] = []

    new_version_file = _new_version_file(version_content, display)
    if version_content is not None and new_version_file != version_content:
        changes.append(FileChange(version_path, version_content, new_version_file, "version file"))

    for package in package_files:
        if package.independent or package.is_link:
            continue
        try:
            found: Optional[str] = VersionFile.decode(package.content).text
        except VersionError:
            found = None
        if found == display:
            continue
        if found != old_text and not sync:
            holds = (
                f"has version `{found}`, not {version_path}'s `{old_text}`"
                if found is not None
                else f"has a version file that cannot be read (it should hold {version_path}'s `{old_text}`)"
            )
            problems.append(
                Problem(
                    package.path,
                    1,
                    "package-version-mismatch",
                    f"{package.distribution} {holds}; fix it by hand or run with --sync first",
                    found or "",
                    old_text or "",
                )
            )
            continue
        changes.append(
            FileChange(
                package.path, package.content, _new_version_file(package.content, display), "version file"
            )
        )

    # Sources reached through links are edited once, at the file that holds their bytes.
    by_real_path: Dict[str, Source] = {}
    for source in sources:
        problems.extend(Problem(e.path, e.line, "requirement-invalid", e.message) for e in source.scan.errors)
        path = source.real_path
        if path is None:
            problems.append(
                Problem(
                    source.path,
                    0,
                    "link-outside-repo",
                    "is a link to a file outside the repo; edit it by hand",
                )
            )
            continue
        by_real_path.setdefault(path, source)
    own = own_versions(package_files)
    for path, source in sorted(by_real_path.items()):
        edits: List[pins.Edit] = []
        for pin in source.scan.pins:
            if sync and pin.name in independent and pin.name in own:
                # `--sync` moves exact pins on a distribution with its own version to that version.
                plan = pins.plan_pin(pin, own[pin.name][0].version, False)
            else:
                plan = pins.plan_pin(pin, new.version, pin.name in independent)
            if plan.problem:
                problems.append(Problem(pin.path, pin.line, "pin-cannot-follow", plan.problem))
            edits.extend(plan.edits)
        if edits:
            text = pins.apply_edits(pins.decode(source.content), edits)
            count = len({(e.line, e.start) for e in edits})
            changes.append(FileChange(path, source.content, pins.encode(text), plural(count, "pin")))

    return BumpPlan(old_text, new, tuple(changes), tuple(sorted(problems, key=lambda p: (p.path, p.line))))


def stale(changes: Sequence[FileChange], current: Mapping[str, Optional[bytes]]) -> List[str]:
    """The paths whose bytes on disk are no longer what the plan was made from."""
    return [change.path for change in changes if current.get(change.path) != change.old]
