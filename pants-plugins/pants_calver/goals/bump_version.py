"""`pants bump-version`: move the repo to a new version, rewriting VERSION and every first-party pin,
and (with `--commit`, `--tag-release`, `--cut-branch`) go on with the release in git."""

from __future__ import annotations

from pants.base.build_root import BuildRoot
from pants.engine.console import Console
from pants.engine.env_vars import CompleteEnvironmentVars
from pants.engine.fs import Workspace
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, collect_rules, goal_rule
from pants.option.option_types import BoolOption, EnumOption, StrListOption, StrOption
from pants.util.docutil import bin_name
from pants.util.strutil import softwrap

from pants_calver.core.versions.bump import BumpPlan, BumpRequest
from pants_calver.core.errors import CalverError, GitError, PlanError, ReleaseError
from pants_calver.core.problems import Problem
from pants_calver.core.releases.plan import Prepared, ReleaseRequest, prepare, push_command
from pants_calver.core.versions.version import NextKind, Scheme
from pants_calver.core.versions.versioned_repo import VersionedRepo
from pants_calver.engine.versions import repo
from pants_calver.engine.files import links_on_disk, write_all
from pants_calver.engine.git import Git
from pants_calver.engine.releases.git_steps import Checked, check_before_write, release, snapshot, start_cycle
from pants_calver.engine.versions.repo import current_branch
from pants_calver.engine.subsystem import CalverSubsystem
from pants_calver.goals.output import OutputFormat, problem_lines


class BumpVersionSubsystem(GoalSubsystem):
    name = "bump-version"
    help = softwrap(
        f"""
        Move the repo to a new version: rewrite the version file, the regular version files of the
        distributions, the versions they write in `provides` or `[project] version`, every
        first-party pin and every source declared in `[calver].version_sources` (only the
        version's characters), all or nothing.

        Give exactly one of `--to`, `--next` or `--sync`. Exact pins (`==`, `===`) on distributions
        that share the version get the new version in normalized form; other specifiers are only
        normalized, and one that would exclude the new version stops the bump. Links are left as
        they are, and files keep their encoding, line endings and mode. Nothing is written when
        anything is wrong, and a failed write puts back what was written.

        With `--commit`, `--tag-release` or `--cut-branch` the release goes on in git (see their
        help); nothing is ever pushed.

        Exits 0 when the repo was bumped (or `--dry-run` found that it would be, and printed the
        diff and the git steps) and 1 when nothing was written (a dry run refuses what the real
        run refuses, with the same error), or when a git step after the release commit failed
        (the error says what was done and the commands that undo it). Settings are in `[calver]`; run
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
            spelling, regular version files, versions in `provides` or `[project] version`, pins
            in normalized form, and the sources of `[calver].version_sources` in their declared
            form.
            """
        ),
    )
    dry_run = BoolOption(
        default=False,
        help=softwrap(
            """
            Run every check of the real run, then print a unified diff of every change and the git
            steps, and write nothing. Exits 1 with the real run's error where it would refuse.
            """
        ),
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
            `{old_version}`, `{normalized}` (as pins spell it), with no conversion or format spec.
            """
        ),
    )
    tag_name = StrOption(
        default="{version}",
        advanced=True,
        help=softwrap(
            """
            The release tag's name; placeholders as in `[bump-version].commit_message`. The
            result must be a name git takes for a tag.
            """
        ),
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
            `[bump-version].commit_message`. A command that fails stops the release, and the work
            tree and the index are put back as they were, with what the commands changed (files
            git ignores excepted).
            """
        ),
    )
    branch = StrOption(
        default=None,
        help=softwrap(
            """
            The branch being bumped, for checkouts in detached HEAD: a name git takes for a
            branch. On a release branch `x.y` only `x.y.*` versions are allowed. Default: the
            branch git has checked out.
            """
        ),
    )


class BumpVersion(Goal):
    subsystem_cls = BumpVersionSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


def _release_request(subsystem: BumpVersionSubsystem) -> ReleaseRequest:
    return ReleaseRequest(
        commit=subsystem.commit,
        tag=subsystem.tag_release,
        cut_branch=subsystem.cut_branch,
        commit_message=subsystem.commit_message,
        tag_name=subsystem.tag_name,
        tag_message=subsystem.tag_message,
        before_commit=tuple(subsystem.before_commit),
        cycle_message=subsystem.cycle_message,
    )


def _report(console: Console, plan: BumpPlan, new: str, versioned: VersionedRepo) -> None:
    old = plan.old if plan.old is not None else "(unreadable)"
    console.print_stdout(
        f"{versioned.version_file}: {old} → {new}" if old != new else f"{versioned.version_file}: {new}"
    )
    for change in plan.changes:
        console.print_stdout(f"  {change.path}: {change.what}")
    resolves_of = {source.path: source.resolves for source in versioned.sources}
    resolves = sorted({r for change in plan.changes for r in resolves_of.get(change.path, ())})
    if resolves:
        flags = " ".join(f"--resolve={r}" for r in resolves)
        console.print_stdout(
            f"Changed requirements feed the {'resolves' if len(resolves) > 1 else 'resolve'} {', '.join(resolves)}: "
            f"run `{bin_name()} generate-lockfiles {flags}`."
        )


def _dry_run(console: Console, prepared: Prepared, versioned: VersionedRepo, scheme: Scheme) -> None:
    """Print the diff of every change, the report, and the git steps that would follow."""
    plan, cycle, new = prepared.plan, prepared.cycle, prepared.plan.new.display(scheme)
    for change in plan.changes:
        console.print_stdout(change.diff(), end="")
    _report(console, plan, new, versioned)
    steps = prepared.git_plan.describe([change.path for change in plan.changes])
    if cycle is not None:
        cycle_paths = ", ".join(c.path for c in cycle.changes)
        steps.append(
            f"  then {cycle.new.display(scheme)} in {cycle_paths}, and commit them: {prepared.cycle_message}"
        )
    if steps:
        console.print_stdout("Then, in git:\n" + "\n".join(steps))


async def _write_and_release(
    console: Console,
    workspace: Workspace,
    git: Git,
    prepared: Prepared,
    checked: Checked,
    versioned: VersionedRepo,
    scheme: Scheme,
) -> str | None:
    """Write the bump, then do its git steps; why it stopped, or None."""
    plan, new, git_plan = prepared.plan, prepared.plan.new.display(scheme), prepared.git_plan
    try:
        # What a failed release puts back, kept before its first write.
        kept = snapshot(git) if git_plan.commit_message is not None else None
    except GitError as e:
        return f"{e}; nothing was written"
    error = await write_all(workspace, git.root, plan.changes)
    if error:
        return error
    _report(console, plan, new, versioned)
    if kept is None:
        return None
    done, error, release_sha = await release(workspace, git, git_plan, plan, kept, checked.head)
    if error:
        return error
    if prepared.cycle is not None:
        error = await start_cycle(workspace, git, prepared.cycle, prepared.cycle_message, release_sha, done)
        if error:
            return error
        console.print_stdout(
            f"{versioned.version_file}: {new} → {prepared.cycle.new.display(scheme)} on {checked.branch}"
        )
    for step in done:
        console.print_stdout(step.what[:1].upper() + step.what[1:] + ".")
    refs = [checked.branch, *filter(None, [git_plan.branch, git_plan.tag])]
    console.print_stdout(f"Nothing was pushed. To publish: {push_command('origin', refs)}")
    return None


@goal_rule
async def bump_version(
    console: Console,
    workspace: Workspace,
    build_root: BuildRoot,
    subsystem: BumpVersionSubsystem,
    calver: CalverSubsystem,
    environment: CompleteEnvironmentVars,
) -> BumpVersion:
    def fail(message: str, problems: tuple[Problem, ...] = ()) -> BumpVersion:
        for line in problem_lines(OutputFormat.text, problems, console.red):
            console.print_stderr(line)
        console.print_stderr(console.red(f"error: {message}"))
        return BumpVersion(exit_code=1)

    git = Git(build_root.path, dict(environment))
    try:
        scheme = calver.scheme()
        if subsystem.branch:
            git.check_ref_name("branch", subsystem.branch, "--branch")
        versioned = await Get(VersionedRepo)
        branch = await current_branch(subsystem.branch, build_root.path)
        request = BumpRequest(to=subsystem.to, next=subsystem.next, sync=subsystem.sync)
        # How the files to rewrite are linked, read before planning: the planner never reads.
        links = links_on_disk(build_root.path, versioned.linkable_paths())
        prepared = prepare(versioned, request, _release_request(subsystem), scheme, branch, links)
        new = prepared.plan.new.display(scheme)
        nothing = f"{versioned.version_file} is {new} already: there is nothing to release"
        # The one path of every guard, before the dry run prints as before the real run writes.
        checked = check_before_write(git, prepared, subsystem.allow_dirty, nothing)
    except PlanError as e:
        return fail(str(e), e.problems)
    except ReleaseError as e:
        return fail(f"{e}.")
    except CalverError as e:
        return fail(str(e))
    if not prepared.plan.changes:
        console.print_stdout(f"{versioned.version_file}: {new}, and everything already agrees with it.")
        return BumpVersion(exit_code=0)
    if subsystem.dry_run:
        _dry_run(console, prepared, versioned, scheme)
        return BumpVersion(exit_code=0)
    error = await _write_and_release(console, workspace, git, prepared, checked, versioned, scheme)
    return fail(error) if error else BumpVersion(exit_code=0)


def rules():
    return [*collect_rules(), *repo.rules()]
