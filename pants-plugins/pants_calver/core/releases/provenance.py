"""Where a release branch's commit came from, as its message says, with no Pants import.

A backport can carry its provenance in five forms, and a repo says which it accepts
(`[check-backports].provenance`; both check-backports and check-release-branch read it):

- `trailers`, the release process's: `Backported-From: main` and `Backported-To: x.y` trailers
  (read as `git interpret-trailers --parse` reads them). They do not name the commit, so the
  counterpart of a commit on main is the branch's commit with those trailers and the same subject,
  which `git cherry-pick -e` keeps.
- `cherry-picked`: the `(cherry picked from commit <full id>)` line `git cherry-pick -x` writes.
- `backport-of`: a `Backport-of:` trailer whose value starts with the commit's id (7 hex digits
  or more) or its pull request (`#1234`).
- `pr-number`: the original pull request's number among those that end the subject, before the
  last (the commit's own), as GitHub's squash merge of a backport pull request writes it:
  `fix: x (#1234) (#1240)`. A plain cherry-pick, which keeps one `(#1234)`, does not carry it.
- `patch-id`: the same change, by `git patch-id --stable`, with no mark at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from collections.abc import Sequence

from pants_calver.core.git.objects import COMMIT_ID
from pants_calver.core.errors import SettingError
from pants_calver.core.git.log import Commit
from pants_calver.core.versions.version import parse_branch


class Form(Enum):
    trailers = "trailers"
    cherry_picked = "cherry-picked"
    backport_of = "backport-of"
    pr_number = "pr-number"
    patch_id = "patch-id"


DEFAULT_FORMS = (Form.trailers,)
FROM_KEY, TO_KEY, BACKPORT_OF_KEY = "backported-from", "backported-to", "backport-of"
# What separates the branch names of a trailer value (`Backported-To: 23.03, 23.09`, a request
# `Backport: 23.09 22.09`): commas and ASCII white space.
_WORD_SEPARATORS = re.compile(r"[,\s]+", re.ASCII)
# As git's sequencer writes it (`cherry_picked_prefix` and the full id), a whole line.
_CHERRY_PICKED = re.compile(rf"^\(cherry picked from commit ({COMMIT_ID.pattern})\)$", re.MULTILINE)
# The `(#N)` groups that end a subject, GitHub's mark of a squash-merged pull request.
_PR_TAIL = re.compile(r"(?:[ \t]*\(#[0-9]+\))+[ \t]*\Z")
_PR = re.compile(r"\(#([0-9]+)\)")
_BACKPORT_OF = re.compile(r"(?:#([0-9]+)|([0-9a-f]{7,64}))(?![0-9A-Za-z])")


def parse_forms(option: str, values: Sequence[str]) -> tuple[Form, ...]:
    """The forms an option lists, in its order, each once; raises SettingError naming the option."""
    known = {form.value: form for form in Form}
    forms = []
    for value in values:
        if value not in known:
            raise SettingError(
                f"{option}: `{value}` is not a provenance form; use any of {', '.join(known)}."
            )
        forms.append(known[value])
    if not forms:
        raise SettingError(f"{option}: no form is accepted; list at least one, such as `trailers`.")
    return tuple(dict.fromkeys(forms))


def cherry_picked_from(message: str) -> tuple[str, ...]:
    """The commit ids of the `(cherry picked from commit <id>)` lines in a message, in order."""
    return tuple(_CHERRY_PICKED.findall(message))


def pr_numbers(subject: str) -> tuple[int, ...]:
    """The pull request numbers that end a subject: `fix: x (#1234) (#1240)` gives (1234, 1240)."""
    tail = _PR_TAIL.search(subject)
    return tuple(int(n) for n in _PR.findall(tail.group(0))) if tail else ()


def own_pr(subject: str) -> int | None:
    """The pull request a squash-merged commit on main came from: the last `(#N)` of its subject."""
    numbers = pr_numbers(subject)
    return numbers[-1] if numbers else None


@dataclass(frozen=True)
class Provenance:
    """What a commit's message says about where it came from."""

    from_main: bool
    cherry_picked: tuple[str, ...]
    backport_of_commits: tuple[str, ...]
    backport_of_prs: tuple[int, ...]
    prs: tuple[int, ...]

    @classmethod
    def of(cls, commit: Commit, main_branch: str) -> Provenance:
        commits, prs = [], []
        for value in commit.values(BACKPORT_OF_KEY):
            found = _BACKPORT_OF.match(value.strip())
            if found and found.group(1):
                prs.append(int(found.group(1)))
            elif found:
                commits.append(found.group(2))
        return cls(
            from_main=any(names_main(value, main_branch) for value in commit.values(FROM_KEY)),
            cherry_picked=cherry_picked_from(commit.message),
            backport_of_commits=tuple(commits),
            backport_of_prs=tuple(prs),
            # Its own pull request's number is the last; the earlier ones are where it came from.
            prs=pr_numbers(commit.subject)[:-1],
        )

    def forms(self) -> tuple[Form, ...]:
        """The forms this message carries (never `patch-id`, which is no mark)."""
        carried = {
            Form.trailers: self.from_main,
            Form.cherry_picked: bool(self.cherry_picked),
            Form.backport_of: bool(self.backport_of_commits or self.backport_of_prs),
            Form.pr_number: bool(self.prs),
        }
        return tuple(form for form, has in carried.items() if has)


def words(value: str) -> list[str]:
    """The words of a trailer value, split at commas and ASCII white space: `23.03, 23.09`."""
    return [word for word in _WORD_SEPARATORS.split(value) if word]


def names_main(value: str, main_branch: str) -> bool:
    """A `Backported-From` value names its first word: `main (24.09)` names `main`."""
    return words(value)[:1] == [main_branch]


def names_branch(value: str, branch: tuple[int, int] | None) -> bool:
    """A `Backported-To` (or request) value names every word that is a release branch, compared
    as versions: `23.03, 23.09`."""
    return branch is not None and any(parse_branch(word) == branch for word in words(value))


def how_to_backport(forms: Sequence[Form], main_branch: str, branch: str, sha: str) -> str:
    """How to backport commit `sha` of main to `branch` so that it carries the first accepted form."""
    first = forms[0]
    if first is Form.trailers:
        return (
            f"on {branch}, `git cherry-pick -e {sha}` and end the message with "
            f"`Backported-From: {main_branch}` and `Backported-To: {branch}`, after one blank line"
        )
    if first is Form.cherry_picked:
        return f"on {branch}, `git cherry-pick -x {sha}`"
    if first is Form.backport_of:
        return f"on {branch}, `git cherry-pick -e {sha}` and end the message with `Backport-of: {sha}`"
    # A squash merge adds the pull request's own `(#N)` after the one the cherry-pick kept; a
    # cherry-pick alone leaves one `(#N)`, which is the commit's own, not where it came from.
    return (
        f"in a pull request into {branch}, `git cherry-pick {sha}`, then squash-merge the pull request, "
        "so that the subject ends with both pull requests' `(#N)`"
    )


def accepted(forms: Sequence[Form]) -> str:
    """`trailers`, `cherry-picked`: the accepted forms, for messages."""
    return ", ".join(f"`{form.value}`" for form in forms)
