"""`pants check-release-branch`: the CI check of a release branch's (or main's) integrity: branch
and tag names, tags against the version file, version changes only in release commits, and the
fixes of main that never reached the release branch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from collections.abc import Sequence

from pants.base.build_root import BuildRoot
from pants.engine.console import Console
from pants.engine.env_vars import CompleteEnvironmentVars
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, collect_rules, goal_rule
from pants.option.option_types import BoolOption, EnumOption, StrListOption, StrOption
from pants.util.strutil import softwrap

from pants_calver.core.errors import CalverError, SettingError
from pants_calver.core.problems import Problem, plural
from pants_calver.core.releases.backports import BackportRules, compile_patterns
from pants_calver.core.releases.integrity import BRANCH_NAMES, MISSING_BACKPORTS, RULES, TAGS, VERSION_CHANGES
from pants_calver.core.releases.missing_backports import Wanted
from pants_calver.core.releases.provenance import parse_forms
from pants_calver.core.releases.refs_rules import release_numbers
from pants_calver.core.releases.version_changes import subject_pattern
from pants_calver.core.repo_paths import glob_pattern
from pants_calver.core.versions.versioned_repo import VersionedRepo
from pants_calver.engine.git import Git
from pants_calver.engine.releases import release_checks
from pants_calver.engine.releases.history import read_side, resolve_base
from pants_calver.engine.releases.release_checks import Backports, Checked, Names
from pants_calver.engine.subsystem import CalverSubsystem
from pants_calver.engine.versions import repo
from pants_calver.engine.versions.repo import current_branch
from pants_calver.goals.bump_version import BumpVersionSubsystem
from pants_calver.goals.check_backports import CheckBackportsSubsystem
from pants_calver.goals.output import OutputFormat, print_error, problem_document, problem_lines


class CheckReleaseBranchSubsystem(GoalSubsystem):
    name = "check-release-branch"
    help = softwrap(
        f"""
        Check a release branch `x.y` (or main) against the release process, as CI does on a pull
        request or a push. Four rules, all by default (`--rules` picks some): `{BRANCH_NAMES}`: the
        branch under test is not named like a release tag (`23.09.1`) or an existing tag, and a
        branch named `x.y` holds an `x.y.*` version (`--all-branches`: every local and
        remote-tracking branch too); `{TAGS}`: every version-like tag HEAD reaches is the display
        form of a valid version and points at a commit whose version file holds exactly it;
        `{VERSION_CHANGES}`: the commits since `--base` change a version file only in release
        commits (a `[bump-version].commit_message` subject, release paths only);
        `{MISSING_BACKPORTS}`: on a release branch, every fix of main since the branch point has a
        backport, found by the forms `[check-backports].provenance` accepts. Exits 0 when every
        rule passes, 1 when any finds a problem or on an error (printed in the `--output-format`
        asked for).
        """
    )

    output_format = EnumOption(
        default=OutputFormat.text,
        help="How to print: `text`, `github` (workflow annotations) or `json` (one document); errors too.",
    )
    branch = StrOption(
        default=None,
        help=softwrap(
            """
            The name of the branch under test, whose head is HEAD: in CI, the pull request's head
            branch (for its name) or the release branch it goes into. Default: the branch git
            has checked out.
            """
        ),
    )
    base = StrOption(
        default=None,
        help=softwrap(
            """
            Main's tip (a branch, tag or commit): the version changes are checked on the commits
            HEAD has and it has not, and the missing backports are looked for among the commits it
            has and HEAD has not. Default: `[check-backports].main_branch`.
            """
        ),
    )
    # Not named `rules`: that is the Subsystem's own classmethod.
    only_rules = StrListOption(
        "--rules",
        default=[],
        help=f"The rules to run, of {', '.join(RULES)}. Default: all.",
    )
    all_branches = BoolOption(
        default=False,
        help="Check the names of every local and remote-tracking branch, not only the one under test.",
    )
    backport_subjects = StrListOption(
        default=["^fix"],
        advanced=True,
        help=softwrap(
            """
            Regular expressions (searched in the subject) of the commits of main that every
            release branch should have, unless a request trailer (`[check-release-branch].request_key`)
            names the branches.
            """
        ),
    )
    request_key = StrOption(
        default="Backport",
        advanced=True,
        help="The trailer that asks for a backport to the branches it names: `Backport: 23.09, 24.03`.",
    )
    tags_since = StrOption(
        default=None,
        advanced=True,
        help=softwrap(
            """
            Check only the tags of this version and later (compared as numbers: `25.1.0`), e.g.
            since the version scheme changed. Default: every version-like tag HEAD reaches.
            """
        ),
    )


class CheckReleaseBranch(Goal):
    subsystem_cls = CheckReleaseBranchSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


def selected_rules(values: Sequence[str]) -> tuple[str, ...]:
    """The rules `--rules` names, in their own order; all when it names none."""
    wrong = [value for value in values if value not in RULES]
    if wrong:
        raise SettingError(f"--rules: `{wrong[0]}` is not a rule; use any of {', '.join(RULES)}.")
    return tuple(rule for rule in RULES if not values or rule in values)


@dataclass(frozen=True)
class Report:
    """What each rule that ran looked at and found, and the rules skipped, with why."""

    branch: str | None
    base: str
    base_commit: str | None
    checked: tuple[tuple[str, Checked], ...]
    skipped: tuple[tuple[str, str], ...]

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(problem for _, checked in self.checked for problem in checked.problems)


@dataclass(frozen=True)
class Inputs:
    """The settings, read and checked before git runs."""

    names: Names
    base: str
    main_branch: str
    backport_rules: BackportRules
    version_files: frozenset[str]
    release_subjects: tuple
    wanted: Wanted
    forms: tuple


def run_rules(git: Git, rules: tuple[str, ...], inputs: Inputs, base_option: str | None) -> Report:
    """Each rule in turn; raises CalverError (a base git does not have, git failing)."""
    names, done, skipped = inputs.names, {}, []
    if BRANCH_NAMES in rules:
        if names.branch is None and not names.all_branches:
            skipped.append((BRANCH_NAMES, "HEAD is detached and --branch names no branch."))
        else:
            done[BRANCH_NAMES] = release_checks.branch_names(git, names)
    if TAGS in rules:
        done[TAGS] = release_checks.tags(git, names)
    base_commit = None
    if VERSION_CHANGES in rules or MISSING_BACKPORTS in rules:
        base_commit = resolve_base(git, base_option, inputs.main_branch)
        on_branch = read_side(git, names.head, base_commit, paths=True)
        if VERSION_CHANGES in rules:
            done[VERSION_CHANGES] = release_checks.version_changes(
                on_branch, inputs.version_files, inputs.release_subjects, inputs.backport_rules, inputs.base
            )
        if MISSING_BACKPORTS in rules and not release_checks.is_release_branch(names.branch):
            skipped.append((MISSING_BACKPORTS, f"{names.branch or 'HEAD'} is not a release branch x.y."))
        elif MISSING_BACKPORTS in rules:
            backports = Backports(
                names.branch or "",
                names.head,
                base_commit,
                inputs.base,
                inputs.main_branch,
                inputs.forms,
                inputs.wanted,
            )
            done[MISSING_BACKPORTS] = release_checks.missing(git, on_branch, backports)
    return Report(names.branch, inputs.base, base_commit, tuple(done.items()), tuple(skipped))


def render_text(console: Console, report: Report) -> str:
    lines = problem_lines(OutputFormat.text, report.problems, console.red)
    lines += [f"{rule}: skipped: {why}" for rule, why in report.skipped]
    looked_at = "; ".join(f"{rule}: {checked.looked_at}" for rule, checked in report.checked)
    if report.problems:
        lines.append(f"\n{plural(len(report.problems), 'problem')} ({looked_at}).")
    elif looked_at:
        lines.append(console.green(f"✓ {report.branch or 'HEAD'}: no problems ({looked_at})."))
    return "\n".join(lines)


def render_github(report: Report) -> str:
    lines = problem_lines(OutputFormat.github, report.problems)
    return "\n".join(lines + [f"{rule}: skipped: {why}" for rule, why in report.skipped])


def render_json(report: Report) -> str:
    document = {
        "branch": report.branch,
        "base": report.base,
        "base_commit": report.base_commit,
        "rules": {
            rule: {"checked": checked.looked_at, "problems": [problem_document(p) for p in checked.problems]}
            for rule, checked in report.checked
        },
        "skipped": dict(report.skipped),
    }
    return json.dumps(document, indent=2)


def print_report(console: Console, output_format: OutputFormat, report: Report) -> None:
    if output_format is OutputFormat.json:
        output = render_json(report)
    elif output_format is OutputFormat.github:
        output = render_github(report)
    else:
        output = render_text(console, report)
    if output:
        console.print_stdout(output)


def read_inputs(
    subsystem: CheckReleaseBranchSubsystem,
    backports: CheckBackportsSubsystem,
    bump: BumpVersionSubsystem,
    calver: CalverSubsystem,
    versioned: VersionedRepo,
    branch: str | None,
    head: str,
) -> Inputs:
    """Every setting the rules read, checked; raises SettingError naming the option."""
    since = None
    if subsystem.tags_since:
        since = release_numbers(subsystem.tags_since)
        if since is None:
            raise SettingError(
                f"[check-release-branch].tags_since: `{subsystem.tags_since}` is not a version: "
                "write one such as `25.1.0`."
            )
    if not subsystem.request_key or any(
        not (c.isascii() and (c.isalnum() or c == "-")) for c in subsystem.request_key
    ):
        raise SettingError(
            f"[check-release-branch].request_key: `{subsystem.request_key}` is not a trailer key: "
            "use ASCII letters, digits and `-`, such as `Backport`."
        )
    names = Names(
        branch, head, subsystem.all_branches, versioned.version_file, calver.scheme(), bump.tag_name, since
    )
    return Inputs(
        names=names,
        base=subsystem.base or backports.main_branch,
        main_branch=backports.main_branch,
        backport_rules=BackportRules(
            branch or "",
            backports.main_branch,
            versioned.written_paths(),
            tuple(glob_pattern(g) for g in backports.release_paths),
        ),
        version_files=frozenset({versioned.version_file, *(f.path for f in versioned.package_files)}),
        release_subjects=(
            subject_pattern("[bump-version].commit_message", bump.commit_message),
            subject_pattern("[bump-version].cycle_message", bump.cycle_message),
        ),
        wanted=Wanted(
            compile_patterns("[check-release-branch].backport_subjects", subsystem.backport_subjects),
            subsystem.request_key,
        ),
        forms=parse_forms("[check-backports].provenance", backports.provenance),
    )


@goal_rule
async def check_release_branch(
    console: Console,
    build_root: BuildRoot,
    subsystem: CheckReleaseBranchSubsystem,
    backports: CheckBackportsSubsystem,
    bump: BumpVersionSubsystem,
    calver: CalverSubsystem,
    environment: CompleteEnvironmentVars,
) -> CheckReleaseBranch:
    output_format = subsystem.output_format
    git = Git(build_root.path, dict(environment))
    branch = await current_branch(subsystem.branch, build_root.path)
    try:
        rules = selected_rules(subsystem.only_rules)
        if subsystem.branch:
            git.check_ref_name("branch", subsystem.branch, "--branch")
        head = git.commit("HEAD", "HEAD")
        versioned = await Get(VersionedRepo)
        inputs = read_inputs(subsystem, backports, bump, calver, versioned, branch, head)
        report = run_rules(git, rules, inputs, subsystem.base)
    except CalverError as e:
        print_error(console, output_format, e)
        return CheckReleaseBranch(exit_code=1)
    print_report(console, output_format, report)
    return CheckReleaseBranch(exit_code=1 if report.problems else 0)


def rules():
    return [*collect_rules(), *repo.rules()]
