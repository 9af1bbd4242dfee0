"""`pants check-backports`: the CI check that every commit on a release branch is a marked backport."""

from __future__ import annotations

import json
from dataclasses import asdict
from collections.abc import Sequence

from pants.base.build_root import BuildRoot
from pants.engine.console import Console
from pants.engine.env_vars import CompleteEnvironmentVars
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, collect_rules, goal_rule
from pants.option.option_types import EnumOption, StrListOption, StrOption
from pants.util.strutil import softwrap

from pants_calver.core.backports import (
    BackportProblem,
    BackportRules,
    Commit,
    check_commits,
    compile_patterns,
    glob_pattern,
    log_args,
    parse_log,
)
from pants_calver.core.errors import CalverError, GitError
from pants_calver.core.problems import plural
from pants_calver.core.version import parse_branch
from pants_calver.core.versioned_repo import VersionedRepo
from pants_calver.engine import repo
from pants_calver.engine.git import Git
from pants_calver.engine.repo import current_branch
from pants_calver.goals.output import OutputFormat, github_escape


class CheckBackportsSubsystem(GoalSubsystem):
    name = "check-backports"
    help = softwrap(
        """
        Check that every commit on a release branch `x.y` is a backport from the main branch,
        marked as the release process asks: its message ends, after one blank line, with the
        trailers `Backported-From: main` and `Backported-To: x.y` (keys in any case; a note
        after the name is fine, `main (24.09)`).

        Checks the branch's first-parent commits after `--base` (merge commits skipped). Release
        commits, which change only version files, first-party pins and
        `[check-backports].release_paths`, are exempt, and so are subjects matching
        `[check-backports].exempt_subjects`. On a branch that is not a release branch it says so
        and passes. Exits 0 when every commit passes and 1 otherwise, printing each problem with
        the commit's short sha and subject.
        """
    )

    output_format = EnumOption(
        default=OutputFormat.text,
        help=softwrap(
            """
            How to print problems: `text` (`sha subject: message`), `github` (workflow
            annotations) or `json` (one document with sha, subject, code and message for each
            problem).
            """
        ),
    )
    branch = StrOption(
        default=None,
        help=softwrap(
            """
            The release branch being checked, for CI checkouts in detached HEAD (a pull request's
            target branch). Default: the branch git has checked out.
            """
        ),
    )
    base = StrOption(
        default=None,
        help=softwrap(
            """
            Check the commits after this ref (a branch, tag or sha). Default: those not on
            `[check-backports].main_branch`, which are the commits since the release branch was
            cut from it.
            """
        ),
    )
    main_branch = StrOption(
        default="main",
        advanced=True,
        help="The branch fixes are backported from: what `Backported-From` must name, and the default base.",
    )
    release_paths = StrListOption(
        default=["CHANGELOG.md", "changes/**"],
        advanced=True,
        help=softwrap(
            """
            Globs of the files a release commit may change besides the version files and the
            files holding first-party pins (`**` crosses directories). A commit that changes
            nothing else needs no trailers.
            """
        ),
    )
    exempt_subjects = StrListOption(
        default=[],
        advanced=True,
        help="Regular expressions: a commit whose subject matches one needs no trailers.",
    )


class CheckBackports(Goal):
    subsystem_cls = CheckBackportsSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


def read_history(git: Git, revisions: str) -> Sequence[Commit]:
    """The first-parent commits in `revisions`, from one `git log`; raises GitError."""
    result = git.run(*log_args(revisions))
    if result.returncode != 0:
        said = result.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"`git log {revisions}` failed: {said[0] if said else 'no message'}")
    return parse_log(result.stdout.decode(errors="replace"))


def release_files(versioned: VersionedRepo) -> frozenset[str]:
    """The files a release commit changes: version files, files holding first-party pins, and
    files where distributions write their own version."""
    pin_files = {source.path for source in versioned.sources if source.scan.pins}
    version_files = {file.path for file in versioned.package_files}
    literal_files = {file.path for file in versioned.artifact_files if file.literals}
    return frozenset({versioned.version_file, *version_files, *pin_files, *literal_files})


def render_text(
    console: Console, problems: list[BackportProblem], checked: int, branch: str, base: str
) -> str:
    if not problems:
        return console.green(
            f"✓ {branch}: {plural(checked, 'commit')} since {base}, every one a marked backport or a release."
        )
    lines = [f"{console.red(p.sha)} {p.subject}: {p.message}" for p in problems]
    lines.append(
        f"\n{plural(len(problems), 'problem')} in {plural(checked, 'commit')} on {branch} since {base}."
    )
    return "\n".join(lines)


def render_github(problems: list[BackportProblem]) -> str:
    return "\n".join(
        f"::error title={p.code}::{github_escape(f'{p.sha} {p.subject}: {p.message}')}" for p in problems
    )


@goal_rule
async def check_backports(
    console: Console,
    build_root: BuildRoot,
    subsystem: CheckBackportsSubsystem,
    environment: CompleteEnvironmentVars,
) -> CheckBackports:
    def fail(message: str) -> CheckBackports:
        console.print_stderr(console.red(f"error: {message}"))
        return CheckBackports(exit_code=1)

    branch = await current_branch(subsystem.branch, build_root.path)
    if branch is None or parse_branch(branch) is None:
        where = (
            f"{branch} is not" if branch else "HEAD is detached and --branch names no branch, so this is not"
        )
        console.print_stdout(f"{where} a release branch x.y: there are no backports to check.")
        return CheckBackports(exit_code=0)
    try:
        exempt = compile_patterns("[check-backports].exempt_subjects", subsystem.exempt_subjects)
        versioned = await Get(VersionedRepo)
    except CalverError as e:
        return fail(str(e))
    rules = BackportRules(
        branch=branch,
        main_branch=subsystem.main_branch,
        release_files=release_files(versioned),
        release_globs=tuple(glob_pattern(g) for g in subsystem.release_paths),
        exempt_subjects=exempt,
    )
    base = subsystem.base or subsystem.main_branch
    try:
        commits = read_history(Git(build_root.path, dict(environment)), f"{base}..HEAD")
    except GitError as e:
        return fail(f"{e}. Name an existing ref with --base, or fetch {base}.")
    problems = check_commits(commits, rules)
    if subsystem.output_format is OutputFormat.json:
        document = {
            "branch": branch,
            "base": base,
            "commits": len(commits),
            "problems": [asdict(p) for p in problems],
        }
        console.print_stdout(json.dumps(document, indent=2))
    elif subsystem.output_format is OutputFormat.github:
        if problems:
            console.print_stdout(render_github(problems))
    else:
        console.print_stdout(render_text(console, problems, len(commits), branch, base))
    return CheckBackports(exit_code=1 if problems else 0)


def rules():
    return [*collect_rules(), *repo.rules()]
