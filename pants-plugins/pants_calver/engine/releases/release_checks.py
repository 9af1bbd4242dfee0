"""The rules of check-release-branch, run against git: each reads what it needs (refs, version
files at commits, one log per side, patch ids) through engine/releases/history.py and passes it
to the pure rules of core/releases. The goal resolves every user ref first: only full commit ids
and vetted names reach git."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from re import Pattern

from pants_calver.core.git.log import Commit
from pants_calver.core.git.refs import BRANCHES, REMOTES, TAGS, Ref
from pants_calver.core.problems import Problem, plural
from pants_calver.core.releases.backports import BackportRules
from pants_calver.core.releases.integrity import shown
from pants_calver.core.releases.missing_backports import Wanted, missing_backports
from pants_calver.core.releases.provenance import Form, accepted, how_to_backport
from pants_calver.core.releases.refs_rules import check_branch, check_tag, tags_to_check, version_like_tags
from pants_calver.core.releases.version_changes import check_version_changes
from pants_calver.core.versions.version import Scheme, parse_branch
from pants_calver.engine.git import Git
from pants_calver.engine.releases.history import find_missing, read_files_at, read_refs, read_side


@dataclass(frozen=True)
class Checked:
    """What a rule found, and what it looked at (a sentence for the summary)."""

    problems: tuple[Problem, ...]
    looked_at: str


@dataclass(frozen=True)
class Names:
    """What the names rules need: the branch under test (None in a detached HEAD without
    `--branch`), the commit HEAD is, and the repo's conventions."""

    branch: str | None
    head: str
    all_branches: bool
    version_file: str
    scheme: Scheme
    tag_template: str
    tags_since: tuple[int, int, int] | None


def branch_names(git: Git, names: Names) -> Checked:
    """The branch under test (its head: HEAD), and every local and remote-tracking branch with
    `all_branches` (symbolic refs such as `origin/HEAD` left out)."""
    refs = read_refs(git, BRANCHES, REMOTES, TAGS)
    tags = {ref.name for ref in refs if ref.refname.startswith(TAGS)}
    branches: list[Ref] = []
    if names.branch is not None:
        branches.append(Ref(BRANCHES + names.branch, "commit", names.head))
    if names.all_branches:
        branches += [
            ref
            for ref in refs
            if not ref.refname.startswith(TAGS)
            and not ref.symref
            and ref.refname != BRANCHES + (names.branch or "")
        ]
    files = read_files_at(git, [ref.oid for ref in branches], names.version_file)
    findings = tuple(
        finding
        for ref, data in zip(branches, files)
        for finding in check_branch(ref, tags, data, names.version_file, names.scheme)
    )
    return Checked(findings, f"{len(branches)} branch{'' if len(branches) == 1 else 'es'}")


def tags(git: Git, names: Names) -> Checked:
    """The version-like tags that HEAD reaches, but those older than `tags_since`."""
    refs = read_refs(git, TAGS, merged=names.head)
    checked, older = tags_to_check(refs, version_like_tags(names.tag_template), names.tags_since)
    files = read_files_at(git, [ref.oid for ref, _ in checked], names.version_file)
    findings = tuple(
        finding
        for (ref, text), data in zip(checked, files)
        for finding in check_tag(ref, text, names.tag_template, data, names.version_file, names.scheme)
    )
    looked_at = f"{plural(len(checked), 'tag')} reachable from HEAD"
    if older:
        looked_at += f" ({older} older than `[check-release-branch].tags_since` not checked)"
    return Checked(findings, looked_at)


def version_changes(
    on_branch: Sequence[Commit],
    version_files: frozenset[str],
    release_subjects: Sequence[Pattern[str]],
    rules: BackportRules,
    since: str,
) -> Checked:
    findings = check_version_changes(on_branch, version_files, release_subjects, rules.is_release_commit)
    return Checked(tuple(findings), f"{plural(len(on_branch), 'commit')} since {since}")


@dataclass(frozen=True)
class Backports:
    """What the missing-backports rule needs besides the branch's log."""

    branch: str
    head: str
    base_commit: str
    base: str
    main_branch: str
    forms: tuple[Form, ...]
    wanted: Wanted


def missing(git: Git, on_branch: Sequence[Commit], backports: Backports) -> Checked:
    """The commits of main since the branch point (HEAD..base) that the branch should have and
    has no counterpart of."""
    on_main = read_side(git, backports.base_commit, backports.head)
    lacking = find_missing(
        git, on_main, on_branch, backports.branch, backports.forms, backports.wanted, backports.main_branch
    )
    findings = tuple(
        Problem.in_commit(
            entry.sha,
            shown(entry.subject),
            "backport-missing",
            f"is missing from {', '.join(entry.branches)}: no commit there is its backport "
            f"(accepted provenance: {accepted(backports.forms)}). Backport it: "
            + how_to_backport(backports.forms, backports.main_branch, backports.branch, entry.sha),
        )
        for entry in missing_backports({backports.branch: lacking}, on_main)
    )
    return Checked(findings, f"{plural(len(on_main), 'commit')} of {backports.base} since the branch point")


def is_release_branch(branch: str | None) -> bool:
    return branch is not None and parse_branch(branch) is not None
