"""`pants bump-version`: move the repo to a new version, rewriting VERSION and every first-party pin."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import List, Optional, Sequence, Set, Tuple

from pants.base.build_root import BuildRoot
from pants.engine.console import Console
from pants.engine.env_vars import CompleteEnvironmentVars
from pants.engine.fs import Workspace
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, collect_rules, goal_rule
from pants.option.option_types import BoolOption, EnumOption, StrListOption, StrOption
from pants.util.docutil import bin_name
from pants.util.strutil import softwrap

from pants_calver.core import pins
from pants_calver.engine import repo
from pants_calver.core.bump import BumpPlan, Source, plan_bump, stale
from pants_calver.core.release import (
    Done,
    ReleaseError,
    check_cut,
    commands,
    fill,
    push_command,
    release_branch,
    template_values,
    undo_report,
)
from pants_calver.engine.git import Git, GitError
from pants_calver.engine.releasing import (
    Checked,
    GitPlan,
    commit,
    preflight,
    put_back,
    read_disk,
    run_commands,
    write_all,
)
from pants_calver.engine.repo import VersionedRepo, current_branch
from pants_calver.engine.subsystem import CalverError, CalverSubsystem
from pants_calver.core.sync import PackageFile, Problem, plural
from pants_calver.core.version import (
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

        With `--commit`, `--tag-release` or `--cut-branch` the release goes on in git (see their
        help); nothing is ever pushed.

        Exits 0 when the repo was bumped (or `--dry-run` printed the diff and the git steps) and 1
        when nothing was written, or when a git step after the release commit failed (the error
        says what was done and the commands that undo it). Settings are in `[calver]`; run
        `{bin_name()} check-version-sync` to see drift.
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
    commit = BoolOption(
        default=False,
        help=softwrap(
            """
            After the write, commit exactly the files the bump wrote (and what the
            `[bump-version].before_commit` commands changed), with `[bump-version].commit_message`.
            Other staged or unstaged changes stay out of the commit.
            """
        ),
    )
    # Not `--tag`: that is Pants' global option for filtering targets by tag.
    tag_release = BoolOption(
        default=False,
        help="Tag the release commit with `[bump-version].tag_name`. Implies `--commit`.",
    )
    cut_branch = BoolOption(
        default=False,
        help=softwrap(
            """
            For a final `x.y.0` on the main line: after the release commit and tag, create the release
            branch `x.y` at that commit, then move the current branch to the next cycle's `.dev0`
            (as `--next=cycle` would) in a second commit, `[bump-version].cycle_message`. Implies
            `--tag-release`. Never pushes: prints the `git push` command.
            """
        ),
    )
    commit_message = StrOption(
        default="release: {version}",
        advanced=True,
        help=softwrap(
            """
            The release commit's message. Placeholders: `{version}` (as the version file spells it),
            `{old_version}`, `{normalized}` (as pins spell it).
            """
        ),
    )
    tag_name = StrOption(
        default="{version}",
        advanced=True,
        help="The release tag's name; placeholders as in `[bump-version].commit_message`.",
    )
    tag_message = StrOption(
        default=None,
        advanced=True,
        help=softwrap(
            """
            When set, the tag is an annotated tag with this message; placeholders as in
            `[bump-version].commit_message`.
            """
        ),
    )
    cycle_message = StrOption(
        default="Start the {version} cycle",
        advanced=True,
        help=softwrap(
            """
            The message of the commit that starts the next cycle after `--cut-branch`; there
            `{version}` is the next cycle's `.dev0` version.
            """
        ),
    )
    before_commit = StrListOption(
        default=[],
        advanced=True,
        help=softwrap(
            """
            Commands to run after the write and before the release commit, in the build root,
            e.g. `towncrier build --yes --version {version}`; what they change joins the commit.
            Each is split into arguments as a shell would (no shell runs it); placeholders as in
            `[bump-version].commit_message`. A command that fails stops the release, and the
            bump's own edits are put back.
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
    package_files, sources = _plan_inputs(versioned, build_root)
    return plan_bump(
        new,
        old_text,
        versioned.version_file,
        versioned.version_content,
        package_files,
        sources,
        versioned.independent_keys,
        scheme,
        sync=subsystem.sync,
    )


def _plan_inputs(versioned: VersionedRepo, build_root: str) -> Tuple[List[PackageFile], List[Source]]:
    """The version files and requirement sources as `plan_bump` takes them, with their links."""
    return (
        versioned.package_files(is_link=lambda path: os.path.islink(os.path.join(build_root, path))),
        [
            Source(file.path, scan, file.content, _relative_real_path(build_root, file.path))
            for file, scan in zip(versioned.sources, versioned.scans)
        ],
    )


def dirty_files(git: Git, paths: Sequence[str]) -> List[str]:
    """Those of `paths` that git reports as changed or untracked (none outside git)."""
    return sorted(set(paths) & (git.status() or set()))


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


def make_git_plan(
    subsystem: BumpVersionSubsystem, plan: BumpPlan, scheme: Scheme, on_release_branch: bool
) -> GitPlan:
    """The git steps the command asks for; raises ReleaseError for one that cannot be done."""
    cut, tag = subsystem.cut_branch, subsystem.tag_release or subsystem.cut_branch
    if not (subsystem.commit or tag):
        return GitPlan()
    if cut:
        check_cut(plan.new, on_release_branch, scheme)
    values = template_values(plan.new, plan.old, scheme)
    tag_message = subsystem.tag_message
    return GitPlan(
        commit_message=fill("[bump-version].commit_message", subsystem.commit_message, values),
        tag=fill("[bump-version].tag_name", subsystem.tag_name, values) if tag else None,
        tag_message=fill("[bump-version].tag_message", tag_message, values)
        if tag_message is not None
        else None,
        branch=release_branch(plan.new, scheme) if cut else None,
        before_commit=tuple(commands("[bump-version].before_commit", subsystem.before_commit, values)),
    )


def plan_cycle(versioned: VersionedRepo, released: BumpPlan, scheme: Scheme, build_root: str) -> BumpPlan:
    """The bump from the release just written to the next cycle's `.dev0`, planned on the bytes
    the release wrote."""
    written = {change.path: change.new for change in released.changes}
    package_files, sources = _plan_inputs(versioned, build_root)
    first_party = frozenset(d.key for d in versioned.distributions)
    return plan_bump(
        released.new.next(NextKind.cycle, scheme),
        released.new.display(scheme),
        versioned.version_file,
        written.get(versioned.version_file, versioned.version_content),
        [replace(p, content=written.get(p.path, p.content)) for p in package_files],
        [
            replace(
                source,
                content=written[source.real_path],
                scan=pins.scan(source.path, pins.decode(written[source.real_path]), first_party),
            )
            if source.real_path in written
            else source
            for source in sources
        ],
        versioned.independent_keys,
        scheme,
        sync=False,
    )


async def release(
    workspace: Workspace, git: Git, git_plan: GitPlan, plan: BumpPlan, before: Set[str], head: str
) -> Tuple[List[Done], Optional[str], str]:
    """The release commit, tag and branch after the bump's write: the steps done, why the release
    stopped (None when it did not), and the release commit."""
    error = run_commands(git, git_plan.before_commit)
    if error:
        unrestored = await put_back(workspace, git.root, plan.changes)
        kept = f"; these files were not put back: {', '.join(unrestored)}" if unrestored else ""
        return [], f"{error}\nThe release stopped; the bump's edits were put back{kept}.", ""
    paths = [change.path for change in plan.changes]
    joined = sorted(set(paths) | ((git.status() or set()) - before))
    assert git_plan.commit_message is not None
    done: List[Done] = []
    try:
        sha = commit(git, joined, git_plan.commit_message)
    except GitError as e:
        await put_back(workspace, git.root, plan.changes)
        return [], f"{e}\nThe release stopped; the bump's edits were put back.", ""
    done.append(Done(f"committed {sha} {git_plan.commit_message}", f"git reset --keep {head}"))
    try:
        if git_plan.tag:
            message = ["-a", "-m", git_plan.tag_message] if git_plan.tag_message is not None else []
            git.out("tag", *message, git_plan.tag, sha)
            done.append(Done(f"tagged {git_plan.tag}", f"git tag -d {git_plan.tag}"))
        if git_plan.branch:
            git.out("branch", git_plan.branch, sha)
            done.append(
                Done(f"created branch {git_plan.branch} at {sha}", f"git branch -D {git_plan.branch}")
            )
    except GitError as e:
        return done, undo_report(str(e), done), sha
    return done, None, sha


@goal_rule
async def bump_version(
    console: Console,
    workspace: Workspace,
    build_root: BuildRoot,
    subsystem: BumpVersionSubsystem,
    calver: CalverSubsystem,
    environment: CompleteEnvironmentVars,
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
    on_release_branch = parse_branch(branch) if branch else None
    if on_release_branch is not None and not on_branch(plan.new, on_release_branch):
        return fail(
            f"release branch {branch} takes only {branch}.* versions, not {new}; bump on main instead."
        )
    if plan.problems:
        _print_problems(console, plan.problems)
        return fail(f"nothing was written: {plural(len(plan.problems), 'problem')} above.")
    try:
        git_plan = make_git_plan(subsystem, plan, scheme, on_release_branch is not None)
    except ReleaseError as e:
        return fail(f"{e}.")
    paths = [change.path for change in plan.changes]
    cycle = plan_cycle(versioned, plan, scheme, build_root.path) if git_plan.branch else None
    if cycle is not None and cycle.problems:
        _print_problems(console, cycle.problems)
        return fail(
            f"nothing was written: the next cycle, {cycle.new.display(scheme)}, cannot follow "
            f"({plural(len(cycle.problems), 'problem')} above)."
        )

    if subsystem.dry_run:
        for change in plan.changes:
            console.print_stdout(change.diff(), end="")
        _report(console, plan, new, versioned)
        steps = git_plan.describe(paths)
        if cycle is not None:
            cycle_paths = ", ".join(c.path for c in cycle.changes)
            steps.append(
                f"  then {cycle.new.display(scheme)} in {cycle_paths}, and commit them: "
                + fill(
                    "[bump-version].cycle_message",
                    subsystem.cycle_message,
                    template_values(cycle.new, new, scheme),
                )
            )
        if steps:
            console.print_stdout("Then, in git:\n" + "\n".join(steps))
        return BumpVersion(exit_code=0)
    if not plan.changes:
        if git_plan.commit_message is not None:
            return fail(f"{versioned.version_file} is {new} already: there is nothing to release.")
        console.print_stdout(f"{versioned.version_file}: {new}, and everything already agrees with it.")
        return BumpVersion(exit_code=0)

    git = Git(build_root.path, dict(environment))
    checked = Checked(set(), "", "")
    if git_plan.commit_message is not None:
        try:
            checked = preflight(git, git_plan, paths, subsystem.allow_dirty)
        except ReleaseError as e:
            return fail(f"{e}.")
    elif not subsystem.allow_dirty:
        dirty = dirty_files(git, paths)
        if dirty:
            return fail(
                "these files have uncommitted changes, and the bump would rewrite them: "
                f"{', '.join(dirty)}. Commit or stash them, or pass --allow-dirty."
            )

    changed = stale(plan.changes, read_disk(build_root.path, paths))
    if changed:
        return fail(f"these files changed while the bump was planned: {', '.join(changed)}. Run it again.")
    error = await write_all(workspace, build_root.path, plan.changes)
    if error:
        return fail(error)
    _report(console, plan, new, versioned)
    if git_plan.commit_message is None:
        return BumpVersion(exit_code=0)

    done, error, release_sha = await release(workspace, git, git_plan, plan, checked.dirty, checked.head)
    if error:
        return fail(error)
    if cycle is not None:
        cycle_version = cycle.new.display(scheme)
        message = fill(
            "[bump-version].cycle_message", subsystem.cycle_message, template_values(cycle.new, new, scheme)
        )
        error = await write_all(workspace, build_root.path, cycle.changes)
        if error:
            return fail(undo_report(error, done))
        try:
            sha = commit(git, [c.path for c in cycle.changes], message)
        except GitError as e:
            await put_back(workspace, build_root.path, cycle.changes)
            return fail(undo_report(f"{e}; the cycle's edits were put back", done))
        done.append(Done(f"committed {sha} {message}", f"git reset --keep {release_sha}"))
        console.print_stdout(f"{versioned.version_file}: {new} → {cycle_version} on {checked.branch}")
    for step in done:
        console.print_stdout(step.what[:1].upper() + step.what[1:] + ".")
    refs = [
        checked.branch,
        *([git_plan.branch] if git_plan.branch else []),
        *([git_plan.tag] if git_plan.tag else []),
    ]
    console.print_stdout(f"Nothing was pushed. To publish: {push_command('origin', refs)}")
    return BumpVersion(exit_code=0)


def rules():
    return [*collect_rules(), *repo.rules()]
