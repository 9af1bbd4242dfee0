"""The release branches' cherry-pick rule, with no Pants import.

Every fix reaches a release branch `x.y` as a cherry-pick from main whose message ends, after one
blank line, with the trailers `Backported-From: main` and `Backported-To: x.y`. This module takes
the commits of one `git log` of the branch (every commit since the base, merged ones included,
read by `core/git/log.py` with the trailers `git interpret-trailers --parse` reads), and says which
commits break the rule, where in the message the lines are, and what git made of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AbstractSet
from collections.abc import Iterable, Sequence
from re import Pattern

from pants_calver.core.git import trailers
from pants_calver.core.git.log import Commit
from pants_calver.core.errors import SettingError
from pants_calver.core.problems import Problem
from pants_calver.core.releases.integrity import shown
from pants_calver.core.releases.provenance import (
    DEFAULT_FORMS,
    FROM_KEY,
    TO_KEY,
    Form,
    Provenance,
    accepted,
    how_to_backport,
    names_branch,
    names_main,
)
from pants_calver.core.versions.version import parse_branch

# A line that reads as a Backported-* trailer to a person, wherever it is (ASCII only: under
# IGNORECASE alone, the Kelvin sign would match `k`).
_BACKPORT_LINE = re.compile(r"[ \t]*(backported-(?:from|to))[ \t]*:", re.IGNORECASE | re.ASCII)


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
    # The provenance forms a backport may carry (`[check-backports].provenance`).
    forms: tuple[Form, ...] = DEFAULT_FORMS

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


def _line_list(numbers: Iterable[int]) -> str:
    """`line 3`, `lines 3-4`, `lines 3, 5-6`."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    text = ", ".join(f"{run[0]}" if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)
    return f"{'lines' if sum(map(len, runs)) > 1 else 'line'} {text}"


def check_commit(commit: Commit, rules: BackportRules) -> Problem | None:
    """What is wrong with one commit of the release branch, if anything: a problem in the commit
    (its sha and its subject as printed).

    With the spec's trailers accepted (the default), a commit whose trailers pass needs nothing
    else; one that carries another accepted form (`[check-backports].provenance`) passes too,
    and one that carries none is reported as the trailer rule says, or, with `trailers` not
    accepted, as carrying no accepted form. `patch-id` is no mark: the goal checks it after.
    """
    if rules.is_exempt(commit):
        return None
    message = _problem_message(commit, rules) if Form.trailers in rules.forms else None
    if Form.trailers in rules.forms and message is None:
        return None
    carried = set(Provenance.of(commit, rules.main_branch).forms()) - {Form.trailers}
    if carried & set(rules.forms):
        return None
    if message is None:
        message = "provenance-missing", (
            f"carries no accepted provenance ({accepted(rules.forms)}). Backport the commit of "
            f"{rules.main_branch} it comes from: "
            + how_to_backport(rules.forms, rules.main_branch, rules.branch, "<sha>")
        )
    return Problem.in_commit(commit.sha, shown(commit.subject), *message)


def _problem_message(commit: Commit, rules: BackportRules) -> tuple[str, str] | None:
    """The code and message of what is wrong, if anything."""
    from_values, to_values = commit.values(FROM_KEY), commit.values(TO_KEY)
    wanted = f"`Backported-From: {rules.main_branch}` and `Backported-To: {rules.branch}`"
    if not from_values and not to_values:
        unread = unread_backport_lines(commit.message, (FROM_KEY, TO_KEY))
        if unread:
            return "trailers-not-final", (
                f"has Backported-From/Backported-To lines that git does not read as trailers: {unread}. "
                f"End the message with {wanted}, after one blank line"
            )
        return "trailers-missing", (
            f"has no backport trailers: cherry-pick it from {rules.main_branch} with "
            f"`git cherry-pick -e` and end the message with {wanted}, after one blank line"
        )
    if not from_values:
        return _missing(commit, FROM_KEY, rules.main_branch)
    if not any(names_main(value, rules.main_branch) for value in from_values):
        return "from-not-main", (
            f"says `Backported-From: {shown(from_values[0])}`{_on_line(commit, FROM_KEY, from_values[0])}, "
            f"but fixes come from {rules.main_branch}"
        )
    if not to_values:
        return _missing(commit, TO_KEY, rules.branch)
    if not any(names_branch(value, parse_branch(rules.branch)) for value in to_values):
        return "to-other-branch", (
            f"says `Backported-To: {shown(to_values[0])}`{_on_line(commit, TO_KEY, to_values[0])}, "
            f"but this is release branch {rules.branch}"
        )
    return None


def _missing(commit: Commit, key: str, wanted: str) -> tuple[str, str]:
    unread = unread_backport_lines(commit.message, (key,))
    name = {FROM_KEY: "Backported-From", TO_KEY: "Backported-To"}[key]
    return "trailer-missing", f"has no `{name}: {wanted}` trailer" + (
        f" that git reads: {unread}" if unread else ""
    )


def _on_line(commit: Commit, key: str, value: str) -> str:
    """` on line N`: where the trailer with this key and value starts in the message."""
    lines = [
        t.line for t in trailers.read(commit.message).trailers if t.key.lower() == key and t.value == value
    ]
    return f" on line {lines[0]}" if lines else ""


def unread_backport_lines(message: str, keys: Sequence[str]) -> str:
    """Where the message's lines that look like a Backported-* trailer with one of `keys` are,
    among those git does not read as trailers, and what git made of them ("" when none)."""
    reading = trailers.read(message)
    read = {(t.key.lower(), t.line) for t in reading.trailers}
    unread = [
        number
        for number, line in enumerate(message.split("\n"), 1)
        for found in [_BACKPORT_LINE.match(line)]
        if found and found.group(1).lower() in keys and (found.group(1).lower(), number) not in read
    ]
    groups: dict[tuple[str, str, int], list[int]] = {}
    for number in unread:
        groups.setdefault(_why_unread(number, reading), []).append(number)
    return "; ".join(_clause(why, numbers, reading) for why, numbers in groups.items())


# What git made of a Backported-* line it does not read as a trailer, by the reason `_why_unread`
# gives: `at` is the line that decides (the `---`, the scissors, the trailer continued).
_CLAUSES = {
    "divider": "{lines} {come} after the `---` of line {at}, where git stops reading (it takes the rest for a patch)",
    "scissors": "{lines} {come} after the scissors line {at}, below which git reads nothing",
    "left-out": "{lines} {are} among what git leaves out at the end of a message (comments, a `Conflicts:` list)",
    "continuation": (
        "{lines} {start} with white space, so git reads {them} as part of the `{key}` trailer on line {at}"
    ),
    "text-in-trailers": "{lines} {start} with white space after a line that is no trailer, so git reads {them} as text",
    "subject": "{lines} {are} in the first paragraph, which git reads as the subject, never as trailers",
    "not-trailers": (
        "{lines} {are} in the last paragraph{last}, but git reads it as text, not trailers: {others} in it "
        "{no_trailers}, and git reads a paragraph as trailers only when every line is one (or a quarter are, "
        "one being `Signed-off-by:` or `(cherry picked from commit`)"
    ),
    "earlier": "{lines} {are} not in the last paragraph{last}, the only one git reads trailers from",
}


def _why_unread(number: int, reading: trailers.Reading) -> tuple[str, str, int]:
    """Why git does not read line `number` as a trailer: a `_CLAUSES` key, a trailer's key, a line."""
    if reading.divider is not None and number > reading.divider:
        return "divider", "", reading.divider
    if reading.scissors is not None and number > reading.scissors:
        return "scissors", "", reading.scissors
    if number > reading.end:
        return "left-out", "", 0
    if reading.block and reading.block[0] <= number <= reading.block[1]:
        above = [t for t in reading.trailers if t.line < number <= t.last]
        return ("continuation", above[0].key, above[0].line) if above else ("text-in-trailers", "", 0)
    if number <= reading.subject_end:
        return "subject", "", 0
    paragraph = reading.paragraph
    if paragraph and paragraph.first <= number <= paragraph.last:
        return "not-trailers", "", 0
    return "earlier", "", 0


def _clause(why: tuple[str, str, int], numbers: list[int], reading: trailers.Reading) -> str:
    """Where the lines `numbers` are and what git made of them, for the reason `why`."""
    paragraph, many = reading.paragraph, len(numbers) > 1
    others = paragraph.others if paragraph else ()
    return _CLAUSES[why[0]].format(
        lines=_line_list(numbers),
        are="are" if many else "is",
        come="come" if many else "comes",
        start="start" if many else "starts",
        them="them" if many else "it",
        key=why[1],
        at=why[2],
        last=f" ({_line_list(range(paragraph.first, paragraph.last + 1))})" if paragraph else "",
        others=_line_list(others),
        no_trailers="are not trailers" if len(others) > 1 else "is not a trailer",
    )


def check_commits(commits: Iterable[Commit], rules: BackportRules) -> list[Problem]:
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
