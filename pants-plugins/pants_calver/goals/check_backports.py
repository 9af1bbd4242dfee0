"""`pants check-backports`: the CI check that every commit on a release branch is a marked backport."""

from __future__ import annotations

import json
from dataclasses import dataclass
from collections.abc import Sequence

from pants.base.build_root import BuildRoot
from pants.engine.console import Console
from pants.engine.env_vars import CompleteEnvironmentVars
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.rules import Get, collect_rules, goal_rule
from pants.option.option_types import EnumOption, StrListOption, StrOption
from pants.util.strutil import softwrap

from pants_calver.core.git.log import Commit, log_args, parse_log
from pants_calver.core.releases.backports import BackportRules, check_commits, compile_patterns
from pants_calver.core.releases.provenance import Form, parse_forms
from pants_calver.core.repo_paths import glob_pattern
from pants_calver.core.errors import CalverError, GitError, RefError
from pants_calver.core.problems import Problem, plural
from pants_calver.core.versions.version import parse_branch
from pants_calver.core.versions.versioned_repo import VersionedRepo
from pants_calver.engine.versions import repo
from pants_calver.engine.git import Git
from pants_calver.engine.releases.history import resolve_base, same_patch_as_main
from pants_calver.engine.versions.repo import current_branch
from pants_calver.goals.output import OutputFormat, print_error, problem_document, problem_lines


class CheckBackportsSubsystem(GoalSubsystem):
    name = "check-backports"
    help = softwrap(
        """
        Check that every commit on a release branch `x.y` is a backport from the main branch,
        marked as the release process asks: its message ends, after one blank line, with the
        trailers `Backported-From: main` and `Backported-To: x.y`, as `git interpret-trailers
        --parse` reads them (keys in any case; a note after the name is fine, `main (24.09)`;
        `Backported-To: 23.03, 23.09` names both branches: words are split at commas and
        white space).

        Checks every commit that HEAD has and `--base` has not, merge commits skipped but not
        what they bring in: in the merge commit that CI checks out for a pull request, the pull
        request's own commits are checked too. Release commits, which change only the files a
        bump writes (version files, first-party pins, `[calver].version_sources`) and
        `[check-backports].release_paths`, are exempt, and so are
        subjects matching `[check-backports].exempt_subjects`. A repo can accept other marks of
        a backport instead of or besides the trailers (`git cherry-pick -x` lines, `Backport-of:`,
        the pull request numbers of a squash merge, the same patch): see
        `[check-backports].provenance`. On a branch that is not a
        release branch it says so and passes. Exits 0 when every commit passes and 1 otherwise,
        printing each problem with the commit's short sha and subject, and the lines of the
        message at fault with what git made of them; exits 1 with an error
        (in the `--output-format` asked for) when `--base` names no commit, or a ref option
        looks like a git option.
        """
    )

    output_format = EnumOption(
        default=OutputFormat.text,
        help=softwrap(
            """
            How to print problems: `text` (`sha subject: message`), `github` (workflow
            annotations) or `json` (one document with sha, subject, code and message for each
            problem). Errors are printed in the same format: `::error title=CODE::message`, or
            a JSON document `{"error": {"code": ..., "message": ...}}`.
            """
        ),
    )
    branch = StrOption(
        default=None,
        help=softwrap(
            """
            The release branch being checked, for CI checkouts in detached HEAD (a pull request's
            target branch). Default: the branch git has checked out. A name git would not take
            for a branch (such as one starting with `-`) is an error.
            """
        ),
    )
    base = StrOption(
        default=None,
        help=softwrap(
            """
            Check the commits that HEAD has and this ref (a branch, tag or sha) has not. Default:
            `[check-backports].main_branch`, so the commits since the release branch was cut
            from it. It must name a commit git has (in CI, `origin/main` after a full fetch):
            one that does not is an error, not an empty range.
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
            Globs of the files a release commit may change besides the files a bump writes
            (version files, files holding first-party pins, declared version sources; `**`
            crosses directories). A commit that changes
            nothing else needs no trailers.
            """
        ),
    )
    exempt_subjects = StrListOption(
        default=[],
        advanced=True,
        help="Regular expressions: a commit whose subject matches one needs no trailers.",
    )
    provenance = StrListOption(
        default=["trailers"],
        advanced=True,
        help=softwrap(
            f"""
            The forms a backport may carry to say where it came from, any one of which is
            enough: {", ".join(f"`{form.value}`" for form in Form)}. `trailers` is the release
            process's `Backported-From`/`Backported-To`; `cherry-picked` the line `git cherry-pick
            -x` writes; `backport-of` a `Backport-of: <sha or #PR>` trailer; `pr-number` the
            original pull request's `(#N)` among those that end the subject (`fix: x (#1234)
            (#1240)`); `patch-id` the same change as a commit of main (`git patch-id --stable`).
            check-release-branch's missing-backports rule accepts the same forms.
            """
        ),
    )


class CheckBackports(Goal):
    subsystem_cls = CheckBackportsSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


def resolve_head(git: Git) -> str:
    """HEAD's full id, read once, so that the branch's log and the patch-id step read the same
    commits even if HEAD moves during the run; raises GitError."""
    try:
        return git.commit("HEAD", "HEAD")
    except RefError:
        raise GitError(
            "HEAD names no commit (a branch with no commit yet, or a broken repository): check out "
            "the release branch (`git log -1` shows its head) and that the repository is whole (`git fsck`)."
        ) from None


def read_history(git: Git, head: str, base_commit: str) -> Sequence[Commit]:
    """The commits `head` (HEAD's full id) has and `base_commit` has not (merges left out), from
    one `git log`; raises GitError."""
    result = git.run(*log_args(head, base_commit, paths=True))
    if result.returncode != 0:
        said = result.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(
            f"`git log {base_commit}..{head}` failed: {said[0].rstrip('.') if said else 'no message'}. "
            "Check that the repository is whole (`git fsck`)."
        )
    return parse_log(result.stdout)


def not_release_branch(git: Git, branch: str | None, option: str | None) -> str:
    """Why there is nothing to check on `branch`, which is no release branch `x.y`; raises
    RefError for a `--branch` that git would not take for a branch name, so that a value that
    looks like an option is an error rather than a pass."""
    if option:
        git.check_ref_name("branch", option, "--branch")
    if branch:
        return f"{branch} is not a release branch x.y: there are no backports to check."
    return (
        "HEAD is detached and --branch names no branch, so this is not a release branch x.y: "
        "there are no backports to check."
    )


@dataclass(frozen=True)
class Report:
    """What a run found, or why it checked nothing (`skipped`, with no commits and no base_commit)."""

    branch: str | None
    base: str
    base_commit: str | None = None
    commits: int = 0
    problems: tuple[Problem, ...] = ()
    skipped: str | None = None


def render_text(console: Console, report: Report) -> str:
    if report.skipped:
        return report.skipped
    checked, since = plural(report.commits, "commit"), f"since {report.base}"
    if not report.problems:
        return console.green(
            f"✓ {report.branch}: {checked} {since}, every one a marked backport or a release."
        )
    lines = problem_lines(OutputFormat.text, report.problems, console.red)
    lines.append(f"\n{plural(len(report.problems), 'problem')} in {checked} on {report.branch} {since}.")
    return "\n".join(lines)


def render_github(report: Report) -> str:
    """An annotation for each problem; nothing on a pass but the reason a run checked nothing."""
    if report.skipped:
        return report.skipped
    return "\n".join(problem_lines(OutputFormat.github, report.problems))


def render_json(report: Report) -> str:
    """One document; `base_commit` and `skipped` came after the first four keys, which stay."""
    document = {
        "branch": report.branch,
        "base": report.base,
        "commits": report.commits,
        "problems": [problem_document(p) for p in report.problems],
        "base_commit": report.base_commit,
        "skipped": report.skipped,
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


def check(
    git: Git, commits: Sequence[Commit], rules: BackportRules, head: str, base_commit: str
) -> list[Problem]:
    """Every commit's problem; with `patch-id` accepted, those whose change a commit of main since
    the branch point (`head..base_commit`) also makes are not (read only when some commit carries
    no other form)."""
    problems = check_commits(commits, rules)
    if Form.patch_id not in rules.forms or not problems:
        return problems
    flagged = {problem.commit for problem in problems}
    same = same_patch_as_main(git, head, base_commit, [c for c in commits if c.sha in flagged])
    return [problem for problem in problems if problem.commit not in same]


@goal_rule
async def check_backports(
    console: Console,
    build_root: BuildRoot,
    subsystem: CheckBackportsSubsystem,
    environment: CompleteEnvironmentVars,
) -> CheckBackports:
    output_format = subsystem.output_format
    git = Git(build_root.path, dict(environment))
    base = subsystem.base or subsystem.main_branch
    branch = await current_branch(subsystem.branch, build_root.path)
    try:
        if branch is None or parse_branch(branch) is None:
            skipped = not_release_branch(git, branch, subsystem.branch)
            print_report(console, output_format, Report(branch, base, skipped=skipped))
            return CheckBackports(exit_code=0)
        exempt = compile_patterns("[check-backports].exempt_subjects", subsystem.exempt_subjects)
        forms = parse_forms("[check-backports].provenance", subsystem.provenance)
        base_commit = resolve_base(git, subsystem.base, subsystem.main_branch)
        versioned = await Get(VersionedRepo)
        head = resolve_head(git)
        commits = read_history(git, head, base_commit)
        rules = BackportRules(
            branch=branch,
            main_branch=subsystem.main_branch,
            release_files=versioned.written_paths(),
            release_globs=tuple(glob_pattern(g) for g in subsystem.release_paths),
            exempt_subjects=exempt,
            forms=forms,
        )
        problems = check(git, commits, rules, head, base_commit)
    except CalverError as e:
        print_error(console, output_format, e)
        return CheckBackports(exit_code=1)
    report = Report(branch, base, base_commit, len(commits), tuple(problems))
    print_report(console, output_format, report)
    return CheckBackports(exit_code=1 if problems else 0)


def rules():
    return [*collect_rules(), *repo.rules()]
