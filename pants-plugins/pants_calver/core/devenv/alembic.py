"""Alembic revision files, read as text with no Pants import: each file's revision and the
revisions it sits on, the graph they make, and what changed between two sets of them."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from collections.abc import Iterable, Mapping

from pants_calver.core.problems import Problem

# What `alembic downgrade` calls the state before the first revision.
BASE = "base"

# The codes of the problems of migration files: one that cannot be read, two with one revision id.
MIGRATION_UNREADABLE = "migration-unreadable"
REVISION_TWICE = "migration-revision-twice"


class _Unreadable(Exception):
    """Stops reading a migration file inside `parse_migration`, which returns `problem`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _error(path: str, line: int | None, problem: str, fix: str) -> _Unreadable:
    return _Unreadable(Problem(path, line or 0, MIGRATION_UNREADABLE, f"{problem} {fix}"))


@dataclass(frozen=True)
class Migration:
    """One Alembic revision file."""

    revision: str
    down_revisions: tuple[str, ...]
    path: str


def _revision_value(node: ast.expr, path: str, name: str) -> tuple[str, ...]:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        raise _error(
            path,
            node.lineno,
            f"`{name}` is not a literal string, tuple of strings or None.",
            "Alembic revision files must set it to a literal value.",
        )
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _error(
        path,
        node.lineno,
        f"`{name}` is {value!r}, not a string, tuple of strings or None.",
        "Alembic revision files must set it to a literal value.",
    )


def parse_migration(path: str, text: str) -> Migration | Problem | None:
    """Read `revision` and `down_revision` from an Alembic revision file.

    Returns None for a file that sets neither (e.g. an `__init__.py` among the versions), and a
    problem (`MIGRATION_UNREADABLE`, naming the line when there is one) for a file that cannot be
    parsed or sets only one of them.
    """
    try:
        return _parse_migration(path, text)
    except _Unreadable as e:
        return e.problem


def _parse_migration(path: str, text: str) -> Migration | None:
    try:
        module = ast.parse(text, filename=path)
    except SyntaxError as e:
        raise _error(path, e.lineno, f"is not valid Python ({e.msg}).", "Fix the migration file.")
    values: dict[str, ast.expr] = {}
    for stmt in module.body:
        if isinstance(stmt, ast.Assign):
            targets = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            value: ast.expr | None = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            targets = [stmt.target.id]
            value = stmt.value
        else:
            continue
        for target in targets:
            if target in ("revision", "down_revision") and value is not None:
                values[target] = value
    if not values:
        return None
    if "revision" not in values:
        raise _error(
            path,
            None,
            "sets `down_revision` but no `revision`.",
            'Add `revision = "<id>"` as Alembic generates it.',
        )
    revision = _revision_value(values["revision"], path, "revision")
    if len(revision) != 1:
        raise _error(
            path,
            values["revision"].lineno,
            "`revision` must be one string.",
            'Set `revision = "<id>"`.',
        )
    down = (
        _revision_value(values["down_revision"], path, "down_revision") if "down_revision" in values else ()
    )
    return Migration(revision=revision[0], down_revisions=down, path=path)


def index_migrations(migrations: Iterable[Migration]) -> dict[str, Migration] | Problem:
    """Key migrations by revision; two files with one revision id is a problem naming both."""
    by_revision: dict[str, Migration] = {}
    for migration in migrations:
        other = by_revision.get(migration.revision)
        if other is not None:
            return Problem(
                migration.path,
                0,
                REVISION_TWICE,
                f"has revision {migration.revision!r}, which {other.path} has too. "
                "Give one of them a new revision id.",
            )
        by_revision[migration.revision] = migration
    return by_revision


def read_migrations(
    files: Iterable[tuple[str, bytes]]
) -> tuple[dict[str, Migration] | None, tuple[Problem, ...]]:
    """The migrations among `(path, content)` pairs by revision, or None and why they cannot be
    read: a problem for each unreadable file, or the clash of two revision ids once every file
    reads."""
    migrations: list[Migration] = []
    problems: list[Problem] = []
    for path, content in files:
        read = parse_migration(path, content.decode("utf-8", errors="replace"))
        if isinstance(read, Problem):
            problems.append(read)
        elif read is not None:
            migrations.append(read)
    if problems:
        return None, tuple(problems)
    indexed = index_migrations(migrations)
    return (None, (indexed,)) if isinstance(indexed, Problem) else (indexed, ())


def in_order(
    revisions: Iterable[str], graph: Mapping[str, Migration], *, newest_first: bool = False
) -> list[str]:
    """Order revisions oldest first (parents before children), as they are upgraded, or newest
    first (children before parents), as they are downgraded; ties by id, for stable output. A
    cycle (which Alembic refuses) is cut where it is found, so that no revision is left out."""
    wanted = set(revisions)
    children: dict[str, list[str]] = {}
    for rev in sorted(wanted):
        for parent in graph[rev].down_revisions:
            children.setdefault(parent, []).append(rev)

    def first(rev: str) -> Iterable[str]:
        """What must come before `rev`: its children when downgrading, else its parents."""
        if newest_first:
            return children.get(rev, [])
        return (parent for parent in graph[rev].down_revisions if parent in wanted and parent in graph)

    done: set[str] = set()
    order: list[str] = []

    def visit(rev: str, seen: frozenset[str]) -> None:
        if rev in done or rev in seen:
            return
        for other in first(rev):
            visit(other, seen | {rev})
        done.add(rev)
        order.append(rev)

    for rev in sorted(wanted):
        visit(rev, frozenset())
    return order


@dataclass(frozen=True)
class MigrationChanges:
    added: tuple[Migration, ...]
    removed: tuple[Migration, ...]


def compare_migrations(
    recorded: Mapping[str, Migration], current: Mapping[str, Migration]
) -> MigrationChanges:
    """What changed between the migrations recorded at the last run and the ones here now, each
    oldest first."""
    added = [current[r] for r in in_order(set(current) - set(recorded), current)]
    removed = [recorded[r] for r in in_order(set(recorded) - set(current), recorded)]
    return MigrationChanges(tuple(added), tuple(removed))
