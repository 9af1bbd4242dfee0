"""The git steps of a release, after the checks: the release commit, tag and branch, and the commit
that starts the next cycle.

git runs through `pants_calver.engine.git`; the bump's files are written through
`pants_calver.engine.files`. The decisions (what to check, templates, undo commands) are in the
pure `pants_calver.core.release`.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from collections.abc import Sequence

from pants.engine.fs import Workspace

from pants_calver.core.bump import BumpPlan
from pants_calver.core.errors import CommandError, GitError, ReleaseError
from pants_calver.core.release import Done, GitPlan, undo_report
from pants_calver.engine.files import put_back, write_all
from pants_calver.engine.git import Git


@dataclass(frozen=True)
class Checked:
    """What the checks before the write found: the paths git reported changed, the commit HEAD is
    at, and the branch it is on."""

    dirty: frozenset
    head: str
    branch: str


def dirty_files(git: Git, paths: Sequence[str]) -> list[str]:
    """Those of `paths` that git reports as changed or untracked (none outside git)."""
    return sorted(set(paths) & (git.status() or set()))


def check_worktree(git: Git, plan: GitPlan, paths: Sequence[str], allow_dirty: bool) -> Checked:
    """Check the work tree before the first byte is written: for a release, every git
    precondition (raises ReleaseError); otherwise, unless `allow_dirty`, that no file to rewrite
    has uncommitted changes (raises CommandError)."""
    if plan.commit_message is not None:
        return preflight(git, plan, paths, allow_dirty)
    if not allow_dirty:
        dirty = dirty_files(git, paths)
        if dirty:
            raise CommandError(
                "these files have uncommitted changes, and the bump would rewrite them: "
                f"{', '.join(dirty)}. Commit or stash them, or pass --allow-dirty."
            )
    return Checked(frozenset(), "", "")


def preflight(git: Git, plan: GitPlan, paths: Sequence[str], allow_dirty: bool) -> Checked:
    """Check what can be checked before the first byte is written. Raises ReleaseError."""
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
        git.out("var", "GIT_COMMITTER_IDENT")
        refs = [f"refs/tags/{plan.tag}"] if plan.tag else []
        refs += [f"refs/heads/{plan.branch}"] if plan.branch else []
        for ref in refs:
            if git.run("check-ref-format", ref).returncode != 0:
                raise ReleaseError(
                    f"`{ref.split('/', 2)[2]}` is not a name git takes for a {ref.split('/')[1][:-1]}"
                )
        existing = git.out("for-each-ref", "--format=%(refname)", *refs).split() if refs else []
    except GitError as e:
        raise ReleaseError(str(e)) from None
    names = {"refs/tags/": "tag", "refs/heads/": "branch"}
    for ref in existing:
        if ref in refs:
            kind = next(kind for prefix, kind in names.items() if ref.startswith(prefix))
            raise ReleaseError(f"the {kind} {ref.split('/', 2)[2]} exists already; nothing was written")
    return Checked(frozenset(dirty), head, on_branch.stdout.decode(errors="replace").strip())


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
    workspace: Workspace, git: Git, git_plan: GitPlan, plan: BumpPlan, before: frozenset, head: str
) -> tuple[list[Done], str | None, str]:
    """The release commit, tag and branch after the bump's write: the steps done, why the release
    stopped (None when it did not), and the release commit."""
    error = run_commands(git, git_plan.before_commit)
    if error:
        unrestored = await put_back(workspace, git.root, plan.changes)
        kept = f"; these files were not put back: {', '.join(unrestored)}" if unrestored else ""
        return [], f"{error}\nThe release stopped; the bump's edits were put back{kept}.", ""
    paths = [change.path for change in plan.changes]
    joined = sorted(set(paths) | ((git.status() or set()) - before))
    assert git_plan.commit_message is not None
    done: list[Done] = []
    try:
        sha = commit(git, joined, git_plan.commit_message)
    except GitError as e:
        await put_back(workspace, git.root, plan.changes)
        return [], f"{e}\nThe release stopped; the bump's edits were put back.", ""
    done.append(Done(f"committed {sha} {git_plan.commit_message}", f"git reset --keep {head}"))
    try:
        if git_plan.tag:
            message = ["-a", "-m", git_plan.tag_message] if git_plan.tag_message is not None else []
            git.out("tag", *message, git_plan.tag, sha)
            done.append(Done(f"tagged {git_plan.tag}", f"git tag -d {git_plan.tag}"))
        if git_plan.branch:
            git.out("branch", git_plan.branch, sha)
            done.append(
                Done(f"created branch {git_plan.branch} at {sha}", f"git branch -D {git_plan.branch}")
            )
    except GitError as e:
        return done, undo_report(str(e), done), sha
    return done, None, sha


def commit(git: Git, paths: Sequence[str], message: str) -> str:
    """Commit exactly `paths` (nothing else that is staged); returns the new commit's short sha."""
    try:
        git.out("add", "-A", "--", *paths)
        git.out("commit", "-q", "-m", message, "--only", "--", *paths)
    except GitError:
        git.run("reset", "-q", "--", *paths)
        raise
    return git.out("rev-parse", "--short", "HEAD")


async def start_cycle(
    workspace: Workspace, git: Git, cycle: BumpPlan, message: str, release_sha: str, done: list[Done]
) -> str | None:
    """Write the next cycle's `.dev0` and commit it after the release; why that failed (with the
    steps done before and how to undo them), or None. Appends the commit to `done`."""
    error = await write_all(workspace, git.root, cycle.changes)
    if error:
        return undo_report(error, done)
    try:
        sha = commit(git, [c.path for c in cycle.changes], message)
    except GitError as e:
        await put_back(workspace, git.root, cycle.changes)
        return undo_report(f"{e}; the cycle's edits were put back", done)
    done.append(Done(f"committed {sha} {message}", f"git reset --keep {release_sha}"))
    return None
