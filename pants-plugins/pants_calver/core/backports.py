"""The release branches' cherry-pick rule, with no Pants import.

Every fix reaches a release branch `x.y` as a cherry-pick from main whose message ends, after one
blank line, with the trailers `Backported-From: main` and `Backported-To: x.y`. Git parses the
trailers (`%(trailers)` of `git log`, the rules of `git interpret-trailers --parse`); this module
reads one `git log` of the branch (every commit since the base, merged ones included) and says
which commits break the rule, and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AbstractSet
from collections.abc import Iterable, Sequence
from re import Pattern

from pants_calver.core.errors import SettingError
from pants_calver.core.version import parse_branch

# One record per commit: short sha, subject, the trailers git parsed (unfolded), the raw message,
# then (from `--name-only -z`) the changed paths, NUL-separated.
LOG_FORMAT = "%x1e%h%x1f%s%x1f%(trailers:only,unfold)%x1f%B%x1f"

FROM_KEY = "backported-from"
TO_KEY = "backported-to"
_TRAILER_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s?(.*)$")
# A Backported-* line anywhere in a message, to tell "misplaced" from "missing".
_ANY_BACKPORT_LINE = re.compile(r"^\s*backported-(?:from|to)\s*:", re.IGNORECASE | re.MULTILINE)
# What `git rev-parse` prints for a commit: SHA-1 or SHA-256.
_COMMIT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def log_args(base_commit: str) -> list[str]:
    """The `git` arguments that print, for `parse_log`, every commit that HEAD has and
    `base_commit` (a full commit id, never a user's ref) has not, merge commits left out.

    Not only the first parents: the commits a merge brings in (a pull request's, in the merge
    commit that CI checks out) are on the branch as much as those committed on it. The
    topological order keeps the commits of each merged line of history together.
    """
    if not _COMMIT_ID.fullmatch(base_commit):
        raise ValueError(f"not a full commit id: {base_commit!r}")
    return [
        "log",
        "--no-merges",
        "--topo-order",
        "--no-renames",
        f"--format={LOG_FORMAT}",
        "--name-only",
        "-z",
        f"{base_commit}..HEAD",
        "--",
    ]


@dataclass(frozen=True)
class Commit:
    """A commit as `git log` shows it: trailers are `(key, value)` pairs as git parsed them."""

    sha: str
    subject: str
    trailers: tuple[tuple[str, str], ...]
    message: str
    paths: tuple[str, ...]

    def values(self, key: str) -> list[str]:
        """The values of a trailer, its key compared case-insensitively as git does."""
        return [value for name, value in self.trailers if name.lower() == key]


def parse_trailers(text: str) -> tuple[tuple[str, str], ...]:
    """The `key: value` lines of `%(trailers:only,unfold)`."""
    pairs = []
    for line in text.splitlines():
        match = _TRAILER_LINE.match(line)
        if match:
            pairs.append((match.group(1), match.group(2).strip()))
    return tuple(pairs)


def parse_log(output: str) -> tuple[Commit, ...]:
    """Split the output of `git <log_args(...)>` into commits, newest first."""
    commits = []
    for record in output.split("\x1e")[1:]:
        sha, subject, trailers, message, paths = record.split("\x1f", 4)
        commits.append(
            Commit(
                sha=sha,
                subject=subject,
                trailers=parse_trailers(trailers),
                message=message,
                paths=tuple(path for path in paths.lstrip("\x00\n").split("\x00") if path),
            )
        )
    return tuple(commits)


def glob_pattern(glob: str) -> Pattern[str]:
    """A path glob as Pants writes them: `**` crosses directories, `*` and `?` do not."""
    parts = re.split(r"(\*\*/?|\*|\?)", glob)
    translated = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(translated.get(part, re.escape(part)) for part in parts) + r"\Z")


@dataclass(frozen=True)
class BackportRules:
    """What a release branch's commits are held to.

    `release_files` are the files a release commit may change (the version files and the files
    holding first-party pins), besides those matching `release_globs`.
    """

    branch: str
    main_branch: str
    release_files: AbstractSet[str]
    release_globs: tuple[Pattern[str], ...] = ()
    exempt_subjects: tuple[Pattern[str], ...] = ()

    def is_release_commit(self, commit: Commit) -> bool:
        """A commit that changes only version files, pins and release paths (a changelog)."""
        return bool(commit.paths) and all(
            path in self.release_files or any(glob.match(path) for glob in self.release_globs)
            for path in commit.paths
        )

    def is_exempt(self, commit: Commit) -> bool:
        return self.is_release_commit(commit) or any(
            pattern.search(commit.subject) for pattern in self.exempt_subjects
        )


@dataclass(frozen=True)
class BackportProblem:
    """A commit that breaks the rule. `code` is stable, for machine-readable reports."""

    sha: str
    subject: str
    code: str
    message: str


def _names(value: str) -> str:
    """The first word of a trailer value: `main (24.09)` names `main`."""
    words = value.split()
    return words[0] if words else ""


def check_commit(commit: Commit, rules: BackportRules) -> BackportProblem | None:
    """What is wrong with one commit of the release branch, if anything."""
    if rules.is_exempt(commit):
        return None
    from_values, to_values = commit.values(FROM_KEY), commit.values(TO_KEY)
    wanted = f"`Backported-From: {rules.main_branch}` and `Backported-To: {rules.branch}`"

    def problem(code: str, message: str) -> BackportProblem:
        return BackportProblem(commit.sha, commit.subject, code, message)

    if not from_values and not to_values:
        if _ANY_BACKPORT_LINE.search(commit.message):
            return problem(
                "trailers-not-final",
                "has Backported-From/Backported-To lines that are not in the message's last "
                f"paragraph, so git does not read them as trailers: end the message with {wanted}, "
                "after one blank line",
            )
        return problem(
            "trailers-missing",
            f"has no backport trailers: cherry-pick it from {rules.main_branch} with "
            f"`git cherry-pick -e` and end the message with {wanted}, after one blank line",
        )
    if not from_values:
        return problem("trailer-missing", f"has no `Backported-From: {rules.main_branch}` trailer")
    if not any(_names(value) == rules.main_branch for value in from_values):
        return problem(
            "from-not-main",
            f"says `Backported-From: {from_values[0]}`, but fixes come from {rules.main_branch}",
        )
    if not to_values:
        return problem("trailer-missing", f"has no `Backported-To: {rules.branch}` trailer")
    target = parse_branch(rules.branch)
    if not any(parse_branch(_names(value)) == target for value in to_values):
        return problem(
            "to-other-branch",
            f"says `Backported-To: {to_values[0]}`, but this is release branch {rules.branch}",
        )
    return None


def check_commits(commits: Iterable[Commit], rules: BackportRules) -> list[BackportProblem]:
    """Every problem, in the order of `commits`."""
    return [problem for commit in commits for problem in [check_commit(commit, rules)] if problem]


def compile_patterns(option: str, patterns: Sequence[str]) -> tuple[Pattern[str], ...]:
    """Compile regexes from an option; raises SettingError naming the option and the pattern."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as e:
            raise SettingError(f"{option}: `{pattern}` is not a regular expression ({e})") from None
    return tuple(compiled)
