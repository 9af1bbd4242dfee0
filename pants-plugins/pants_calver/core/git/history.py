"""One `git log` of one side of a release branch, read, with full commit ids, with no Pants import.

The same records as `core/git/log.py` (NUL-ended fields, raw messages read for their trailers),
with each commit's full id first: the id that a `(cherry picked from commit <id>)` line and a
`Backport-of:` trailer name, and that `git patch-id` prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pants_calver.core.errors import GitError
from pants_calver.core.git.log import Commit
from pants_calver.core.text import decode

# Full id, short id, subject, raw message, each ended by a NUL; a record starts with an empty field.
HISTORY_FORMAT = "%x00%H%x00%h%x00%s%x00%B%x00"
_COMMIT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def history_args(include: str, exclude: str, paths: bool) -> list[str]:
    """The `git` arguments that print, for `parse_history`, every commit that `include` has and
    `exclude` has not (both full commit ids, never a user's ref), merge commits left out, newest
    first; with `paths`, the paths each commit changes."""
    for commit in (include, exclude):
        if not _COMMIT_ID.fullmatch(commit):
            raise ValueError(f"not a full commit id: {commit!r}")
    return [
        "log",
        "--no-merges",
        "--topo-order",
        "--no-renames",
        "--no-show-signature",
        "--encoding=UTF-8",
        f"--format={HISTORY_FORMAT}",
        *(["--name-only"] if paths else []),
        "-z",
        include,
        f"^{exclude}",
        "--",
    ]


@dataclass(frozen=True)
class Logged:
    """A commit of the log and its full id."""

    oid: str
    commit: Commit


def parse_history(output: bytes) -> tuple[Logged, ...]:
    """Split the output of `git <history_args(...)>` into commits, newest first; raises GitError
    for output that is not in that shape."""
    fields, logged, i = decode(output).split("\x00"), [], 0
    while i < len(fields) - 1:
        if (
            fields[i]
            or len(fields) < i + 7
            or fields[i + 5]
            or fields[-1]
            or not _COMMIT_ID.fullmatch(fields[i + 1])
        ):
            raise GitError(
                f"`git log` printed what this cannot read (at field {i}): "
                "check that `git log -z --name-only` works here, and report it."
            )
        oid, sha, subject, message = fields[i + 1 : i + 5]
        i, paths = i + 6, []
        if fields[i].startswith("\n"):
            paths.append(fields[i][1:])
            i += 1
            while fields[i]:
                paths.append(fields[i])
                i += 1
        logged.append(Logged(oid, Commit.from_message(oid, sha, subject, message, tuple(paths))))
    return tuple(logged)
