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

from dataclasses import dataclass
from collections.abc import Iterable, Mapping, Sequence
from re import Pattern

from pants_calver.core.git.log import Commit
from pants_calver.core.releases.provenance import Form, Provenance, names_branch, own_pr
from pants_calver.core.versions.version import parse_branch

REQUEST_KEY = "backport"


@dataclass(frozen=True)
class Wanted:
    """Which commits of main a release branch should have: subjects matching `subjects` (searched
    anywhere, so `^fix` anchors at the start), or a `request_key` trailer naming the branch."""

    subjects: tuple[Pattern[str], ...]
    request_key: str = REQUEST_KEY

    def on(self, commit: Commit, branch: str) -> bool:
        requests = commit.values(self.request_key.lower())
        if requests:
            # Read as `Backported-To` is: any word that is the branch, compared as versions.
            return any(names_branch(value, parse_branch(branch)) for value in requests)
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
    def of(cls, branch: Sequence[Commit], forms: Sequence[Form], main_branch: str) -> BranchIndex:
        picks: dict[str, str] = {}
        backport_of: list[tuple[str, str]] = []
        backport_prs: dict[int, str] = {}
        prs: dict[int, str] = {}
        subjects: dict[str, str] = {}
        for commit in branch:
            said = Provenance.of(commit, main_branch)
            if Form.cherry_picked in forms:
                picks.update((oid, commit.oid) for oid in said.cherry_picked)
            if Form.backport_of in forms:
                backport_of += [(prefix, commit.oid) for prefix in said.backport_of_commits]
                backport_prs.update((pr, commit.oid) for pr in said.backport_of_prs)
            if Form.pr_number in forms:
                # As check-backports reads it: the numbers before the commit's own, the last.
                prs.update((pr, commit.oid) for pr in said.prs)
            if Form.trailers in forms and said.from_main:
                subjects.setdefault(commit.subject, commit.oid)
        return cls(picks, tuple(backport_of), backport_prs, prs, subjects, tuple(b.oid for b in branch))

    def counterpart(self, commit: Commit) -> str | None:
        """The full id of the branch's commit that a form names as `commit`'s, or None."""
        if commit.oid in self.by_cherry_pick:
            return self.by_cherry_pick[commit.oid]
        for prefix, oid in self.by_backport_of:
            if commit.oid.startswith(prefix):
                return oid
        pr = own_pr(commit.subject)
        if pr is not None and (pr in self.by_pr or pr in self.by_backport_of_pr):
            return self.by_pr.get(pr) or self.by_backport_of_pr[pr]
        return self.by_subject.get(commit.subject)


@dataclass(frozen=True)
class Matching:
    """The wanted commits of main and what was found for them on one release branch."""

    branch: str
    wanted: tuple[Commit, ...]
    matched: Mapping[str, str]  # main's full id -> the branch's

    @property
    def unmatched(self) -> tuple[Commit, ...]:
        return tuple(commit for commit in self.wanted if commit.oid not in self.matched)

    def patch_id_request(self, index: BranchIndex) -> tuple[str, ...]:
        """The commits whose patch ids could still match: the unmatched of main, and the branch's
        commits that are nobody's counterpart yet. Empty when nothing is unmatched."""
        if not self.unmatched:
            return ()
        claimed = set(self.matched.values())
        return tuple(commit.oid for commit in self.unmatched) + tuple(
            oid for oid in index.oids if oid not in claimed
        )


def match(main: Iterable[Commit], index: BranchIndex, branch: str, wanted: Wanted) -> Matching:
    """The commits of main that `branch` should have, and their counterparts by the message forms."""
    candidates = tuple(commit for commit in main if wanted.on(commit, branch))
    matched = {
        commit.oid: found
        for commit in candidates
        for found in [index.counterpart(commit)]
        if found is not None
    }
    return Matching(branch, candidates, matched)


def still_missing(matching: Matching, patch_ids: Mapping[str, str], index: BranchIndex) -> tuple[Commit, ...]:
    """The unmatched commits of main whose patch id no unclaimed commit of the branch shares
    (`patch_ids`: full id -> patch id; empty when `patch-id` is not an accepted form)."""
    if not patch_ids:
        return matching.unmatched
    claimed = set(matching.matched.values())
    on_branch = {patch_ids[oid] for oid in index.oids if oid not in claimed and oid in patch_ids}
    # A commit with no patch id (it changes nothing) has no counterpart by patch.
    return tuple(
        commit
        for commit in matching.unmatched
        if commit.oid not in patch_ids or patch_ids[commit.oid] not in on_branch
    )


@dataclass(frozen=True)
class MissingBackport:
    """A commit of main that is missing from `branches`."""

    sha: str
    oid: str
    subject: str
    branches: tuple[str, ...]


def missing_backports(
    per_branch: Mapping[str, Sequence[Commit]], order: Sequence[Commit]
) -> list[MissingBackport]:
    """One entry per commit of main, in main's order (`order`, newest first), with every branch
    it is missing from, in the order of `per_branch`."""
    branches_of: dict[str, list[str]] = {}
    for branch, missing in per_branch.items():
        for commit in missing:
            branches_of.setdefault(commit.oid, []).append(branch)
    return [
        MissingBackport(commit.sha, commit.oid, commit.subject, tuple(branches_of[commit.oid]))
        for commit in order
        if commit.oid in branches_of
    ]
