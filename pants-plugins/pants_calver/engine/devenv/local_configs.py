"""The developer's local configuration copies, read from disk, and their samples.

The copies (`./manager.toml`, ...) are git-ignored in Backend.AI, so Pants' globs do not see them
(`pants_ignore` follows `.gitignore`): they are read from the disk directly. That is done on every
run, from the goal rule, never in a `@rule` (whose result pantsd would keep while the file changes
unseen). The samples are in the repo: read through the engine here, or from git objects on the
branch a preview looks at.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from pants.engine.fs import DigestContents, PathGlobs
from pants.engine.rules import Get

from pants_calver.core.devenv.config_copies import CopyCheck, CopyStatus


def read_copies(build_root: str, paths: Iterable[str]) -> tuple[dict[str, bytes | None], dict[str, str]]:
    """Each copy's bytes (None: not there), and why a copy that is there cannot be read (a
    folder in its place, no permission), in one line naming it."""
    contents: dict[str, bytes | None] = {}
    errors: dict[str, str] = {}
    for path in paths:
        full = os.path.join(build_root, path)
        if not os.path.lexists(full):
            contents[path] = None
            continue
        try:
            with open(full, "rb") as f:
                contents[path] = f.read()
        except OSError as e:
            contents[path] = None
            errors[path] = f"{path}: cannot be read ({e.strerror or e}): make it a readable file, or remove it."
    return contents, errors


async def work_tree_samples(paths: Iterable[str]) -> dict[str, bytes | None]:
    """The samples in this checkout, through the engine (None: not there)."""
    wanted = sorted(set(paths))
    contents = await Get(DigestContents, PathGlobs(wanted)) if wanted else ()
    found = {fc.path: fc.content for fc in contents}
    return {path: found.get(path) for path in wanted}


def with_read_errors(checks: Iterable[CopyCheck], errors: Mapping[str, str]) -> tuple[CopyCheck, ...]:
    """The checks, a copy that could not be read from disk marked so (it is not absent)."""
    return tuple(
        CopyCheck(c.copy, c.sample, CopyStatus.UNREADABLE, error=errors[c.copy]) if c.copy in errors else c
        for c in checks
    )
