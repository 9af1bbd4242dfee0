"""The bump's files on disk: how they are linked, what they hold, and writing them all or nothing
through Pants' workspace; and any path's exact state, kept before a release and put back after a
failed one."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from types import MappingProxyType
from collections.abc import Iterable, Sequence
from typing import Optional, Tuple

from pants.engine.fs import CreateDigest, Digest, FileContent, Workspace
from pants.engine.rules import Get

from pants_calver.core.versions.bump import FileChange, stale
from pants_calver.core.versions.versioned_repo import Links


def links_on_disk(build_root: str, paths: Iterable[str]) -> Links:
    """How `paths` are linked in the work tree, read from the filesystem before planning."""
    root = os.path.realpath(build_root)

    def real_path(path: str) -> str | None:
        real = os.path.realpath(os.path.join(build_root, path))
        relative = os.path.relpath(real, root)
        return None if relative.startswith("..") else relative

    paths = sorted(set(paths))
    return Links(
        real_paths=MappingProxyType({path: real_path(path) for path in paths}),
        links=frozenset(path for path in paths if os.path.islink(os.path.join(build_root, path))),
    )


def read_disk(build_root: str, paths: Sequence[str]) -> dict[str, bytes | None]:
    def read(path: str) -> bytes | None:
        try:
            return Path(build_root, path).read_bytes()
        except OSError:
            return None

    return {path: read(path) for path in paths}


# The engine writes a digest's files concurrently and raises at the first failure, while the
# writes of other files can still land for a moment after that (seen in the tests: a file changed
# after the failed write had returned). So the rollback looks again after each round.
_SETTLE_DELAYS = (0.05, 0.1, 0.2, 0.4)


async def put_back(workspace: Workspace, build_root: str, changes: Sequence[FileChange]) -> list[str]:
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


async def write_all(workspace: Workspace, build_root: str, changes: Sequence[FileChange]) -> str | None:
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


# What a path held: None (nothing), ("link", target), ("file", bytes, permission bits), or
# ("other",) for a directory (a submodule) or a special file, which is never touched.
Entry = Optional[Tuple]


def read_entry(build_root: str, path: str) -> Entry:
    """What `path` holds now, without following a link."""
    full = os.path.join(build_root, path)
    try:
        mode = os.lstat(full).st_mode
        if stat.S_ISLNK(mode):
            return ("link", os.readlink(full))
        if stat.S_ISREG(mode):
            return ("file", Path(full).read_bytes(), stat.S_IMODE(mode))
    except FileNotFoundError:
        return None
    return ("other",)


# A failed release puts paths back with plain file operations, not through the workspace: the
# workspace follows links and cannot make one, and the path may have become a link, a file or
# nothing at all since.


def put_entry(build_root: str, path: str, entry: Entry) -> bool:
    """Make `path` hold `entry` again, with its mode; False when that failed, or when something
    this does not touch (a directory) is in the way."""
    current = read_entry(build_root, path)
    if current == entry or entry == ("other",):
        return True
    full = os.path.join(build_root, path)
    try:
        if current is not None:
            if current == ("other",):
                return False
            os.unlink(full)
        if entry is None:
            prune_empty_parents(build_root, path)
            return True
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if entry[0] == "link":
            os.symlink(entry[1], full)
        else:
            Path(full).write_bytes(entry[1])
            os.chmod(full, entry[2])
    except OSError:
        return False
    return True


def prune_empty_parents(build_root: str, path: str) -> None:
    """Remove the directories above `path` that are left empty, up to the build root (git keeps
    no empty directory: one left empty was made for what was removed)."""
    parent = os.path.dirname(path)
    while parent:
        try:
            os.rmdir(os.path.join(build_root, parent))
        except OSError:
            return
        parent = os.path.dirname(parent)
