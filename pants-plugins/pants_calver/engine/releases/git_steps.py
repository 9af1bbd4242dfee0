"""The git side of a release: the checks before the first write, the release commit, tag and
branch, the commit that starts the next cycle, and putting the work tree and the index back when
a step before the release commit fails.

git runs through `pants_calver.engine.git`; the bump's files are written through
`pants_calver.engine.files`. The decisions (what to check, templates, undo commands, what to put
back) are in the pure `pants_calver.core.releases.plan`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from collections.abc import Mapping, Sequence

from pants.engine.fs import Workspace

from pants_calver.core.versions.bump import BumpPlan, FileChange, stale
from pants_calver.core.errors import CommandError, GitError, ReleaseError
from pants_calver.core.releases.plan import (
    Done,
    GitPlan,
    Prepared,
    index_restore,
    parse_index,
    plan_restore,
    undo_report,
)
from pants_calver.engine.files import Entry, put_back, put_entry, read_disk, read_entry, write_all
from pants_calver.engine.git import Git


@dataclass(frozen=True)
class Checked:
    """What the checks before the write found: the commit HEAD is at, and the branch it is on."""

    head: str
    branch: str


def dirty_files(git: Git, paths: Sequence[str]) -> list[str]:
    """Those of `paths` that git reports as changed or untracked (none outside git)."""
    return sorted(set(paths) & (git.status() or set()))


def check_before_write(git: Git, prepared: Prepared, allow_dirty: bool, nothing_to_release: str) -> Checked:
    """Every guard of a bump, before the dry run prints and before the real run writes: both take
    this one path, so that a dry run refuses what the real run refuses, with the same error.
    Raises `CalverError`; `nothing_to_release` is the error of a release with no change."""
    if not prepared.plan.changes:
        if prepared.git_plan.commit_message is not None:
            raise ReleaseError(nothing_to_release)
        return Checked("", "")
    paths = [change.path for change in prepared.plan.changes]
    checked = check_worktree(git, prepared.git_plan, paths, allow_dirty)
    changed = stale(prepared.plan.changes, read_disk(git.root, paths))
    if changed:
        raise CommandError(
            f"these files changed while the bump was planned: {', '.join(changed)}. Run it again."
        )
    return checked


def check_worktree(git: Git, plan: GitPlan, paths: Sequence[str], allow_dirty: bool) -> Checked:
    """Check the work tree before the first byte is written: for a release, every git
    precondition (raises ReleaseError, or RefError for a name git does not take); otherwise,
    unless `allow_dirty`, that no file to rewrite has uncommitted changes (raises CommandError)."""
    if plan.commit_message is not None:
        return preflight(git, plan, paths, allow_dirty)
    if not allow_dirty:
        dirty = dirty_files(git, paths)
        if dirty:
            raise CommandError(
                "these files have uncommitted changes, and the bump would rewrite them: "
                f"{', '.join(dirty)}. Commit or stash them, or pass --allow-dirty."
            )
    return Checked("", "")


def preflight(git: Git, plan: GitPlan, paths: Sequence[str], allow_dirty: bool) -> Checked:
    """Check what can be checked before the first byte is written. Raises ReleaseError, or
    RefError for a tag or branch name that git does not take."""
    if plan.tag:
        git.check_ref_name("tag", plan.tag, "[bump-version].tag_name")
    if plan.branch:
        git.check_ref_name("branch", plan.branch, "--cut-branch")
    dirty = git.status()
    if dirty is None:
        raise ReleaseError("this is not a git work tree, so there is nothing to commit to")
    if dirty & set(paths):
        which = "--allow-dirty cannot be used with --commit: " if allow_dirty else ""
        raise ReleaseError(
            f"{which}these files have uncommitted changes, and the release commit would take them: "
            f"{', '.join(sorted(dirty & set(paths)))}. Commit or stash them first"
        )
    try:
        on_branch = git.run("symbolic-ref", "-q", "--short", "HEAD")
        if on_branch.returncode != 0:
            raise ReleaseError("HEAD is detached: check out the branch to release on")
        head = git.out("rev-parse", "--short", "HEAD")
        _check_identity(git)
        refs = [f"refs/tags/{plan.tag}"] if plan.tag else []
        refs += [f"refs/heads/{plan.branch}"] if plan.branch else []
        existing = git.out("for-each-ref", "--format=%(refname)", *refs).split() if refs else []
    except GitError as e:
        raise ReleaseError(str(e)) from None
    names = {"refs/tags/": "tag", "refs/heads/": "branch"}
    for ref in existing:
        if ref in refs:
            kind = next(kind for prefix, kind in names.items() if ref.startswith(prefix))
            raise ReleaseError(f"the {kind} {ref.split('/', 2)[2]} exists already; nothing was written")
    return Checked(head, on_branch.stdout.decode(errors="replace").strip())


def _check_identity(git: Git) -> None:
    """Raises ReleaseError, in one line, when git cannot tell who makes the commits."""
    for ident in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        result = git.run("var", ident)
        if result.returncode != 0:
            said = [line.strip() for line in result.stderr.decode(errors="replace").splitlines()]
            reason = next((line for line in reversed(said) if line), f"`git var {ident}` failed")
            raise ReleaseError(
                f"git has no identity to commit with ({reason}): set it with "
                "`git config user.name NAME` and `git config user.email EMAIL`"
            )


def _paths_in(paths: Sequence[str]) -> bytes:
    """Paths as git reads them from `--stdin -z`: as they are, never as pathspecs."""
    return b"".join(path.encode("utf-8", "surrogateescape") + b"\0" for path in paths)


@dataclass(frozen=True)
class Snapshot:
    """The work tree and the index as a release found them: every entry of the index, the paths
    git reported changed or untracked, what each of those held on disk, and HEAD's commit."""

    index: Mapping[str, tuple[bytes, ...]]
    dirty: frozenset
    saved: Mapping[str, Entry]
    head: str


def snapshot(git: Git) -> Snapshot:
    """Keep what a failed release must put back. What git reports clean needs no copy: its
    bytes are in the index."""
    dirty = frozenset(git.status() or ())
    index = parse_index(git.out_bytes("ls-files", "--stage", "-z"))
    saved = {path: read_entry(git.root, path) for path in dirty}
    return Snapshot(index, dirty, saved, git.out("rev-parse", "--verify", "HEAD"))


async def restore(workspace: Workspace, git: Git, kept: Snapshot, changes: Sequence[FileChange]) -> list[str]:
    """Put the index and the work tree back as `kept` found them, undoing the bump's `changes`
    and whatever the commands or git did since; returns what could not be put back. Files that
    git ignores are left alone."""
    failed = []
    try:
        records = index_restore(kept.index, parse_index(git.out_bytes("ls-files", "--stage", "-z")))
        if records:
            git.out_bytes("update-index", "-z", "--index-info", stdin=records)
    except GitError:
        failed.append("the index")
    todo = plan_restore(kept.dirty, git.status() or set(), set(kept.index), {c.path for c in changes})
    failed += [path for path in todo.saved if not put_entry(git.root, path, kept.saved[path])]
    if todo.checkout:
        checkout = git.run("checkout-index", "-f", "-u", "-z", "--stdin", stdin=_paths_in(todo.checkout))
        failed += todo.checkout if checkout.returncode else []
    # Asked again with the .gitignore files back as they were: what is new now shows as untracked
    # (the index is back too), and a file git ignores never shows.
    new = plan_restore(kept.dirty, git.status() or set(), set(kept.index), {c.path for c in changes})
    failed += [path for path in new.remove if not put_entry(git.root, path, None)]
    head = git.run("rev-parse", "--verify", "HEAD").stdout.decode().strip()
    if head != kept.head:  # A command committed: that is the user's to undo, not ours.
        failed.append(f"HEAD (was {kept.head[:12]}, is {head[:12]} now)")
    return failed + await put_back(workspace, git.root, changes)


def _stopped(error: str, failed: Sequence[str]) -> str:
    if failed:
        return (
            f"{error}\nThe release stopped; these could not be put back as they were: {', '.join(failed)}. "
            "Check them with `git status`."
        )
    return f"{error}\nThe release stopped; the work tree and the index are as they were."


def run_commands(git: Git, argvs: Sequence[tuple[str, ...]]) -> str | None:
    """Run the before-commit commands in the build root; why the first failing one failed."""
    for argv in argvs:
        try:
            result = subprocess.run(list(argv), cwd=git.root, env=dict(git.env), capture_output=True)
        except OSError as e:
            return f"`{' '.join(argv)}` could not run: {e}"
        if result.returncode != 0:
            output = (result.stderr or result.stdout).decode(errors="replace").strip()
            return f"`{' '.join(argv)}` failed with exit code {result.returncode}" + (
                f":\n{output}" if output else ""
            )
    return None


async def release(
    workspace: Workspace, git: Git, git_plan: GitPlan, plan: BumpPlan, kept: Snapshot, head: str
) -> tuple[list[Done], str | None, str]:
    """The release commit, tag and branch after the bump's write (`kept` is the snapshot from
    before it): the steps done, why the release stopped (None when it did not), and the release
    commit. When the commands or the commit fail, the work tree and the index are put back."""
    error = run_commands(git, git_plan.before_commit)
    if error:
        return [], _stopped(error, await restore(workspace, git, kept, plan.changes)), ""
    paths = [change.path for change in plan.changes]
    joined = sorted(set(paths) | ((git.status() or set()) - kept.dirty))
    assert git_plan.commit_message is not None
    done: list[Done] = []
    try:
        sha = commit(git, joined, git_plan.commit_message)
    except GitError as e:
        return [], _stopped(str(e), await restore(workspace, git, kept, plan.changes)), ""
    done.append(Done(f"committed {sha} {git_plan.commit_message}", f"git reset --keep {head}"))
    try:
        if git_plan.tag:
            message = ["-a", "-m", git_plan.tag_message] if git_plan.tag_message is not None else []
            git.out("tag", *message, "--", git_plan.tag, sha)
            done.append(Done(f"tagged {git_plan.tag}", f"git tag -d {git_plan.tag}"))
        if git_plan.branch:
            git.out("branch", "--", git_plan.branch, sha)
            done.append(
                Done(f"created branch {git_plan.branch} at {sha}", f"git branch -D {git_plan.branch}")
            )
    except GitError as e:
        return done, undo_report(str(e), done), sha
    return done, None, sha


def commit(git: Git, paths: Sequence[str], message: str) -> str:
    """Commit exactly `paths` (nothing else that is staged); returns the new commit's short sha.

    `update-index` takes new, changed and deleted files alike (`git add` fails on a file that a
    command already removed with `git rm`) and reads the paths as they are; the commit reads them
    as literal pathspecs."""
    git.out_bytes("update-index", "--add", "--remove", "-z", "--stdin", stdin=_paths_in(paths))
    git.out("--literal-pathspecs", "commit", "-q", "-m", message, "--only", "--", *paths)
    return git.out("rev-parse", "--short", "HEAD")


async def start_cycle(
    workspace: Workspace, git: Git, cycle: BumpPlan, message: str, release_sha: str, done: list[Done]
) -> str | None:
    """Write the next cycle's `.dev0` and commit it after the release; why that failed (with the
    steps done before and how to undo them), or None. Appends the commit to `done`."""
    try:
        kept = snapshot(git)
    except GitError as e:
        return undo_report(str(e), done)
    error = await write_all(workspace, git.root, cycle.changes)
    if error:
        return undo_report(error, done)
    try:
        sha = commit(git, [c.path for c in cycle.changes], message)
    except GitError as e:
        failed = await restore(workspace, git, kept, cycle.changes)
        left = f"; these could not be put back: {', '.join(failed)}" if failed else ""
        return undo_report(f"{e}; the cycle's edits were put back{left}", done)
    done.append(Done(f"committed {sha} {message}", f"git reset --keep {release_sha}"))
    return None
