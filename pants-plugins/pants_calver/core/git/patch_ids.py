"""`git patch-id --stable`, fed by `git diff-tree --stdin -p`: its input and output, with no Pants import.

Two commits that make the same change have the same patch id, whatever their message, parent or
line numbers: a cherry-pick without any mark is still found. The engine runs `git diff-tree` with
`diff_tree_args()` on `diff_tree_request(...)` and pipes what it prints into `git patch-id
--stable`; `parse_patch_ids` reads the answer. diff-tree prints each commit's full id on a line
of its own before its patch, which is where patch-id takes the commit id from: an abbreviated id
would not be one, and the patch would be counted with the commit above it.
"""

from __future__ import annotations

from collections.abc import Iterable

from pants_calver.core.errors import GitError
from pants_calver.core.git.objects import COMMIT_ID

PATCH_ID_ARGS = ("patch-id", "--stable")


def diff_tree_args() -> list[str]:
    """The patches of the commits on standard input, against their first parent (a root commit
    against nothing), with none of the user's diff settings that change the text of a patch."""
    return [
        "diff-tree",
        "--stdin",
        "--root",
        "-p",
        "--no-renames",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
    ]


def diff_tree_request(commits: Iterable[str]) -> bytes:
    """The standard input of `git diff-tree --stdin` for these full commit ids, each once."""
    unique = tuple(dict.fromkeys(commits))
    for commit in unique:
        if not COMMIT_ID.fullmatch(commit):
            raise ValueError(f"{commit!r} is not a full commit id.")
    return b"".join(b"%s\n" % commit.encode() for commit in unique)


def parse_patch_ids(output: bytes) -> dict[str, str]:
    """The patch id of each commit in the output of `git patch-id --stable` (`<patch-id> <commit>`
    lines). A commit that changes nothing (empty, or a merge) has no line, so no patch id."""
    found: dict[str, str] = {}
    for line in output.decode("ascii", "replace").splitlines():
        fields = line.split(" ")
        if len(fields) != 2 or not all(COMMIT_ID.fullmatch(field) for field in fields):
            raise GitError(f"`git patch-id --stable` printed {line[:100]!r}, not `<patch-id> <commit>`.")
        found[fields[1]] = fields[0]
    return found
