"""What a database at one set of Alembic heads must undo, and then apply, to be at another, with no
Pants import: the plan behind `export-dev --preview` (before a switch) and the report of
`export-dev` (after one)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import combinations

from pants_calver.core.devenv.alembic import BASE, Migration, in_order
from pants_calver.core.problems import Problem

# The codes of the plan's problems: a down_revision that no migration file defines; a revision
# that no `alembic downgrade` undoes without undoing revisions the other side has too.
DOWN_REVISION_UNKNOWN = "down-revision-unknown"
DOWNGRADE_UNDOES_MORE = "downgrade-undoes-more"


@dataclass(frozen=True)
class MigrationSwitch:
    """What the database needs for the switch, when it is at this checkout's heads.

    `downgrade`: this checkout's revisions to undo before the switch, newest first: those BRANCH
    lacks, those BRANCH has on other down_revisions (`rewritten`), and what sits on either.
    `targets`: one `alembic downgrade <target>` each, undoing part of `downgrade` and nothing else.
    `by_hand`: the rest of `downgrade`, which no such command can undo alone (see `problems`).
    `upgrade`: what `alembic upgrade head` applies after the switch, oldest first, from BRANCH's
    files: the revisions BRANCH adds, and the ones undone that BRANCH has too.
    `rewritten`: revisions both sides have, on different down_revisions. `problems`: about the
    database (no path: each message names the revisions and files), each ending with what to do.
    """

    downgrade: tuple[Migration, ...] = ()
    targets: tuple[str, ...] = ()
    by_hand: tuple[str, ...] = ()
    upgrade: tuple[Migration, ...] = ()
    rewritten: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


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
) -> tuple[tuple[str, ...], set[str], list[Problem]]:
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
    problems: dict[str, Problem] = {}
    for root in (r for r in roots if not options[r]):
        # Name the parent whose downgrade would undo the fewest revisions that must stay.
        target = min(here[root].down_revisions or (BASE,), key=lambda t: (len(descendants(t) - undo), t))
        own = ", ".join(in_order((descendants(target) & undo) - covered, here, newest_first=True))
        also = ", ".join(in_order(descendants(target) - undo, here, newest_first=True))
        problems[target] = Problem(
            "",
            0,
            DOWNGRADE_UNDOES_MORE,
            f"`alembic downgrade {target}` would undo {own} but also {also}, which {branch} has too, "
            f"so it is not offered: undo {own} by hand before the switch.",
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


def _dangling(graph: Mapping[str, Migration], side: str, consequence: str) -> list[Problem]:
    """A problem for each down_revision that no migration of `graph` defines."""
    return [
        Problem(
            "",
            0,
            DOWN_REVISION_UNKNOWN,
            f"{m.revision} ({m.path}) has down_revision {parent}, which no migration file {side} has: "
            f"{consequence}",
        )
        for m in sorted(graph.values(), key=lambda m: m.revision)
        for parent in m.down_revisions
        if parent not in graph
    ]
