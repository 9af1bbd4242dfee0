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
from collections.abc import Iterable, Mapping, Sequence, Set

from pants_calver.core.versions.bump import BumpPlan, BumpRequest, make_plan, plan_cycle
from pants_calver.core.errors import PlanError, ReleaseError, SettingError
from pants_calver.core.problems import plural
from pants_calver.core.versions.version import CalVersion, Scheme, off_release_branch, parse_branch
from pants_calver.core.versions.versioned_repo import Links, VersionedRepo

PLACEHOLDERS = ("version", "old_version", "normalized")


def fill(option: str, template: str, values: dict[str, str]) -> str:
    """`template` with its `{version}`-style placeholders filled.

    Only plain placeholders are filled: a name that is not one of `values` (also `{}`, `{0}`,
    `{version.x}`, `{version[0]}`), a conversion or format spec (`{version!r}`, `{version:>10}`,
    nested fields) or a stray brace raises a one-line SettingError naming the option, where
    `str.format` would raise its own error or make up text.
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as e:
        raise SettingError(
            f"{option}: `{template}` is not a valid template ({e}); write a literal brace as {{{{ or }}}}."
        ) from None
    filled = []
    for literal, name, spec, conversion in parts:
        filled.append(literal)
        if name is None:
            continue
        if name not in values:
            known = ", ".join(f"{{{known}}}" for known in values)
            raise SettingError(f"{option}: `{template}` uses {{{name}}}; the placeholders are {known}.")
        if spec or conversion:
            field = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise SettingError(
                f"{option}: `{template}` uses {field}; write the placeholder as {{{name}}}, "
                "with no conversion or format spec."
            )
        filled.append(values[name])
    return "".join(filled)


def template_values(new: CalVersion, old: str | None, scheme: Scheme) -> dict[str, str]:
    """The placeholders' values: the version as VERSION spells it, the old one, the normalized one."""
    return {"version": new.display(scheme), "old_version": old or "", "normalized": new.normalized()}


def commands(option: str, lines: Iterable[str], values: dict[str, str]) -> list[tuple[str, ...]]:
    """Split each command line as a shell would (no shell runs it), filling the placeholders;
    raises SettingError naming the option."""
    argvs = []
    for line in lines:
        try:
            argv = shlex.split(line)
        except ValueError as e:
            raise SettingError(
                f"{option}: cannot split `{line}` into arguments ({e}); quote it as a shell would."
            ) from None
        if not argv:
            raise SettingError(f"{option}: an empty command; remove it.")
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


def parse_index(output: bytes) -> dict[str, tuple[bytes, ...]]:
    """The entries of `git ls-files --stage -z` by path: each `<mode> <object> <stage>` (several
    for a path with a merge conflict), as git printed them."""
    entries: dict[str, list[bytes]] = {}
    for record in output.split(b"\0"):
        info, tab, path = record.partition(b"\t")
        if tab:
            entries.setdefault(path.decode("utf-8", "surrogateescape"), []).append(info)
    return {path: tuple(infos) for path, infos in entries.items()}


def index_restore(before: Mapping[str, tuple[bytes, ...]], after: Mapping[str, tuple[bytes, ...]]) -> bytes:
    """The input of `git update-index -z --index-info` that turns the index `after` back into
    `before`: every path whose entries differ is dropped (a mode 0 entry), then given its entries
    of before again. Paths go to git as they are, never as pathspecs."""
    records = []
    for path in sorted(set(before) | set(after)):
        if before.get(path) == after.get(path):
            continue
        name = path.encode("utf-8", "surrogateescape")
        if path in after:
            object_id = after[path][0].split(b" ")[1]  # Its length: SHA-1 or SHA-256.
            records.append(b"0 " + b"0" * len(object_id) + b"\t" + name)
        records += [info + b"\t" + name for info in before.get(path, ())]
    return b"".join(record + b"\0" for record in records)


@dataclass(frozen=True)
class TreeRestore:
    """How each path that a failed release may have changed gets back what it held: `saved`,
    those git reported changed before (their bytes were kept); `checkout`, those that were
    committed and clean (from the index); `remove`, those that did not exist (unless ignored)."""

    saved: tuple[str, ...]
    checkout: tuple[str, ...]
    remove: tuple[str, ...]


def plan_restore(
    dirty_before: Set[str], dirty_after: Set[str], tracked: Set[str], skip: Set[str]
) -> TreeRestore:
    """Sort the paths git reports changed, before or after a failed release (the index already put
    back), by how each is put back; `skip` holds the paths put back otherwise (the bump's own)."""
    touched = (set(dirty_before) | set(dirty_after)) - set(skip)
    saved = touched & set(dirty_before)
    checkout = (touched - saved) & set(tracked)
    return TreeRestore(
        tuple(sorted(saved)), tuple(sorted(checkout)), tuple(sorted(touched - saved - checkout))
    )


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
    """The git steps of the release of `new`; raises ReleaseError for one that cannot be done and
    SettingError for a template that cannot be filled (every template of a release is checked,
    also those this one does not use, so that a bad `cycle_message` shows before the day of a cut)."""
    cut, tag = request.cut_branch, request.tag or request.cut_branch
    if not (request.commit or tag):
        return GitPlan()
    values = template_values(new, old, scheme)
    fill("[bump-version].tag_name", request.tag_name, values)
    fill("[bump-version].cycle_message", request.cycle_message, values)
    if cut:
        check_cut(new, on_release_branch, scheme)
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
    """Plan the bump on `branch`, its git steps and the next cycle, before anything is written;
    `links`: how the files to rewrite are linked, read before.

    Raises `PlanError` (with the problems) for a repo that cannot be bumped as asked,
    `ReleaseError` for a git step that cannot be done, `SettingError` for a template that cannot
    be filled, `CommandError` for a bad command.
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
