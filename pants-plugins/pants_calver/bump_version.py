"""`pants bump-version`: move the repo to a new version, rewriting VERSION and every first-party pin."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from pants.base.build_root import BuildRoot
from pants.engine.console import Console
from pants.engine.fs import CreateDigest, Digest, FileContent, Workspace
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, collect_rules, goal_rule
from pants.option.option_types import BoolOption, EnumOption, StrOption
from pants.util.docutil import bin_name
from pants.util.strutil import softwrap
from pants.vcs.git import GitBinaryException, GitWorktreeRequest, MaybeGitWorktree

from pants_calver import repo
from pants_calver.bump import BumpPlan, FileChange, Source, plan_bump, stale
from pants_calver.repo import VersionedRepo, current_branch
from pants_calver.subsystem import CalverError, CalverSubsystem
from pants_calver.sync import Problem, plural
from pants_calver.version import (
    CalVersion,
    NextKind,
    Scheme,
    VersionError,
    VersionFile,
    on_branch,
    parse_branch,
)


class BumpVersionSubsystem(GoalSubsystem):
    name = "bump-version"
    help = softwrap(
        f"""
        Move the repo to a new version: rewrite the version file, the regular version files of the
        distributions, and every first-party pin, all or nothing.

        Give exactly one of `--to`, `--next` or `--sync`. Exact pins (`==`, `===`) on distributions
        that share the version get the new version in normalized form; other specifiers are only
        normalized, and one that would exclude the new version stops the bump. Links are left as
        they are, and files keep their encoding, line endings and mode. Nothing is written when
        anything is wrong, and a failed write puts back what was written.

        Exits 0 when the repo was bumped (or `--dry-run` printed the diff) and 1 when nothing was
        written. Settings are in `[calver]`; run `{bin_name()} check-version-sync` to see drift.
        """
    )

    to = StrOption(
        default=None,
        help="Set this version, given in any spelling that parses (`24.3.0rc1`); it is written in display form.",
    )
    next = EnumOption(
        enum_type=NextKind,
        default=None,
        help=softwrap(
            """
            Move to the next version of this kind: `patch` (23.09.6 → 23.09.7), `dev` (→ 23.09.7.dev0,
            or the next `.devN`), `a`, `b` or `rc` (the next pre-release of that kind; never back from
            rc to b), `release` (drop the pre-release), or `cycle` (after cutting release branch
            `x.y`, main's next development cycle: 23.09 → 24.03.0.dev0 with `[calver].release_months`).
            """
        ),
    )
    sync = BoolOption(
        default=False,
        help=softwrap(
            """
            Keep the version and rewrite everything else to agree with it: the version file's
            spelling, regular version files, and pins in normalized form.
            """
        ),
    )
    dry_run = BoolOption(
        default=False, help="Print a unified diff of every change and write nothing (exit 0)."
    )
    allow_dirty = BoolOption(
        default=False,
        help=softwrap(
            """
            Rewrite files that have uncommitted changes. By default the bump refuses, so that it
            never mixes with unrelated edits.
            """
        ),
    )
    branch = StrOption(
        default=None,
        help=softwrap(
            """
            The branch being bumped, for checkouts in detached HEAD. On a release branch `x.y` only
            `x.y.*` versions are allowed. Default: the branch git has checked out.
            """
        ),
    )


class BumpVersion(Goal):
    subsystem_cls = BumpVersionSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


class BumpError(Exception):
    """A mistake in the command or the repo that stops the bump before anything is written."""


def target_version(
    subsystem: BumpVersionSubsystem, current: Optional[CalVersion], scheme: Scheme
) -> CalVersion:
    """The version the command asks for; raises `BumpError` for a bad command."""
    modes = [
        flag
        for flag, given in (("--to", subsystem.to), ("--next", subsystem.next), ("--sync", subsystem.sync))
        if given
    ]
    if len(modes) != 1:
        said = " and ".join(modes) if modes else "none"
        raise BumpError(f"give exactly one of --to=VERSION, --next=KIND or --sync (got {said}).")
    try:
        if subsystem.to:
            return CalVersion.parse(subsystem.to)
        if current is None:
            raise BumpError("the version file is unreadable: fix it first, or give --to=VERSION.")
        if subsystem.next:
            return current.next(subsystem.next, scheme)
        return current
    except VersionError as e:
        raise BumpError(f"{e.message}.") from None


def _relative_real_path(build_root: str, path: str) -> Optional[str]:
    """The path, relative to the build root, of the file that holds `path`'s bytes."""
    real = os.path.realpath(os.path.join(build_root, path))
    relative = os.path.relpath(real, os.path.realpath(build_root))
    return None if relative.startswith("..") else relative


def make_plan(
    versioned: VersionedRepo, subsystem: BumpVersionSubsystem, scheme: Scheme, build_root: str
) -> BumpPlan:
    """Plan the bump; raises `BumpError` for what stops it outright."""
    if versioned.version_content is None:
        raise BumpError(
            f"{versioned.version_file}: the version file is missing; create it with the current version."
        )
    try:
        old_text: Optional[str] = VersionFile.decode(versioned.version_content).text
        current: Optional[CalVersion] = CalVersion.parse(old_text or "")
    except VersionError as e:
        if not subsystem.to:
            raise BumpError(
                f"{versioned.version_file}:1: {e.message}; fix it, or give --to=VERSION."
            ) from None
        old_text, current = None, None
    new = target_version(subsystem, current, scheme)
    return plan_bump(
        new,
        old_text,
        versioned.version_file,
        versioned.version_content,
        versioned.package_files(is_link=lambda path: os.path.islink(os.path.join(build_root, path))),
        [
            Source(file.path, scan, file.content, _relative_real_path(build_root, file.path))
            for file, scan in zip(versioned.sources, versioned.scans)
        ],
        versioned.independent_keys,
        scheme,
        sync=subsystem.sync,
    )


async def dirty_files(paths: Sequence[str]) -> List[str]:
    """Those of `paths` that git reports as changed since HEAD or untracked (none without git)."""
    worktree = (await Get(MaybeGitWorktree, GitWorktreeRequest())).git_worktree
    if worktree is None:
        return []
    try:
        changed = worktree.changed_files(include_untracked=True)
    except GitBinaryException:
        return []
    return sorted(set(paths) & changed)


def _read_disk(build_root: str, path: str) -> Optional[bytes]:
    try:
        return Path(build_root, path).read_bytes()
    except OSError:
        return None


def _print_problems(console: Console, problems: Sequence[Problem]) -> None:
    for problem in problems:
        console.print_stderr(f"{console.red(problem.location)}: {problem.message}")


def _report(console: Console, plan: BumpPlan, new: str, versioned: VersionedRepo) -> None:
    old = plan.old if plan.old is not None else "(unreadable)"
    console.print_stdout(
        f"{versioned.version_file}: {old} → {new}" if old != new else f"{versioned.version_file}: {new}"
    )
    for change in plan.changes:
        console.print_stdout(f"  {change.path}: {change.what}")
    resolves = sorted({r for change in plan.changes for r in versioned.resolves_of(change.path)})
    if resolves:
        flags = " ".join(f"--resolve={r}" for r in resolves)
        console.print_stdout(
            f"Changed requirements feed the {'resolves' if len(resolves) > 1 else 'resolve'} {', '.join(resolves)}: "
            f"run `{bin_name()} generate-lockfiles {flags}`."
        )


# The engine writes a digest's files concurrently and raises at the first failure, while the
# writes of other files can still land for a moment after that (seen in the tests: a file changed
# after the failed write had returned). So the rollback looks again after each round.
_SETTLE_DELAYS = (0.05, 0.1, 0.2, 0.4)


async def _put_back(
    workspace: Workspace, changes: Sequence[FileChange], on_disk: Callable[[], Dict[str, Optional[bytes]]]
) -> List[str]:
    """Write the old bytes back to every file that no longer holds them, until the files stay put;
    returns the paths that still do not hold their old bytes."""
    for delay in _SETTLE_DELAYS:
        time.sleep(delay)  # Only on this failure path: let writes in flight land.
        touched = set(stale(changes, on_disk()))
        if not touched:
            return []
        old = [FileContent(c.path, c.old) for c in changes if c.path in touched]
        try:
            workspace.write_digest(await Get(Digest, CreateDigest(old)))
        except Exception:
            pass  # What is still not put back is returned below.
    return stale(changes, on_disk())


@goal_rule
async def bump_version(
    console: Console,
    workspace: Workspace,
    build_root: BuildRoot,
    subsystem: BumpVersionSubsystem,
    calver: CalverSubsystem,
) -> BumpVersion:
    def fail(message: str) -> BumpVersion:
        console.print_stderr(console.red(f"error: {message}"))
        return BumpVersion(exit_code=1)

    try:
        scheme = calver.scheme()
        versioned = await Get(VersionedRepo)
    except CalverError as e:
        return fail(str(e))
    try:
        plan = make_plan(versioned, subsystem, scheme, build_root.path)
    except BumpError as e:
        return fail(str(e))
    new = plan.new.display(scheme)

    branch = await current_branch(subsystem.branch, build_root.path)
    release_branch = parse_branch(branch) if branch else None
    if release_branch is not None and not on_branch(plan.new, release_branch):
        return fail(
            f"release branch {branch} takes only {branch}.* versions, not {new}; bump on main instead."
        )
    if plan.problems:
        _print_problems(console, plan.problems)
        return fail(f"nothing was written: {plural(len(plan.problems), 'problem')} above.")

    if subsystem.dry_run:
        for change in plan.changes:
            console.print_stdout(change.diff(), end="")
        _report(console, plan, new, versioned)
        return BumpVersion(exit_code=0)
    if not plan.changes:
        console.print_stdout(f"{versioned.version_file}: {new}, and everything already agrees with it.")
        return BumpVersion(exit_code=0)

    paths = [change.path for change in plan.changes]
    if not subsystem.allow_dirty:
        dirty = await dirty_files(paths)
        if dirty:
            return fail(
                "these files have uncommitted changes, and the bump would rewrite them: "
                f"{', '.join(dirty)}. Commit or stash them, or pass --allow-dirty."
            )

    def on_disk() -> Dict[str, Optional[bytes]]:
        return {path: _read_disk(build_root.path, path) for path in paths}

    changed = stale(plan.changes, on_disk())
    if changed:
        return fail(f"these files changed while the bump was planned: {', '.join(changed)}. Run it again.")

    # All new bytes go out in one write; a failed write is undone from the plan's old bytes.
    try:
        workspace.write_digest(
            await Get(Digest, CreateDigest([FileContent(c.path, c.new) for c in plan.changes]))
        )
    except Exception as error:  # The engine raises a plain Exception carrying the OS error.
        unrestored = await _put_back(workspace, plan.changes, on_disk)
        if unrestored:
            return fail(
                f"writing failed: {error}. These files could not be put back: {', '.join(unrestored)}; "
                "restore them with `git checkout -- <file>`."
            )
        return fail(f"writing failed: {error}. Every file was put back; the tree is as it was.")
    _report(console, plan, new, versioned)
    return BumpVersion(exit_code=0)


def rules():
    return [*collect_rules(), *repo.rules()]
