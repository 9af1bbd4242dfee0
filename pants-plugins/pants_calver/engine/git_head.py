"""The branch git has checked out, read from its `HEAD` file instead of by running git.

Running git from pantsd costs a fork of a large process for each call (tens of milliseconds
each); the version goals only need the branch name, which `HEAD` holds.
"""

from __future__ import annotations

from pathlib import Path

from pants_calver.core.git.head import Head, parse_head


def head_file(start: Path) -> Path | None:
    """The `HEAD` file of the repository holding `start`, found upwards as git does; None if none.

    A `.git` file (a linked worktree or a submodule) names the git directory with `gitdir:`.
    """
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git / "HEAD"
        if dot_git.is_file():
            first = dot_git.read_text(errors="replace").strip()
            if not first.startswith("gitdir:"):
                return None
            return (folder / first[len("gitdir:") :].strip()) / "HEAD"
    return None


def read_head(start: str) -> Head | None:
    """Read the `HEAD` of the repository holding `start`; None when there is none or it is unclear."""
    try:
        path = head_file(Path(start).resolve())
        return parse_head(path.read_text(errors="replace")) if path else None
    except OSError:
        return None
