"""The fixes on main that never reached a release branch, with no Pants import.

For release branch `x.y`, the commits on main since the branch point (`git log x.y..main`) that
should be on `x.y`, and have no counterpart among the branch's commits (`git log main..x.y`). A
commit should be on `x.y` when its message asks for it with a request trailer (`Backport: 23.09`,
any branch it names), or, with no request trailer at all, when its subject matches one of the
patterns (default `^fix`). A request naming only other branches keeps it off `x.y`. The
counterpart is found by the provenance forms the repo accepts (`provenance.Form`); patch ids
are asked for (one `git patch-id` batch) only for the commits no other form matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Iterable, Mapping, Sequence
from re import Pattern

from pants_calver.core.git.history import Logged
from pants_calver.core.releases.provenance import Form, Provenance, own_pr, pr_numbers
from pants_calver.core.versions.version import parse_branch

REQUEST_KEY = "backport"
# What separates the branch names of a request, as in `Backported-To`: commas and ASCII white space.
_WORD_SEPARATORS = re.compile(r"[,\s]+", re.ASCII)


@dataclass(frozen=True)
class Wanted:
    """Which commits of main a release branch should have: subjects matching `subjects` (searched
    anywhere, so `^fix` anchors at the start), or a `request_key` trailer naming the branch."""

    subjects: tuple[Pattern[str], ...]
    request_key: str = REQUEST_KEY

    def on(self, logged: Logged, branch: str) -> bool:
        commit = logged.commit
        requests = commit.values(self.request_key.lower())
        if requests:
            wanted = parse_branch(branch)
            return wanted is not None and any(
                parse_branch(word) == wanted for value in requests for word in _WORD_SEPARATORS.split(value)
            )
        return any(pattern.search(commit.subject) for pattern in self.subjects)


@dataclass(frozen=True)
class BranchIndex:
    """A release branch's commits, indexed by what names their counterpart on main."""

    by_cherry_pick: Mapping[str, str]
    by_backport_of: tuple[tuple[str, str], ...]
    by_backport_of_pr: Mapping[int, str]
    by_pr: Mapping[int, str]
    by_subject: Mapping[str, str]
    oids: tuple[str, ...]

    @classmethod
    def of(cls, branch: Sequence[Logged], forms: Sequence[Form], main_branch: str) -> BranchIndex:
        picks: dict[str, str] = {}
        backport_of: list[tuple[str, str]] = []
        backport_prs: dict[int, str] = {}
        prs: dict[int, str] = {}
        subjects: dict[str, str] = {}
        for logged in branch:
            said = Provenance.of(logged.commit, main_branch)
            if Form.cherry_picked in forms:
                picks.update((oid, logged.oid) for oid in said.cherry_picked)
            if Form.backport_of in forms:
                backport_of += [(prefix, logged.oid) for prefix in said.backport_of_commits]
                backport_prs.update((pr, logged.oid) for pr in said.backport_of_prs)
            if Form.pr_number in forms:
                prs.update((pr, logged.oid) for pr in pr_numbers(logged.commit.subject))
            if Form.trailers in forms and said.from_main:
                subjects.setdefault(logged.commit.subject, logged.oid)
        return cls(picks, tuple(backport_of), backport_prs, prs, subjects, tuple(b.oid for b in branch))

    def counterpart(self, logged: Logged) -> str | None:
        """The full id of the branch's commit that a form names as `logged`'s, or None."""
        if logged.oid in self.by_cherry_pick:
            return self.by_cherry_pick[logged.oid]
        for prefix, oid in self.by_backport_of:
            if logged.oid.startswith(prefix):
                return oid
        pr = own_pr(logged.commit.subject)
        if pr is not None and (pr in self.by_pr or pr in self.by_backport_of_pr):
            return self.by_pr.get(pr) or self.by_backport_of_pr[pr]
        return self.by_subject.get(logged.commit.subject)


@dataclass(frozen=True)
class Matching:
    """The wanted commits of main and what was found for them on one release branch."""

    branch: str
    wanted: tuple[Logged, ...]
    matched: Mapping[str, str]  # main's full id -> the branch's

    @property
    def unmatched(self) -> tuple[Logged, ...]:
        return tuple(logged for logged in self.wanted if logged.oid not in self.matched)

    def patch_id_request(self, index: BranchIndex) -> tuple[str, ...]:
        """The commits whose patch ids could still match: the unmatched of main, and the branch's
        commits that are nobody's counterpart yet. Empty when nothing is unmatched."""
        if not self.unmatched:
            return ()
        claimed = set(self.matched.values())
        return tuple(logged.oid for logged in self.unmatched) + tuple(
            oid for oid in index.oids if oid not in claimed
        )


def match(main: Iterable[Logged], index: BranchIndex, branch: str, wanted: Wanted) -> Matching:
    """The commits of main that `branch` should have, and their counterparts by the message forms."""
    candidates = tuple(logged for logged in main if wanted.on(logged, branch))
    matched = {
        logged.oid: found
        for logged in candidates
        for found in [index.counterpart(logged)]
        if found is not None
    }
    return Matching(branch, candidates, matched)


def still_missing(matching: Matching, patch_ids: Mapping[str, str], index: BranchIndex) -> tuple[Logged, ...]:
    """The unmatched commits of main whose patch id no unclaimed commit of the branch shares
    (`patch_ids`: full id -> patch id; empty when `patch-id` is not an accepted form)."""
    if not patch_ids:
        return matching.unmatched
    claimed = set(matching.matched.values())
    on_branch = {patch_ids[oid] for oid in index.oids if oid not in claimed and oid in patch_ids}
    # A commit with no patch id (it changes nothing) has no counterpart by patch.
    return tuple(
        logged
        for logged in matching.unmatched
        if logged.oid not in patch_ids or patch_ids[logged.oid] not in on_branch
    )


@dataclass(frozen=True)
class MissingBackport:
    """A commit of main that is missing from `branches`."""

    sha: str
    oid: str
    subject: str
    branches: tuple[str, ...]


def missing_backports(
    per_branch: Mapping[str, Sequence[Logged]], order: Sequence[Logged]
) -> list[MissingBackport]:
    """One entry per commit of main, in main's order (`order`, newest first), with every branch
    it is missing from, in the order of `per_branch`."""
    branches_of: dict[str, list[str]] = {}
    for branch, missing in per_branch.items():
        for logged in missing:
            branches_of.setdefault(logged.oid, []).append(branch)
    return [
        MissingBackport(logged.commit.sha, logged.oid, logged.commit.subject, tuple(branches_of[logged.oid]))
        for logged in order
        if logged.oid in branches_of
    ]
