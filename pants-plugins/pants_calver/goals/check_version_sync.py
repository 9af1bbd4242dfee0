"""`pants check-version-sync`: the CI gate that keeps the repo's versions and pins in sync."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pants.base.build_root import BuildRoot
from pants.engine.console import Console
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, collect_rules, goal_rule, rule
from pants.option.option_types import EnumOption, StrOption
from pants.util.docutil import bin_name
from pants.util.strutil import softwrap

from pants_calver.core.versions import artifact_versions, extra_sources
from pants_calver.core.errors import CalverError
from pants_calver.core.problems import Problem, plural
from pants_calver.core.versions.drift import FIXABLE_CODES, check_repo
from pants_calver.core.versions.version import CalVersion, Scheme
from pants_calver.core.versions.versioned_repo import VersionedRepo
from pants_calver.engine.versions import repo
from pants_calver.engine.versions.repo import current_branch
from pants_calver.engine.subsystem import CalverSubsystem
from pants_calver.goals.output import OutputFormat, print_error, problem_document, problem_lines


class CheckVersionSyncSubsystem(GoalSubsystem):
    name = "check-version-sync"
    help = softwrap(
        """
        Check that the repo's version file, the versions of its distributions (their version
        files, `version=` in `provides`, `[project] version`), every first-party pin and every
        source declared in `[calver].version_sources` agree with the version scheme of `[calver]`.

        Exits 0 when everything is in sync and 1 otherwise, printing one `path:line: message` line
        per problem and the command that fixes what can be fixed. Settings are in `[calver]`.
        """
    )

    output_format = EnumOption(
        default=OutputFormat.text,
        help=softwrap(
            """
            How to print problems: `text` (`path:line: message`), `github` (workflow annotations,
            `::error file=…,line=…::…`) or `json` (one document with path, line, code, found and
            expected for each problem). An error that stops the check is printed in the same
            format: `::error title=<code>::…`, or the JSON document `{"error": {"code", "message"}}`.
            """
        ),
    )
    branch = StrOption(
        default=None,
        help=softwrap(
            """
            The branch being checked, for CI checkouts in detached HEAD. On a release branch
            `x.y` the version must be `x.y.*`. Default: the branch git has checked out.
            """
        ),
    )


class CheckVersionSync(Goal):
    subsystem_cls = CheckVersionSyncSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


@dataclass(frozen=True)
class SyncCheckRequest:
    branch: str | None


@dataclass(frozen=True)
class SyncCheck:
    """The outcome of `check_sync` for a branch: the repo's version and every problem."""

    version: CalVersion | None
    problems: tuple[Problem, ...]


@rule(desc="Check the repo's versions and pins")
async def check_sync(request: SyncCheckRequest, calver: CalverSubsystem) -> SyncCheck:
    # A rule, so that pantsd keeps the outcome until a file it read changes: a warm run skips
    # checking every pin again (about 0.1 ms each).
    versioned = await Get(VersionedRepo)
    version, problems = check_repo(versioned, calver.scheme(), request.branch)
    return SyncCheck(version, tuple(problems))


def _fix_hint(problems: list[Problem]) -> list[str]:
    """The command that fixes what can be fixed, when anything can."""
    if any(
        p.code in FIXABLE_CODES | artifact_versions.FIXABLE_CODES | extra_sources.FIXABLE_CODES
        for p in problems
    ):
        return [f"Run `{bin_name()} bump-version --sync` to fix what can be fixed."]
    return []


def render_text(
    console: Console,
    versioned: VersionedRepo,
    version: CalVersion | None,
    scheme: Scheme,
    problems: list[Problem],
) -> str:
    shown = version.display(scheme) if version else "unreadable"
    if not problems:
        return console.green(f"✓ {versioned.version_file} {shown}: {versioned.summary()} in sync.")
    lines = problem_lines(OutputFormat.text, problems, console.red)
    files = len({p.path for p in problems})
    lines.append(f"\n{plural(len(problems), 'problem')} in {plural(files, 'file')}.")
    return "\n".join(lines + _fix_hint(problems))


def render_github(problems: list[Problem]) -> str:
    return "\n".join(problem_lines(OutputFormat.github, problems) + _fix_hint(problems))


def render_json(
    versioned: VersionedRepo, version: CalVersion | None, scheme: Scheme, problems: list[Problem]
) -> str:
    document = {
        "version_file": versioned.version_file,
        "version": version.display(scheme) if version else None,
        "in_sync": not problems,
        "problems": [problem_document(p) for p in problems],
    }
    return json.dumps(document, indent=2)


@goal_rule
async def check_version_sync(
    console: Console,
    build_root: BuildRoot,
    subsystem: CheckVersionSyncSubsystem,
    calver: CalverSubsystem,
) -> CheckVersionSync:
    try:
        scheme = calver.scheme()
        versioned = await Get(VersionedRepo)
    except CalverError as e:
        print_error(console, subsystem.output_format, e)
        return CheckVersionSync(exit_code=1)
    branch = await current_branch(subsystem.branch, build_root.path)
    result = await Get(SyncCheck, SyncCheckRequest(branch))
    version, problems = result.version, list(result.problems)
    if subsystem.output_format is OutputFormat.json:
        console.print_stdout(render_json(versioned, version, scheme, problems))
    elif subsystem.output_format is OutputFormat.github:
        output = render_github(problems)
        if output:
            console.print_stdout(output)
    else:
        console.print_stdout(render_text(console, versioned, version, scheme, problems))
    return CheckVersionSync(exit_code=1 if problems else 0)


def rules():
    return [*collect_rules(), *repo.rules()]
