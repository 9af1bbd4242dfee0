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

from pants_calver.core.devenv.config_copies import (
    CopyCheck,
    CopyStatus,
    check_copies_of,
    sample_fingerprints,
    unreadable_copy,
)
from pants_calver.core.problems import Problem


def read_copies(build_root: str, paths: Iterable[str]) -> tuple[dict[str, bytes | None], dict[str, Problem]]:
    """Each copy's bytes (None: not there), and the problem of a copy that is there but cannot be
    read (a folder in its place, no permission)."""
    contents: dict[str, bytes | None] = {}
    errors: dict[str, Problem] = {}
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
            errors[path] = unreadable_copy(path, e.strerror or str(e))
    return contents, errors


async def work_tree_samples(paths: Iterable[str]) -> dict[str, bytes | None]:
    """The samples in this checkout, through the engine (None: not there)."""
    wanted = sorted(set(paths))
    contents = await Get(DigestContents, PathGlobs(wanted)) if wanted else ()
    found = {fc.path: fc.content for fc in contents}
    return {path: found.get(path) for path in wanted}


def with_read_errors(checks: Iterable[CopyCheck], errors: Mapping[str, Problem]) -> tuple[CopyCheck, ...]:
    """The checks, a copy that could not be read from disk marked so (it is not absent)."""
    return tuple(
        CopyCheck(c.copy, c.sample, CopyStatus.UNREADABLE, problem=errors[c.copy]) if c.copy in errors else c
        for c in checks
    )


async def copies_after_switch(
    build_root: str, copies: Mapping[str, str], recorded: Mapping[str, Mapping[str, str]]
) -> tuple[tuple[CopyCheck, ...], dict[str, dict[str, str]]]:
    """Each copy against its sample in this checkout, the old sample being the one the last run
    recorded; and the samples' keys to record for the next run."""
    samples = await work_tree_samples(copies.values())
    contents, errors = read_copies(build_root, copies)
    checks = with_read_errors(check_copies_of(copies, contents, samples, recorded), errors)
    keys = {s: found for s in samples for found in [sample_fingerprints(s, samples[s])] if found is not None}
    return checks, keys


async def copies_before_switch(
    build_root: str, copies: Mapping[str, str], there: Mapping[str, bytes | None], branch: str
) -> tuple[CopyCheck, ...]:
    """Each copy against its sample on `branch` (`there`), the old sample being this checkout's."""
    here = await work_tree_samples(copies.values())
    old = {s: found for s in here for found in [sample_fingerprints(s, here[s])] if found is not None}
    contents, errors = read_copies(build_root, copies)
    return with_read_errors(
        check_copies_of(copies, contents, there, old, sample_where=f"on {branch}"), errors
    )
