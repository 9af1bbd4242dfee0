"""The branch git has checked out, read from its `HEAD` file instead of by running git.

Running git from pantsd costs a fork of a large process for each call (tens of milliseconds
each); the version goals only need the branch name, which `HEAD` holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_BRANCH = re.compile(r"ref: refs/heads/(\S+)")
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True)
class Head:
    """What `HEAD` points at: a branch, or None when it is detached."""

    branch: str | None


def parse_head(text: str) -> Head | None:
    """Read a `HEAD` file; None when it is neither a branch nor a commit (ask git then)."""
    line = text.strip()
    branch = _BRANCH.fullmatch(line)
    if branch:
        return Head(branch.group(1))
    if _COMMIT.fullmatch(line):
        return Head(None)
    return None


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
