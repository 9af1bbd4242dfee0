"""The git reads of the release-branch goals: the base resolved to a commit id, each side's log,
the refs, a file at many commits and patch ids, each one git process (patch ids two, piped), with
only full commit ids on their command lines (user refs are resolved with `Git.commit` first)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from pants_calver.core.errors import RefError
from pants_calver.core.git.files_at import CAT_FILE_ARGS, files_at_request, parse_files_at
from pants_calver.core.git.log import Commit, log_args, parse_log
from pants_calver.core.git.patch_ids import PATCH_ID_ARGS, diff_tree_args, diff_tree_request, parse_patch_ids
from pants_calver.core.git.refs import Ref, parse_refs, refs_args
from pants_calver.core.releases.missing_backports import BranchIndex, Wanted, match, still_missing
from pants_calver.core.releases.provenance import Form
from pants_calver.engine.git import Git


def read_side(git: Git, include: str, exclude: str, paths: bool = False) -> tuple[Commit, ...]:
    """The commits `include` has and `exclude` has not (full ids), merges left out, newest first;
    raises GitError."""
    return parse_log(git.out_bytes(*log_args(include, exclude, paths=paths)))


def read_refs(git: Git, *prefixes: str, merged: str | None = None) -> tuple[Ref, ...]:
    """The refs under `prefixes`, those reachable from `merged` (a full commit id) when given."""
    return parse_refs(git.out_bytes(*refs_args(*prefixes, merged=merged)))


def read_files_at(git: Git, objects: Sequence[str], path: str) -> tuple[bytes | None, ...]:
    """`path` at each of `objects` (full ids of commits or tags), None where there is none."""
    if not objects:
        return ()
    output = git.out_bytes(*CAT_FILE_ARGS, stdin=files_at_request(objects, path))
    return parse_files_at(output, len(objects))


def read_patch_ids(git: Git, commits: Sequence[str]) -> dict[str, str]:
    """The patch id of each of `commits` that changes anything (`git patch-id --stable`)."""
    if not commits:
        return {}
    patches = git.out_bytes(*diff_tree_args(), stdin=diff_tree_request(commits))
    return parse_patch_ids(git.out_bytes(*PATCH_ID_ARGS, stdin=patches))


def find_missing(
    git: Git,
    on_main: Sequence[Commit],
    on_branch: Sequence[Commit],
    branch: str,
    forms: Sequence[Form],
    wanted: Wanted,
    main_branch: str,
) -> tuple[Commit, ...]:
    """The commits of `on_main` that `branch` should have and that nothing of `on_branch` is a
    counterpart of; patch ids are read (one batch) only for what no message form matched."""
    index = BranchIndex.of(on_branch, forms, main_branch)
    matching = match(on_main, index, branch, wanted)
    request = matching.patch_id_request(index) if Form.patch_id in forms else ()
    return still_missing(matching, read_patch_ids(git, request), index)


def same_patch_as_main(git: Git, head: str, base_commit: str, commits: Collection[Commit]) -> set[str]:
    """The short ids of `commits` (commits HEAD has and the base has not, as `log_args` read them)
    whose change is the same (`git patch-id --stable`) as that of a commit of main since the branch
    point (HEAD..base): one more log and one patch-id batch, for check-backports' `patch-id` form."""
    if not commits:
        return set()
    on_main = read_side(git, base_commit, head)
    ids = read_patch_ids(git, [*(commit.oid for commit in commits), *(commit.oid for commit in on_main)])
    of_main = {ids[commit.oid] for commit in on_main if commit.oid in ids}
    return {commit.sha for commit in commits if commit.oid in ids and ids[commit.oid] in of_main}


def resolve_base(git: Git, base: str | None, main_branch: str) -> str:
    """The commit id of `--base`, else of `[check-backports].main_branch`; raises RefError.

    Only this id reaches `git log`, so that no value is read by git as an option and a base
    that names nothing is an error, never an empty range that passes.
    """
    # What `Backported-From` must name and the default base: a branch name, never an option.
    git.check_ref_name("branch", main_branch, "[check-backports].main_branch")
    if base:
        return git.commit(base, "--base")
    try:
        return git.commit(main_branch, "--base (by default [check-backports].main_branch)")
    except RefError as e:
        raise RefError(
            f"{e} Where {main_branch} is only a remote branch (a CI checkout), "
            f"pass --base=origin/{main_branch}."
        ) from None
