"""What a `git switch` to another branch will need, read from git objects before the switch.

The logic behind `pants export-dev --preview=BRANCH`, with no Pants import: the goal reads BRANCH's
files from git objects (`pants_calver.core.git_objects`), passes what it read in, and prints the
lines `preview_lines` returns. Nothing here writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from itertools import combinations
from collections.abc import Callable, Mapping, Sequence

from pants_calver.core.alembic import BASE, Migration, in_order
from pants_calver.core.problems import plural
from pants_calver.core.switch_report import ConfigChanges


# ---------------------------------------------------------------------------------------------
# Migrations across the switch


@dataclass(frozen=True)
class MigrationSwitch:
    """What the database needs for the switch, when it is at this checkout's heads.

    `downgrade`: this checkout's revisions to undo before the switch, newest first: those BRANCH
    lacks, those BRANCH has on other down_revisions (`rewritten`), and what sits on either.
    `targets`: one `alembic downgrade <target>` each, undoing part of `downgrade` and nothing else.
    `by_hand`: the rest of `downgrade`, which no such command can undo alone (see `problems`).
    `upgrade`: what `alembic upgrade head` applies after the switch, oldest first, from BRANCH's
    files: the revisions BRANCH adds, and the ones undone that BRANCH has too.
    `rewritten`: revisions both sides have, on different down_revisions. `problems`: sentences that
    each end with what to do.
    """

    downgrade: tuple[Migration, ...] = ()
    targets: tuple[str, ...] = ()
    by_hand: tuple[str, ...] = ()
    upgrade: tuple[Migration, ...] = ()
    rewritten: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def plan_migrations(
    here: Mapping[str, Migration], there: Mapping[str, Migration], *, branch: str = "the other branch"
) -> MigrationSwitch:
    """Plan the database side of the switch from this checkout's migrations to BRANCH's.

    `alembic downgrade T` undoes every applied revision that descends from T, so a target is only
    offered when all it undoes must be undone; the fewest such targets are chosen (ties by id). A
    revision to undo that no such target reaches (`alembic downgrade a` would also undo b, which
    BRANCH has too) goes to `by_hand`, with a problem naming both. A down_revision that no file on
    the same side defines stops Alembic on that side: here, no target is offered and all of
    `downgrade` is `by_hand`; on BRANCH, a problem says `alembic upgrade head` will fail there.
    A rewritten revision is not a problem: it is undone with here's file and applied again with
    BRANCH's, as is everything here that sits on it.
    """
    shared = set(here) & set(there)
    rewritten = sorted(r for r in shared if set(here[r].down_revisions) != set(there[r].down_revisions))
    descendants = _descendants(here)
    undo: set[str] = set()
    for rev in (set(here) - shared) | set(rewritten):
        undo |= {rev} | descendants(rev)
    broken_here = _dangling(here, "here", "no `alembic` command works in this checkout until it is fixed.")
    broken_there = _dangling(
        there, f"on {branch}", "`alembic upgrade head` will fail there until it is fixed."
    )
    targets, covered, entangled = (
        ((), set(), []) if broken_here else _targets(here, undo, descendants, branch)
    )
    return MigrationSwitch(
        downgrade=tuple(here[r] for r in in_order(undo, here, newest_first=True)),
        targets=targets,
        by_hand=tuple(in_order(undo - covered, here, newest_first=True)),
        upgrade=tuple(there[r] for r in in_order((set(there) - shared) | (undo & shared), there)),
        rewritten=tuple(rewritten),
        problems=(*broken_here, *broken_there, *entangled),
    )


def _targets(
    here: Mapping[str, Migration], undo: set[str], descendants: Callable[[str], set[str]], branch: str
) -> tuple[tuple[str, ...], set[str], list[str]]:
    """The fewest `alembic downgrade` targets that undo only revisions of `undo`, the revisions
    they undo, and a problem for each target that would be needed but undoes more."""
    # A root of `undo` (none of its parents is undone) is undone by downgrading to one of its
    # parents; nothing else undoes it without undoing that parent too.
    roots = sorted(r for r in undo if not set(here[r].down_revisions) & undo)
    options = {r: [t for t in here[r].down_revisions or (BASE,) if descendants(t) <= undo] for r in roots}
    chosen = {opts[0] for opts in options.values() if len(opts) == 1}
    # What is left are merge revisions with several safe parents, few: try every combination.
    rest = [set(opts) for opts in options.values() if len(opts) > 1 and not chosen & set(opts)]
    candidates = sorted(set().union(set(), *rest))
    for size in range(len(candidates) + 1):
        extra = next((c for c in combinations(candidates, size) if all(o & set(c) for o in rest)), None)
        if extra is not None:
            chosen |= set(extra)
            break
    covered = set().union(set(), *(descendants(t) for t in chosen))
    problems: dict[str, str] = {}
    for root in (r for r in roots if not options[r]):
        # Name the parent whose downgrade would undo the fewest revisions that must stay.
        target = min(here[root].down_revisions or (BASE,), key=lambda t: (len(descendants(t) - undo), t))
        own = ", ".join(in_order((descendants(target) & undo) - covered, here, newest_first=True))
        also = ", ".join(in_order(descendants(target) - undo, here, newest_first=True))
        problems[target] = (
            f"`alembic downgrade {target}` would undo {own} but also {also}, which {branch} has too, "
            f"so it is not offered: undo {own} by hand before the switch."
        )
    return tuple(sorted(chosen)), covered, [problems[t] for t in sorted(problems)]


def _descendants(graph: Mapping[str, Migration]) -> Callable[[str], set[str]]:
    """A function giving the revisions of `graph` that descend from a revision (all for `base`)."""
    children: dict[str, set[str]] = {}
    for migration in graph.values():
        for parent in migration.down_revisions or (BASE,):
            children.setdefault(parent, set()).add(migration.revision)

    def descendants(rev: str) -> set[str]:
        found: set[str] = set()
        todo = [rev]
        while todo:
            new = children.get(todo.pop(), set()) - found
            found |= new
            todo.extend(new)
        return found

    return descendants


def _dangling(graph: Mapping[str, Migration], side: str, consequence: str) -> list[str]:
    """A problem for each down_revision that no migration of `graph` defines."""
    return [
        f"{m.revision} ({m.path}) has down_revision {parent}, which no migration file {side} has: {consequence}"
        for m in sorted(graph.values(), key=lambda m: m.revision)
        for parent in m.down_revisions
        if parent not in graph
    ]


# ---------------------------------------------------------------------------------------------
# Lockfiles and configuration samples


class PreviewStatus(Enum):
    EXPORT = "will be re-exported"
    UP_TO_DATE = "up to date"
    SKIP = "will be skipped"
    UNKNOWN = "cannot tell"


@dataclass(frozen=True)
class ResolvePreview:
    """What `export-dev` will do with a resolve after the switch. Build it with `preview_resolve`,
    or with `PreviewStatus.UNKNOWN` and the reason when this checkout cannot tell."""

    resolve: str
    status: PreviewStatus
    detail: str

    def line(self) -> str:
        if self.status is PreviewStatus.UNKNOWN:
            return f"{self.resolve}: {self.status.value}: {self.detail}"
        return f"{self.resolve}: {self.status.value} ({self.detail})"


def preview_resolve(
    resolve: str, lockfile: str, here: str | None, there: str | None, branch: str
) -> ResolvePreview:
    """Compare a resolve's lockfile here and on BRANCH by blob id (None: no such file there)."""
    if there is None:
        return ResolvePreview(resolve, PreviewStatus.SKIP, f"{branch} has no {lockfile}")
    if here == there:
        return ResolvePreview(resolve, PreviewStatus.UP_TO_DATE, f"same {lockfile}")
    verb = "adds" if here is None else "changes"
    return ResolvePreview(resolve, PreviewStatus.EXPORT, f"{branch} {verb} {lockfile}")


# ---------------------------------------------------------------------------------------------
# Wording


def preview_lines(
    current: str | None,
    branch: str,
    migrations: MigrationSwitch | None,
    resolves: Sequence[ResolvePreview],
    configs: ConfigChanges,
    *,
    bin_name: str,
    migration_globs: Sequence[str],
    config_globs: Sequence[str],
) -> list[str]:
    """The whole preview: database, virtualenvs, configuration samples, then the steps to run.

    `current` is this checkout's branch (None when HEAD is detached); `migrations` is None when
    they could not be read (the errors are reported elsewhere).
    """
    lines = [f"Switching {f'from {current} ' if current else ''}to {branch}: a preview, nothing was changed."]
    lines += _database_lines(branch, migrations, migration_globs)
    lines.append("Virtualenvs:" if resolves else "Virtualenvs: none to export.")
    lines += [f"  {r.line()}" for r in resolves]
    if not config_globs:
        lines.append("Configuration samples: not compared (`[export-dev].config_samples` is empty).")
    elif configs:
        lines.append(f"Configuration samples that differ on {branch}:")
        kinds = (("changed", configs.changed), ("added", configs.added), ("removed", configs.removed))
        lines += [f"  {kind:<8} {path}" for kind, paths in kinds for path in paths]
    else:
        lines.append(f"Configuration samples: none differs (looked at {', '.join(config_globs)}).")
    steps = [f"alembic downgrade {target}" for target in migrations.targets] if migrations else []
    if migrations and migrations.by_hand:
        steps.append(f"undo {', '.join(migrations.by_hand)} by hand (see the database problem above)")
    steps += [f"git switch {branch}", f"{bin_name} export-dev"]
    if migrations and migrations.upgrade:
        steps.append("alembic upgrade head")
    if configs and config_globs:
        steps.append("check your local TOML and etcd configuration against the samples above")
    return [*lines, "Then:", *(f"  {n}. {step}" for n, step in enumerate(steps, 1))]


def _database_lines(branch: str, switch: MigrationSwitch | None, globs: Sequence[str]) -> list[str]:
    if not globs:
        return ["Database: not compared (`[export-dev].migrations` is empty)."]
    if switch is None:
        return ["Database: not compared: the migrations could not be read (see above)."]
    again = {m.revision for m in switch.upgrade} & {m.revision for m in switch.downgrade}
    lines = []
    if switch.downgrade:
        n, order = plural(len(switch.downgrade), "migration"), _first(len(switch.downgrade), "newest")
        lines.append(
            f"Database: undo {n} of this checkout before the switch{order}:"
            if again
            else f"Database: this checkout has {n} that {branch} lacks{order}:"
        )
        for m in switch.downgrade:
            why = f"rewritten on {branch}" if m.revision in switch.rewritten else "sits on a rewritten one"
            lines.append(f"  {m.revision}  {m.path}{f'  ({why})' if m.revision in again else ''}")
    if switch.targets:
        commands = " and ".join(f"`alembic downgrade {t}`" for t in switch.targets)
        lines.append(f"  Run {commands} now, before the switch, while this checkout has their files.")
    if switch.upgrade:
        n, order = plural(len(switch.upgrade), "migration"), _first(len(switch.upgrade), "oldest")
        lines.append(
            f"Database: after the switch, `alembic upgrade head` applies {n} of {branch}{order}:"
            if again
            else f"Database: {branch} adds {n}, to apply after the switch with `alembic upgrade head`{order}:"
        )
        lines += [
            f"  {m.revision}  {m.path}{'  (again)' if m.revision in again else ''}" for m in switch.upgrade
        ]
    lines += [f"Database problem: {problem}" for problem in switch.problems]
    return lines or [f"Database: no migration differs (looked at {', '.join(globs)})."]


def _first(n: int, which: str) -> str:
    return f" ({which} first)" if n > 1 else ""
