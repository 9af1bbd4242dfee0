"""What makes a repo's versions disagree with the scheme, with no Pants import.

`check_repo` turns what the engine read (file contents and pin scans) into a list of problems, each
with its file and line, a stable code, what was found and what to write instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from packaging.utils import canonicalize_name

from pants_calver.core import pins
from pants_calver.core.version import (
    CalVersion,
    Scheme,
    VersionError,
    VersionFile,
    check_display,
    on_branch,
    parse_branch,
)

# Problems that `bump-version --sync` rewrites away.
FIXABLE_CODES = frozenset(
    {"version-not-display-form", "package-version-mismatch", "pin-not-normalized", "pin-excludes-version"}
)


@dataclass(frozen=True)
class Problem:
    """One disagreement with the scheme, at `path:line` (line 0 when it is about the whole file)."""

    path: str
    line: int
    code: str
    message: str
    found: str = ""
    expected: str = ""

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


def read_version(
    path: str, content: Optional[bytes], scheme: Scheme
) -> Tuple[Optional[CalVersion], Optional[Problem]]:
    """Read the root version file. A version with a wrong spelling is still returned, with a problem."""
    if content is None:
        return None, Problem(
            path,
            0,
            "version-file-missing",
            "the version file is missing; create it with the version in display form, e.g. `23.09.0`",
        )
    try:
        text = VersionFile.decode(content).text
        return check_display(text, scheme), None
    except VersionError as e:
        if e.expected is not None:
            return CalVersion.parse(text), Problem(
                path, 1, "version-not-display-form", e.message, text, e.expected
            )
        return None, Problem(path, 1, "version-invalid", e.message)


@dataclass(frozen=True)
class PackageFile:
    """A distribution's own version file; `is_link` when it is a link (which follows its target)."""

    path: str
    content: bytes
    distribution: str
    independent: bool
    is_link: bool = False


def own_versions(package_files: Iterable[PackageFile]) -> Dict[str, Tuple[CalVersion, str]]:
    """The version of each independent distribution that has a readable version file, by its
    PEP 503 name: the version and how its file spells it."""
    versions: Dict[str, Tuple[CalVersion, str]] = {}
    for package in package_files:
        if not package.independent:
            continue
        try:
            text = VersionFile.decode(package.content).text
            versions[str(canonicalize_name(package.distribution))] = (CalVersion.parse(text), text)
        except VersionError:
            continue  # Unreadable: its pins are only checked for spelling.
    return versions


def plural(count: int, word: str) -> str:
    """`1 pin`, `2 pins`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def check_repo(
    version_path: str,
    version_content: Optional[bytes],
    package_files: Sequence[PackageFile],
    scans: Iterable[pins.ScanResult],
    independent: frozenset,
    scheme: Scheme,
    branch: Optional[str] = None,
) -> Tuple[Optional[CalVersion], List[Problem]]:
    """Every problem in the repo, in file order, with the root version when it could be read."""
    version, problem = read_version(version_path, version_content, scheme)
    problems: List[Problem] = [problem] if problem else []

    if version is not None and branch:
        release_branch = parse_branch(branch)
        if release_branch is not None and not on_branch(version, release_branch):
            shown = version.display(scheme)
            message = f"release branch {branch} takes only {branch}.* versions, but the version is {shown}"
            problems.append(Problem(version_path, 1, "branch-mismatch", message, shown, f"{branch}.*"))

    for package in package_files:
        # A link to the root version file (or a copy of it) agrees with it, whatever its spelling.
        if package.independent or version is None or package.content == version_content:
            continue
        expected = version.display(scheme)
        try:
            found = VersionFile.decode(package.content).text
        except VersionError as e:
            problems.append(
                Problem(
                    package.path,
                    1,
                    "package-version-mismatch",
                    f"{e.message}; write `{expected}`",
                    "",
                    expected,
                )
            )
            continue
        if found != expected:
            problems.append(
                Problem(
                    package.path,
                    1,
                    "package-version-mismatch",
                    f"{package.distribution} has version `{found}`, but {version_path} has `{expected}`; "
                    f"write `{expected}` or link it to {version_path}",
                    found,
                    expected,
                )
            )

    own = own_versions(package_files)
    for scan in scans:
        problems.extend(Problem(e.path, e.line, "requirement-invalid", e.message) for e in scan.errors)
        for pin in scan.pins:
            if pin.name in independent and pin.name in own:
                # A distribution with its own version: its pins are held to that version.
                own_version, own_text = own[pin.name]
                checks = pins.check_pin(pin, own_version.version, False, f"{own_text} (its own version)")
            else:
                # Without a readable version only the spelling of pins can be checked.
                checks = pins.check_pin(
                    pin,
                    version.version if version else None,
                    pin.name in independent,
                    version.display(scheme) if version else None,
                )
            problems.extend(
                Problem(pin.path, pin.line, c.code, c.message, c.found, c.expected) for c in checks
            )

    return version, sorted(problems, key=lambda p: (p.path, p.line, p.code))
