"""Another branch's files, read from git objects without a checkout, with no Pants import.

The engine runs `git ls-tree -r -z --full-tree <ref>` and one `git cat-file --batch` for the blobs
it must read, and passes their output here. A work-tree file is compared with a branch's blob by
object id (`blob_id`), without reading the blob.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from collections.abc import Iterable, Mapping

from pants_calver.core.repo_paths import glob_pattern
from pants_calver.core.errors import GitError, MissingObjectsError

# An object id as git prints it in full: SHA-1 (40 hex digits) or SHA-256 (64). The one spelling
# of it for every reader of git's output.
COMMIT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


@dataclass(frozen=True)
class TreeEntry:
    """A blob in a tree: its mode (`100644`, `100755`, `120000` for a symlink) and object id."""

    mode: str
    oid: str


def parse_ls_tree(output: bytes) -> dict[str, TreeEntry]:
    """The blobs in the output of `git ls-tree -r -z --full-tree <ref>`, by path.

    Submodules (`commit` entries) are left out: their files are not in this repository's objects.
    Paths are decoded as UTF-8 with `surrogateescape`, so any byte a path holds survives.
    """
    entries: dict[str, TreeEntry] = {}
    for record in output.split(b"\0"):
        if not record:
            continue
        meta, tab, path = record.partition(b"\t")
        fields = meta.decode("ascii", "replace").split(" ")
        if not tab or len(fields) != 3:
            raise GitError(f"`git ls-tree -z` printed {record!r}, not `<mode> <type> <oid>\\t<path>`.")
        mode, kind, oid = fields
        if kind == "blob":
            entries[path.decode("utf-8", "surrogateescape")] = TreeEntry(mode, oid)
    return entries


def blob_id(content: bytes, object_format: str = "sha1") -> str:
    """The id git gives a blob holding exactly `content` (what `git hash-object` prints for it).

    Compares a working-tree file with a branch's blob without reading the blob. Git's clean
    filters and end-of-line conversion (`core.autocrlf`, `.gitattributes`) are not applied: a
    file they would convert on commit shows up as changed.
    """
    if object_format not in ("sha1", "sha256"):
        raise ValueError(f"git has no object format {object_format!r}: it is sha1 or sha256.")
    return hashlib.new(object_format, b"blob %d\0" % len(content) + content).hexdigest()


def matching(paths: Iterable[str], globs: Iterable[str]) -> tuple[str, ...]:
    """The paths, sorted, that a list of Pants path globs takes in: `**` crosses directories, `*` and
    `?` do not, and a glob starting with `!` leaves out what it matches, as in `PathGlobs`."""
    patterns = [(g.startswith("!"), glob_pattern(g[g.startswith("!") :])) for g in globs]
    keep = [p for p in paths if any(p2.match(p) for out, p2 in patterns if not out)]
    return tuple(sorted(p for p in keep if not any(p2.match(p) for out, p2 in patterns if out)))


SYMLINK = "120000"


def link_oids(tree: Mapping[str, TreeEntry], paths: Iterable[str]) -> tuple[str, ...]:
    """The object ids of the links among `paths`, whose text (the link's target) must be read."""
    return tuple(sorted({tree[p].oid for p in paths if p in tree and tree[p].mode == SYMLINK}))


def followed(tree: Mapping[str, TreeEntry], path: str, texts: Mapping[str, bytes]) -> str | None:
    """The blob id of the file at `path`, through a link to a file of the tree (as a checkout reads
    it); None when there is none, or the link leads out of the tree, to a folder or to a link.
    `texts` holds the links' text by object id (see `link_oids`)."""
    entry = tree.get(path)
    if entry is None or entry.mode != SYMLINK:
        return entry.oid if entry else None
    target = posixpath.normpath(
        posixpath.join(posixpath.dirname(path), texts[entry.oid].decode("utf-8", "surrogateescape"))
    )
    found = tree.get(target)
    return found.oid if found is not None and found.mode != SYMLINK else None


def cat_file_request(oids: Iterable[str]) -> bytes:
    """The standard input of `git cat-file --batch` for these object ids, each asked once."""
    unique = tuple(dict.fromkeys(oids))
    for oid in unique:
        if not COMMIT_ID.fullmatch(oid):
            raise ValueError(f"{oid!r} is not a full object id.")
    return b"".join(b"%s\n" % oid.encode() for oid in unique)


def parse_cat_file_batch(output: bytes) -> dict[str, bytes]:
    """The content of each object in the output of `git cat-file --batch`, by object id.

    Raises `MissingObjectsError` when git answered `<oid> missing` for any, after reading the whole
    output; `GitError` when the output is not in `--batch`'s format.
    """
    found: dict[str, bytes] = {}
    missing: list[str] = []
    pos = 0
    while pos < len(output):
        eol = output.find(b"\n", pos)
        header = output[pos:eol].split(b" ") if eol >= 0 else []
        if len(header) == 2 and header[1] == b"missing":
            missing.append(header[0].decode())
            pos = eol + 1
            continue
        end = eol + 1 + int(header[2]) if len(header) == 3 and header[2].isdigit() else -1
        if end < 0 or output[end : end + 1] != b"\n":
            raise GitError(f"`git cat-file --batch` printed {output[pos:][:80]!r}, not its format.")
        found[header[0].decode()] = output[eol + 1 : end]
        pos = end + 1
    if missing:
        raise MissingObjectsError(tuple(missing))
    return found
