"""The rules of branch and tag names, with no Pants import.

The release process: `x.y` is a release branch, `x.y.z` a release tag, and feature branches are
named so that they differ from both. So a branch named like a version (`23.09.1`, `24.03.0rc1`)
or like an existing tag is a problem, and so is a branch named `x.y` whose head does not hold an
`x.y.*` version (a feature branch in disguise). Every version-like tag must be the display form
of a valid version (through `[bump-version].tag_name`, default `{version}`), and point at a
commit whose version file holds exactly that version.
"""

from __future__ import annotations

import re
import string
from collections.abc import Set
from re import Pattern

from pants_calver.core.errors import VersionError
from pants_calver.core.git.refs import Ref
from pants_calver.core.problems import Problem
from pants_calver.core.releases.plan import PLACEHOLDERS, fill
from pants_calver.core.versions.version import CalVersion, Scheme, VersionFile, parse_branch

# A name that reads as a version to a person, well spelled or not: `23.09.8.rc1`, `v24.03.0dev0`.
# One character per repetition: with `[0-9A-Za-z]+` after the optional separator, a long run of
# letters could be split in exponentially many ways before a later `/x` failed the match.
_VERSION_LIKE = r"[vV]?[0-9]+\.[0-9]+(?:[.+_-]?[0-9A-Za-z])*"
_RELEASE_NUMBERS = re.compile(r"[vV]?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?")


def version_like_tags(template: str) -> Pattern[str]:
    """The tag names `[bump-version].tag_name` makes, misspelled versions included: the
    template with its placeholder standing for anything that reads as a version (one group)."""
    fill("[bump-version].tag_name", template, {name: "" for name in PLACEHOLDERS})
    parts = list(string.Formatter().parse(template))
    if [name for _, name, _, _ in parts if name is not None] not in (["version"], ["normalized"]):
        return re.compile(r"(?!)")  # no version in the name, or more than one: no tag is checked
    pattern = "".join(
        re.escape(literal) + (f"({_VERSION_LIKE})" if name else "") for literal, name, _, _ in parts
    )
    return re.compile(pattern)


def release_numbers(text: str) -> tuple[int, int, int] | None:
    """The `x.y.z` numbers a version-like text starts with (`z` 0 when absent), for `tags_since`."""
    found = _RELEASE_NUMBERS.match(text)
    if not found:
        return None
    return int(found.group(1)), int(found.group(2)), int(found.group(3) or 0)


def _version_in(data: bytes | None) -> tuple[str | None, CalVersion | None, str]:
    """The version file's text, its version, or why there is none."""
    if data is None:
        return None, None, "has no version file"
    try:
        text = VersionFile.decode(data).text
        return text, CalVersion.parse(text), ""
    except VersionError as e:
        return None, None, f"has a version file that holds no version ({e})"


def check_branch(
    ref: Ref, tags: Set[str], head_file: bytes | None, version_file: str, scheme: Scheme
) -> list[Problem]:
    """What is wrong with a branch's name (`head_file`: the version file at its head, if any)."""
    name, shown = ref.name, ref.shown
    try:
        CalVersion.parse(name)
        return [
            Problem(
                "",
                0,
                "branch-named-like-tag",
                f"branch {shown} is named like a release tag (x.y.z): rename the branch so that it differs from "
                "release tags and release branches (`git branch -m`)",
            )
        ]
    except VersionError:
        pass
    if name in tags:
        return [
            Problem(
                "",
                0,
                "branch-named-like-tag",
                f"branch {shown} has the name of tag {name}: git reads `{name}` as either, and warns that it is "
                "ambiguous. Rename the branch (`git branch -m`)",
            )
        ]
    release = parse_branch(name)
    if release is None:
        return []
    text, version, why = _version_in(head_file)
    if version is not None and version.branch == release:
        return []
    said = f"holds version {text}" if version is not None else why
    return [
        Problem(
            "",
            0,
            "branch-disguised",
            f"branch {shown} is named like release branch {name}, but its head {said} in `{version_file}`, not a "
            f"{name}.* version: a feature branch in disguise. Rename it so that it differs from "
            "release branches (`git branch -m`)",
        )
    ]


def check_tag(
    ref: Ref,
    version_text: str,
    tag_template: str,
    file_at_tag: bytes | None,
    version_file: str,
    scheme: Scheme,
) -> list[Problem]:
    """What is wrong with a version-like tag (`version_text`: the part that reads as a version;
    `file_at_tag`: the version file at the commit it points at): its spelling, then what it
    points at."""
    name = ref.name
    try:
        version = CalVersion.parse(version_text)
    except VersionError as e:
        return [
            Problem(
                "", 0, "tag-not-a-version", f"tag {name} reads as a version but is none: {e}. Delete the tag"
            )
        ]
    display = version.display(scheme)
    expected = fill("[bump-version].tag_name", tag_template, _values(version, scheme))
    problems = []
    if name != expected:
        message = (
            f"tag {name} is not spelled as the version {display} is: write `{expected}` "
            f"(`git tag {expected} {name}^{{}}`, then delete `{name}`)"
        )
        problems.append(Problem("", 0, "tag-misspelled", message, found=name, expected=expected))
    if ref.commit is None:
        message = f"tag {name} points at a {ref.points_at}, not a commit: delete it"
        return [*problems, Problem("", 0, "tag-not-on-commit", message)]
    found = _tag_content(name, ref.commit[:12], version, display, file_at_tag, version_file)
    return [*problems, *found]


def _tag_content(
    name: str, short: str, version: CalVersion, display: str, file_at_tag: bytes | None, version_file: str
) -> list[Problem]:
    """What is wrong with the version file at the commit a tag points at (`short`)."""
    text, held, why = _version_in(file_at_tag)
    if held is None:
        message = (
            f"tag {name} points at {short}, which {why} (`{version_file}`): tag the release commit instead"
        )
        return [Problem("", 0, "tag-version-mismatch", message, expected=display)]
    if held != version:
        message = (
            f"tag {name} points at {short}, whose `{version_file}` holds {text}, not {display}: "
            f"move the tag to the release commit of {display}"
        )
        return [Problem("", 0, "tag-version-mismatch", message, found=text or "", expected=display)]
    if text != display:
        message = (
            f"tag {name} points at {short}, whose `{version_file}` spells {display} as `{text}`: the "
            f"release was made with a misspelled version file; spell it `{display}` from now on"
        )
        return [Problem("", 0, "tag-version-misspelled", message, found=text or "", expected=display)]
    return []


def _values(version: CalVersion, scheme: Scheme) -> dict[str, str]:
    return {"version": version.display(scheme), "normalized": version.normalized(), "old_version": ""}


def tags_to_check(
    tags: tuple[Ref, ...], pattern: Pattern[str], since: tuple[int, int, int] | None
) -> tuple[tuple[tuple[Ref, str], ...], int]:
    """The version-like tags to check, each with the part that reads as a version, and how many
    were left out for being older than `since` (`[check-release-branch].tags_since`'s numbers,
    compared as numbers, so `23.09.6` is older than `25.1.0` whatever the padding)."""
    checked, older = [], 0
    for ref in tags:
        found = pattern.fullmatch(ref.name)
        if not found:
            continue
        numbers = release_numbers(found.group(1))
        if since is not None and numbers is not None and numbers < since:
            older += 1
            continue
        checked.append((ref, found.group(1)))
    return tuple(checked), older
