"""git as a plain process in the build root, with the environment of the `pants` command (so the
user's identity and configuration apply), as Pants' own git support runs it.

This is the one place where a value from a flag or option meets a git command line: `commit`
turns a ref into the id of the commit it names, and `check_ref_name` vets a branch or tag name
before anything is written. Goals pass git those results, never the raw value, so a value that
looks like an option (`--output=/tmp/x`) is refused rather than read by git as one.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Literal

from pants_calver.core.errors import GitError, RefError
from pants_calver.core.releases.plan import parse_status

RefKind = Literal["branch", "tag"]
_REF_PREFIX = {"branch": "refs/heads/", "tag": "refs/tags/"}


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

    def out_bytes(self, *args: str, stdin: bytes | None = None) -> bytes:
        """The bytes a git command printed, as they are; raises GitError when it fails."""
        result = self.run(*args, stdin=stdin)
        if result.returncode != 0:
            said = result.stderr.decode(errors="replace").strip() or result.stdout.decode(errors="replace")
            raise GitError(f"`git {' '.join(args)}` failed: {said.strip()}")
        return result.stdout

    def out(self, *args: str) -> str:
        """What a git command printed, as text; raises GitError when it fails."""
        return self.out_bytes(*args).decode(errors="replace").strip()

    def commit(self, value: str, what: str) -> str:
        """The full id of the commit that `value` (a branch, tag or commit, from the flag or option
        `what`) names; raises RefError when it names none.

        `value` reaches git only after `--end-of-options`, and one that starts with `-` is refused
        before that, so that no value is ever read as an option.
        """
        if not value or value.startswith("-") or "\0" in value:
            raise RefError(f"{what}: `{value}` is not a branch, tag or commit name.")
        result = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{value}^{{commit}}")
        if result.returncode != 0:
            raise RefError(
                f"{what}: git knows no branch, tag or commit `{value}`: check the name, or fetch it first."
            )
        return result.stdout.decode(errors="replace").strip()

    def check_ref_name(self, kind: RefKind, name: str, what: str) -> None:
        """Raises RefError unless git takes `name` (from the option `what`) for a new branch or tag.

        Only the full ref (`refs/tags/<name>`) reaches git, so the name is never read as an option.
        """
        if (
            not name
            or name.startswith("-")
            or "\0" in name
            or self.run("check-ref-format", _REF_PREFIX[kind] + name).returncode != 0
        ):
            raise RefError(f"{what}: `{name}` is not a name git takes for a {kind}.")

    def status(self) -> set[str] | None:
        """Every path that is changed, staged or untracked (one `git status`); None outside git,
        or without a git to run."""
        try:
            result = self.run("status", "--porcelain", "-z", "--untracked-files=all")
        except GitError:
            return None
        return parse_status(result.stdout) if result.returncode == 0 else None
