"""What a release does in git after the bump writes its files, with no Pants import.

A release is the bump's write, then optionally: commands that join the release commit (a
changelog build), the release commit, a tag, and (for a final `x.y.0` on the main line) the
release branch `x.y` at that commit and a second commit that starts the next cycle. Everything
that can be checked is checked before the first byte is written; this module says what to check,
what each step is, and how to undo the steps that were done when a later one fails.
"""

from __future__ import annotations

import shlex
import string
from dataclasses import dataclass
from collections.abc import Iterable, Sequence

from pants_calver.core.bump import BumpPlan, BumpRequest, Links, make_plan, plan_cycle
from pants_calver.core.errors import PlanError, ReleaseError
from pants_calver.core.problems import plural
from pants_calver.core.version import CalVersion, Scheme, off_release_branch, parse_branch
from pants_calver.core.versioned_repo import VersionedRepo

PLACEHOLDERS = ("version", "old_version", "normalized")


def fill(option: str, template: str, values: dict[str, str]) -> str:
    """`template` with `{version}`-style placeholders filled; raises ReleaseError naming the option
    for a placeholder it does not know or a stray brace."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as e:
        raise ReleaseError(f"{option}: `{template}` is not a valid template ({e}); write braces as {{{{ }}}}")
    unknown = sorted(set(fields) - set(values))
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in values)
        raise ReleaseError(f"{option}: `{template}` uses {{{unknown[0]}}}; the placeholders are {known}")
    return template.format(**values)


def template_values(new: CalVersion, old: str | None, scheme: Scheme) -> dict[str, str]:
    """The placeholders' values: the version as VERSION spells it, the old one, the normalized one."""
    return {"version": new.display(scheme), "old_version": old or "", "normalized": new.normalized()}


def commands(option: str, lines: Iterable[str], values: dict[str, str]) -> list[tuple[str, ...]]:
    """Split each command line as a shell would (no shell runs it), filling the placeholders."""
    argvs = []
    for line in lines:
        try:
            argv = shlex.split(line)
        except ValueError as e:
            raise ReleaseError(f"{option}: cannot split `{line}` into arguments ({e})") from None
        if not argv:
            raise ReleaseError(f"{option}: an empty command; remove it")
        argvs.append(tuple(fill(option, arg, values) for arg in argv))
    return argvs


def release_branch(version: CalVersion, scheme: Scheme) -> str:
    """The name of the release branch of `version`: `24.03` (or `25.1` without padding)."""
    major, minor = version.branch
    return f"{major}.{minor:02d}" if scheme.pad_minor else f"{major}.{minor}"


def check_cut(new: CalVersion, on_release_branch: bool, scheme: Scheme) -> None:
    """Raises ReleaseError unless a release branch can be cut for `new` here."""
    if on_release_branch:
        raise ReleaseError("--cut-branch cuts a release branch from the main line, not from a release branch")
    if not new.is_final or new.release[2] != 0:
        raise ReleaseError(
            f"--cut-branch is for a final x.y.0 release, and {new.display(scheme)} is not one: "
            f"release {release_branch(new, scheme)}.0 first"
        )


def parse_status(output: bytes) -> set[str]:
    """The paths `git status --porcelain -z` reports: changed, staged, untracked, both sides of a
    rename."""
    paths: set[str] = set()
    entries = output.split(b"\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        paths.add(entry[3:].decode("utf-8", "surrogateescape"))
        if entry[:1] in (b"R", b"C") or entry[1:2] in (b"R", b"C"):
            # A rename or copy names its source in the next entry.
            paths.add(entries[i].decode("utf-8", "surrogateescape"))
            i += 1
    return paths


@dataclass(frozen=True)
class Done:
    """A git step that was done, and the command that undoes it."""

    what: str
    undo: str


def undo_report(error: str, done: Sequence[Done]) -> str:
    """What to say when a git step fails after others were done: each done step, newest last,
    and the commands that undo them, newest first."""
    lines = [f"{error}", "Done before that:"]
    lines += [f"  {step.what}" for step in done]
    lines.append("To undo it:")
    lines += [f"  {step.undo}" for step in reversed(done)]
    return "\n".join(lines)


def push_command(remote: str, refs: Sequence[str]) -> str:
    return "git push " + shlex.join((remote, *refs))


@dataclass(frozen=True)
class ReleaseRequest:
    """The release steps and templates the command and `[bump-version]` ask for."""

    commit: bool = False
    tag: bool = False
    cut_branch: bool = False
    commit_message: str = "release: {version}"
    tag_name: str = "{version}"
    tag_message: str | None = None
    before_commit: tuple[str, ...] = ()
    cycle_message: str = "Start the {version} cycle"


@dataclass(frozen=True)
class GitPlan:
    """The git steps of a release, decided before anything is written."""

    commit_message: str | None = None
    tag: str | None = None
    tag_message: str | None = None
    branch: str | None = None
    before_commit: tuple[tuple[str, ...], ...] = ()

    def describe(self, paths: Sequence[str]) -> list[str]:
        """Each step, as a line of the dry run."""
        if self.commit_message is None:
            return []
        lines = [f"  run: {' '.join(argv)}" for argv in self.before_commit]
        joined = " and what those change" if self.before_commit else ""
        lines.append(f"  commit {', '.join(paths)}{joined}: {self.commit_message}")
        if self.tag:
            kind = "annotated tag" if self.tag_message is not None else "tag"
            lines.append(f"  {kind} {self.tag}")
        if self.branch:
            lines.append(f"  branch {self.branch} at the release commit")
        return lines


def plan_git(
    request: ReleaseRequest, new: CalVersion, old: str | None, scheme: Scheme, on_release_branch: bool
) -> GitPlan:
    """The git steps of the release of `new`; raises ReleaseError for one that cannot be done."""
    cut, tag = request.cut_branch, request.tag or request.cut_branch
    if not (request.commit or tag):
        return GitPlan()
    if cut:
        check_cut(new, on_release_branch, scheme)
    values = template_values(new, old, scheme)
    return GitPlan(
        commit_message=fill("[bump-version].commit_message", request.commit_message, values),
        tag=fill("[bump-version].tag_name", request.tag_name, values) if tag else None,
        tag_message=fill("[bump-version].tag_message", request.tag_message, values)
        if request.tag_message is not None
        else None,
        branch=release_branch(new, scheme) if cut else None,
        before_commit=tuple(commands("[bump-version].before_commit", request.before_commit, values)),
    )


@dataclass(frozen=True)
class Prepared:
    """A bump that can go ahead: its plan, its git steps, and after a cut the next cycle's plan
    and commit message."""

    plan: BumpPlan
    git_plan: GitPlan
    cycle: BumpPlan | None = None
    cycle_message: str = ""


def prepare(
    versioned: VersionedRepo,
    bump: BumpRequest,
    release: ReleaseRequest,
    scheme: Scheme,
    branch: str | None,
    links: Links,
) -> Prepared:
    """Plan the bump on `branch`, its git steps and the next cycle, before anything is written.

    Raises `PlanError` (with the problems) for a repo that cannot be bumped as asked,
    `ReleaseError` for a git step that cannot be done, `CommandError` for a bad command.
    """
    plan = make_plan(versioned, bump, scheme, links)
    new = plan.new.display(scheme)
    if branch and off_release_branch(plan.new, branch):
        raise PlanError(
            f"release branch {branch} takes only {branch}.* versions, not {new}; bump on main instead."
        )
    if plan.problems:
        raise PlanError(f"nothing was written: {plural(len(plan.problems), 'problem')} above.", plan.problems)
    on_release_branch = branch is not None and parse_branch(branch) is not None
    git_plan = plan_git(release, plan.new, plan.old, scheme, on_release_branch)
    if not git_plan.branch:
        return Prepared(plan, git_plan)
    cycle = plan_cycle(versioned, plan, scheme, links)
    if cycle.problems:
        raise PlanError(
            f"nothing was written: the next cycle, {cycle.new.display(scheme)}, cannot follow "
            f"({plural(len(cycle.problems), 'problem')} above).",
            cycle.problems,
        )
    message = fill(
        "[bump-version].cycle_message", release.cycle_message, template_values(cycle.new, new, scheme)
    )
    return Prepared(plan, git_plan, cycle, message)
