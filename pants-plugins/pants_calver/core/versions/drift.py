"""What makes a repo's versions disagree with the scheme, with no Pants import.

`check_repo` turns what the engine read (a `VersionedRepo`: file contents and pin scans) into a
list of problems, each with its file and line, a stable code, what was found and what to write
instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from packaging.utils import canonicalize_name

from pants_calver.core.versions import artifact_versions, extra_sources, pins
from pants_calver.core.errors import VersionError
from pants_calver.core.problems import Problem, in_file_order
from pants_calver.core.versions.version import (
    CalVersion,
    Scheme,
    VersionFile,
    check_display,
    off_release_branch,
)
from pants_calver.core.versions.versioned_repo import PackageFile, VersionedRepo

# Problems that `bump-version --sync` rewrites away.
FIXABLE_CODES = frozenset(
    {"version-not-display-form", "package-version-mismatch", "pin-not-normalized", "pin-excludes-version"}
)


def read_version(
    path: str, content: bytes | None, scheme: Scheme
) -> tuple[CalVersion | None, Problem | None]:
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


def own_versions(package_files: Iterable[PackageFile]) -> dict[str, tuple[CalVersion, str]]:
    """The version of each independent distribution that has a readable version file, by its
    PEP 503 name: the version and how its file spells it."""
    versions: dict[str, tuple[CalVersion, str]] = {}
    for package in package_files:
        if not package.independent:
            continue
        try:
            text = VersionFile.decode(package.content).text
            versions[str(canonicalize_name(package.distribution))] = (CalVersion.parse(text), text)
        except VersionError:
            continue  # Unreadable: its pins are only checked for spelling.
    return versions


def followed_versions(
    versioned: VersionedRepo, version: CalVersion | None, display: str | None
) -> dict[str, tuple[CalVersion, str]]:
    """The version each extra source follows (see `extra_sources.followed`): the root one, or an
    independent distribution's own, from its version file or else its `provides`/`[project]`
    version."""
    own = own_versions(versioned.package_files)
    for literal in (literal for file in versioned.artifact_files for literal in file.literals):
        if literal.independent and literal.key not in own:
            try:
                own[literal.key] = (CalVersion.parse(literal.text), literal.text)
            except VersionError:
                continue  # Reported by `artifact_versions.check`.
    root = (version, f"{versioned.version_file} has `{display}`") if version is not None else None
    shared = [d.key for d in versioned.distributions if not d.independent]
    return extra_sources.followed(root, own, shared)


def check_repo(
    versioned: VersionedRepo, scheme: Scheme, branch: str | None = None
) -> tuple[CalVersion | None, list[Problem]]:
    """Every problem in the repo, in file order, with the root version when it could be read.

    Its `artifact_files` are the files where distributions write their own version (`provides`,
    `[project] version`): see `pants_calver.core.versions.artifact_versions`."""
    version_path, version_content = versioned.version_file, versioned.version_content
    package_files, artifacts = versioned.package_files, versioned.artifact_files
    version, problem = read_version(version_path, version_content, scheme)
    problems: list[Problem] = [problem] if problem else []
    if version is not None and branch and off_release_branch(version, branch):
        shown = version.display(scheme)
        message = f"release branch {branch} takes only {branch}.* versions, but the version is {shown}"
        problems.append(Problem(version_path, 1, "branch-mismatch", message, shown, f"{branch}.*"))
    if version is not None:
        expected = version.display(scheme)
        problems += [
            problem
            for package in package_files
            # A link to the root version file (or a copy of it) agrees with it, whatever its spelling.
            if not package.independent and package.content != version_content
            for problem in [_package_problem(package, version_path, expected)]
            if problem
        ]
    own = own_versions(package_files)
    display = version.display(scheme) if version else None
    problems += artifact_versions.check(artifacts, version, version_path, display, own)
    problems += artifact_versions.twice(artifacts, [(p.distribution, p.path) for p in package_files])
    problems += extra_sources.check(
        versioned.extra_files, followed_versions(versioned, version, display), scheme
    )
    independent = versioned.independent_keys
    for scan in (source.scan for source in versioned.sources):
        problems.extend(scan.problems)
        problems += [p for pin in scan.pins for p in _pin_problems(pin, version, own, independent, scheme)]
    return version, in_file_order(problems)


def _package_problem(package: PackageFile, version_path: str, expected: str) -> Problem | None:
    """What is wrong with the version file of a distribution that shares the root version."""
    try:
        found = VersionFile.decode(package.content).text
    except VersionError as e:
        return Problem(
            package.path, 1, "package-version-mismatch", f"{e.message}; write `{expected}`", "", expected
        )
    if found == expected:
        return None
    return Problem(
        package.path,
        1,
        "package-version-mismatch",
        f"{package.distribution} has version `{found}`, but {version_path} has `{expected}`; "
        f"write `{expected}` or link it to {version_path}",
        found,
        expected,
    )


def _pin_problems(
    pin: pins.Pin,
    version: CalVersion | None,
    own: dict[str, tuple[CalVersion, str]],
    independent: frozenset,
    scheme: Scheme,
) -> list[Problem]:
    if pin.name in independent and pin.name in own:
        # A distribution with its own version: its pins are held to that version.
        own_version, own_text = own[pin.name]
        return pins.check_pin(pin, own_version.version, False, f"{own_text} (its own version)")
    # Without a readable version only the spelling of pins can be checked.
    return pins.check_pin(
        pin,
        version.version if version else None,
        pin.name in independent,
        version.display(scheme) if version else None,
    )
