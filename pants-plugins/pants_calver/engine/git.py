"""git as a plain process in the build root, with the environment of the `pants` command (so the
user's identity and configuration apply), as Pants' own git support runs it."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from collections.abc import Mapping

from pants_calver.core.errors import GitError
from pants_calver.core.release import parse_status


@dataclass(frozen=True)
class Git:
    """git in one work tree, with the environment of the command that runs the goal."""

    root: str
    env: Mapping[str, str]

    def run(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(
                ["git", *args], cwd=self.root, env=dict(self.env), input=stdin, capture_output=True
            )
        except OSError as e:
            raise GitError(f"cannot run git: {e}") from None

    def out(self, *args: str) -> str:
        """What a git command printed; raises GitError when it fails."""
        result = self.run(*args)
        if result.returncode != 0:
            said = result.stderr.decode(errors="replace").strip() or result.stdout.decode(errors="replace")
            raise GitError(f"`git {' '.join(args)}` failed: {said.strip()}")
        return result.stdout.decode(errors="replace").strip()

    def status(self) -> set[str] | None:
        """Every path that is changed, staged or untracked (one `git status`); None outside git,
        or without a git to run."""
        try:
            result = self.run("status", "--porcelain", "-z", "--untracked-files=all")
        except GitError:
            return None
        return parse_status(result.stdout) if result.returncode == 0 else None
