"""The version files change only in release commits, with no Pants import.

In the range under test, a commit that changes the repo's version file or a distribution's is a
problem unless it is a release commit: its subject is one that `[bump-version].commit_message`
(or `cycle_message`, the commit that starts main's next cycle) makes, and it changes only what
check-backports lets a release commit change (`BackportRules.is_release_commit`: version files,
first-party pins, `[check-backports].release_paths`).
"""

from __future__ import annotations

import re
import string
from dataclasses import replace
from collections.abc import Callable, Iterable, Sequence, Set
from re import Pattern

from pants_calver.core.git.log import Commit
from pants_calver.core.problems import Problem
from pants_calver.core.releases.integrity import shown
from pants_calver.core.releases.plan import PLACEHOLDERS, fill

# What a placeholder of a release template stands for in a subject: a version, any spelling
# (`{old_version}` may be empty: the first release).
_VERSION_TEXT = r"[0-9][0-9A-Za-z.+!-]*"
_PLACEHOLDER = {"version": _VERSION_TEXT, "normalized": _VERSION_TEXT, "old_version": f"(?:{_VERSION_TEXT})?"}
assert set(_PLACEHOLDER) == set(PLACEHOLDERS)


def subject_pattern(option: str, template: str) -> Pattern[str]:
    """The subjects a commit-message template makes: its first line, with each placeholder
    standing for a version. Raises SettingError, naming the option, for a template bump-version
    would refuse."""
    fill(option, template, {name: "" for name in PLACEHOLDERS})
    subject = template.split("\n", 1)[0]
    pattern = "".join(
        re.escape(literal) + (_PLACEHOLDER[name] if name is not None else "")
        for literal, name, _, _ in string.Formatter().parse(subject)
    )
    return re.compile(pattern)


def _listed(paths: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(f"`{path}`" for path in paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def check_version_changes(
    commits: Iterable[Commit],
    version_files: Set[str],
    release_subjects: Sequence[Pattern[str]],
    is_release_commit: Callable[[Commit], bool],
) -> list[Problem]:
    """A finding for each commit that changes a version file and is not a release commit, in the
    order of `commits`."""
    findings = []
    for commit in commits:
        changed = [path for path in commit.paths if path in version_files]
        if not changed:
            continue
        by_subject = any(pattern.fullmatch(commit.subject) for pattern in release_subjects)
        if by_subject and is_release_commit(commit):
            continue
        others = [path for path in commit.paths if not is_release_commit(_only(commit, path))]
        why = []
        if not by_subject:
            why.append("its subject is not one bump-version writes (`[bump-version].commit_message`)")
        if others:
            why.append(f"it also changes {_listed(others)}")
        findings.append(
            Problem.in_commit(
                commit.sha,
                shown(commit.subject),
                "version-changed-outside-release",
                f"changes {_listed(changed)} but is no release commit: {' and '.join(why)}. "
                "Change the version only with `bump-version --commit` (revert this change, or split "
                "it from the rest)",
            )
        )
    return findings


def _only(commit: Commit, path: str) -> Commit:
    """The commit as if it changed `path` alone: asks the release-commit rule about one path."""
    return replace(commit, paths=(path,))
