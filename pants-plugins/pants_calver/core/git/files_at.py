"""One file at many commits, through one `git cat-file --batch`, with no Pants import.

`git cat-file --batch` takes `<commit>:<path>` lines and answers each, in order, with the blob's
header and bytes, or `<commit>:<path> missing` when the commit has no such file. Through an
annotated tag's object id the same works (git peels a tag to its tree for `:<path>`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pants_calver.core.errors import GitError
from pants_calver.core.git.objects import COMMIT_ID

CAT_FILE_ARGS = ("cat-file", "--batch")


def files_at_request(objects: Sequence[str], path: str) -> bytes:
    """The standard input of `git cat-file --batch` for `path` at each of `objects` (full ids of
    commits or tags). The path is relative to the repository's root (`VERSION`)."""
    if not path or "\n" in path or path.startswith(("/", "./")):
        raise ValueError(f"not a path from the repository's root that cat-file can take: {path!r}")
    for oid in objects:
        if not COMMIT_ID.fullmatch(oid):
            raise ValueError(f"{oid!r} is not a full object id.")
    return b"".join(f"{oid}:{path}\n".encode("utf-8", "surrogateescape") for oid in objects)


def parse_files_at(output: bytes, count: int) -> tuple[bytes | None, ...]:
    """The bytes of each requested file, in the order asked, None where git answered `missing`
    (no such file there) or the object is no blob (a folder); raises GitError for output that
    is not `--batch`'s, or that answers another number of requests than `count`."""
    found: list[bytes | None] = []
    pos = 0
    while pos < len(output):
        eol = output.find(b"\n", pos)
        header = output[pos:eol] if eol >= 0 else output[pos:]
        if eol >= 0 and header.endswith(b" missing"):
            found.append(None)
            pos = eol + 1
            continue
        fields = header.split(b" ")
        size = int(fields[2]) if len(fields) == 3 and fields[2].isdigit() else -1
        end = eol + 1 + size
        if eol < 0 or size < 0 or output[end : end + 1] != b"\n":
            raise GitError(f"`git cat-file --batch` printed {output[pos:][:80]!r}, not its format.")
        found.append(output[eol + 1 : end] if fields[1] == b"blob" else None)
        pos = end + 1
    if len(found) != count:
        raise GitError(f"`git cat-file --batch` answered {len(found)} of {count} requests.")
    return tuple(found)
