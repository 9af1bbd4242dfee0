"""The engine side of a release: writing the bump's files all or nothing, and the git steps after.

git runs through `pants_calver.engine.git`. The decisions (what to check, templates, undo
commands) are in the pure `pants_calver.core.release`.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

from pants.engine.fs import CreateDigest, Digest, FileContent, Workspace
from pants.engine.rules import Get

from pants_calver.core.bump import FileChange, stale
from pants_calver.engine.git import Git, GitError
from pants_calver.core.release import ReleaseError


def read_disk(build_root: str, paths: Sequence[str]) -> Dict[str, Optional[bytes]]:
    def read(path: str) -> Optional[bytes]:
        try:
            return Path(build_root, path).read_bytes()
        except OSError:
            return None

    return {path: read(path) for path in paths}


# The engine writes a digest's files concurrently and raises at the first failure, while the
# writes of other files can still land for a moment after that (seen in the tests: a file changed
# after the failed write had returned). So the rollback looks again after each round.
_SETTLE_DELAYS = (0.05, 0.1, 0.2, 0.4)


async def put_back(workspace: Workspace, build_root: str, changes: Sequence[FileChange]) -> List[str]:
    """Write the old bytes back to every file that no longer holds them, until the files stay put;
    returns the paths that still do not hold their old bytes."""
    paths = [change.path for change in changes]
    for delay in _SETTLE_DELAYS:
        time.sleep(delay)  # Only on a failure path: let writes in flight land.
        touched = set(stale(changes, read_disk(build_root, paths)))
        if not touched:
            return []
        old = [FileContent(c.path, c.old) for c in changes if c.path in touched]
        try:
            workspace.write_digest(await Get(Digest, CreateDigest(old)))
        except Exception:
            pass  # What is still not put back is returned below.
    return stale(changes, read_disk(build_root, paths))


async def write_all(workspace: Workspace, build_root: str, changes: Sequence[FileChange]) -> Optional[str]:
    """Write every change in one go; on failure put back what was written and return why."""
    try:
        workspace.write_digest(await Get(Digest, CreateDigest([FileContent(c.path, c.new) for c in changes])))
    except Exception as error:  # The engine raises a plain Exception carrying the OS error.
        unrestored = await put_back(workspace, build_root, changes)
        if unrestored:
            return (
                f"writing failed: {error}. These files could not be put back: {', '.join(unrestored)}; "
                "restore them with `git checkout -- <file>`."
            )
        return f"writing failed: {error}. Every file was put back; the tree is as it was."
    return None


@dataclass(frozen=True)
class GitPlan:
    """The git steps of a release, decided before anything is written."""

    commit_message: Optional[str] = None
    tag: Optional[str] = None
    tag_message: Optional[str] = None
    branch: Optional[str] = None
    before_commit: Tuple[Tuple[str, ...], ...] = ()

    def describe(self, paths: Sequence[str]) -> List[str]:
        """Each step, as a line of the dry run."""
        if self.commit_message is None:
            return []
        lines = [f"  run: {' '.join(argv)}" for argv in self.before_commit]
        joined = " and what those change" if self.before_commit else ""
        lines.append(f"  commit {', '.join(paths)}{joined}: {self.commit_message}")
        if self.tag:
            kind = "annotated tag" if self.tag_message is not None else "tag"
            lines.append(f"  {kind} {self.tag}")
        if self.branch:
            lines.append(f"  branch {self.branch} at the release commit")
        return lines


@dataclass(frozen=True)
class Checked:
    """What the checks before the write found: the paths git reported changed, the commit HEAD is
    at, and the branch it is on."""

    dirty: Set[str]
    head: str
    branch: str


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
    return Checked(dirty, head, on_branch.stdout.decode(errors="replace").strip())


def run_commands(git: Git, argvs: Sequence[Tuple[str, ...]]) -> Optional[str]:
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


def commit(git: Git, paths: Sequence[str], message: str) -> str:
    """Commit exactly `paths` (nothing else that is staged); returns the new commit's short sha."""
    try:
        git.out("add", "-A", "--", *paths)
        git.out("commit", "-q", "-m", message, "--only", "--", *paths)
    except GitError:
        git.run("reset", "-q", "--", *paths)
        raise
    return git.out("rev-parse", "--short", "HEAD")
