"""One `git log` of a range of commits, read: its arguments and its output, with no Pants import.

The one reader of `git log` here: check-backports reads HEAD's side of its base, check-release-branch
each side of a release branch. Each commit comes with its full id (the id that a `(cherry picked
from commit <id>)` line and a `Backport-of:` trailer name, and that `git patch-id` prints) and
the short id git prints, which the goals show.
"""

from __future__ import annotations

from dataclasses import dataclass

from pants_calver.core.errors import GitError
from pants_calver.core.git import trailers
from pants_calver.core.text import decode
from pants_calver.core.git.objects import COMMIT_ID

# One record per commit, every field ended by a NUL, which git never prints inside a field (it
# refuses to make a commit whose message holds one, and prints a message made by other means only
# up to its first NUL): full id, short id, subject, raw message. With `-z --name-only`, git ends
# the record with one more NUL and, when the commit changes paths, a `\n` and each path ended by a
# NUL. A record starts with an empty field, so that the paths (never empty) end at one.
LOG_FORMAT = "%x00%H%x00%h%x00%s%x00%B%x00"


def log_args(include: str, exclude: str, *, paths: bool) -> list[str]:
    """The `git` arguments that print, for `parse_log`, every commit that `include` has and
    `exclude` has not, merge commits left out, newest first; with `paths`, the paths each commit
    changes. Both are full commit ids, never a user's ref nor `HEAD` (a goal resolves HEAD once,
    so that every step of a run reads the same commits).

    Not only the first parents: the commits a merge brings in (a pull request's, in the merge
    commit that CI checks out) are on the branch as much as those committed on it. The
    topological order keeps the commits of each merged line of history together. Messages come
    as UTF-8 whatever `i18n.logOutputEncoding` says, and no signature check adds lines.
    """
    for commit in (include, exclude):
        if not COMMIT_ID.fullmatch(commit):
            raise ValueError(f"not a full commit id: {commit!r}")
    return [
        "log",
        "--no-merges",
        "--topo-order",
        "--no-renames",
        "--no-show-signature",
        "--encoding=UTF-8",
        f"--format={LOG_FORMAT}",
        *(["--name-only"] if paths else []),
        "-z",
        f"{exclude}..{include}",
        "--",
    ]


@dataclass(frozen=True)
class Commit:
    """A commit as git shows it: `oid` its full id, `sha` the short id git prints; `trailers` are
    the `(key, value)` pairs `git interpret-trailers --parse` reads in `message`. Text is decoded
    with `surrogateescape` (`text.decode`), so that bytes that are not UTF-8 come back as they were
    (`text.encode`)."""

    oid: str
    sha: str
    subject: str
    trailers: tuple[tuple[str, str], ...]
    message: str
    paths: tuple[str, ...]

    def values(self, key: str) -> list[str]:
        """The values of a trailer, its key compared case-insensitively as git does."""
        return [value for name, value in self.trailers if name.lower() == key]

    @classmethod
    def from_message(
        cls, oid: str, sha: str, subject: str, message: str, paths: tuple[str, ...] = ()
    ) -> Commit:
        """The commit with the trailers git reads in `message`."""
        pairs = tuple((t.key, t.value) for t in trailers.read(message).trailers)
        return cls(oid, sha, subject, pairs, message, paths)


def parse_log(output: bytes) -> tuple[Commit, ...]:
    """Split the output of `git <log_args(...)>` into commits, newest first; raises GitError
    for output that is not in that shape (a full id missing, a field too many or too few)."""
    fields, commits, i = decode(output).split("\x00"), [], 0
    while i < len(fields) - 1:
        if (
            fields[i]
            or len(fields) < i + 7
            or fields[i + 5]
            or fields[-1]
            or not COMMIT_ID.fullmatch(fields[i + 1])
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
        commits.append(Commit.from_message(oid, sha, subject, message, tuple(paths)))
    return tuple(commits)
