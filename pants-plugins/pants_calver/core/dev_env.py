"""What a branch switch needs, decided from file content: the logic behind `pants export-dev`.

Nothing here imports Pants or touches the filesystem. The `export-dev` goal reads files, passes their
content in, and prints the lines these functions return.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable, Mapping

RECORD_VERSION = 1


def sha256_hex(*chunks: bytes) -> str:
    """Hash the chunks in order, length-prefixed so that ("ab", "c") and ("a", "bc") differ."""
    hasher = hashlib.sha256()
    for chunk in chunks:
        hasher.update(len(chunk).to_bytes(8, "big"))
        hasher.update(chunk)
    return hasher.hexdigest()


# ---------------------------------------------------------------------------------------------
# Resolves


@dataclass(frozen=True)
class ResolveInputs:
    """What an exported virtualenv was built from: if any of it changes, the venv is rebuilt."""

    lockfile_sha256: str
    interpreter_constraints: tuple[str, ...]
    pants_version: str
    export_format: str
    editable: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "lockfile_sha256": self.lockfile_sha256,
            "interpreter_constraints": list(self.interpreter_constraints),
            "pants_version": self.pants_version,
            "export_format": self.export_format,
            "editable": self.editable,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResolveInputs:
        return cls(
            lockfile_sha256=str(data["lockfile_sha256"]),
            interpreter_constraints=tuple(str(ic) for ic in data["interpreter_constraints"]),
            pants_version=str(data["pants_version"]),
            export_format=str(data["export_format"]),
            editable=bool(data.get("editable", False)),
        )


@dataclass(frozen=True)
class ResolveRecord:
    """One exported resolve: its inputs, where its venv went (relative to `dist/export/`), and the
    identity of the venv's directory entry at that time, so that a venv replaced by someone else
    (e.g. a plain `pants export` from another branch) is not mistaken for ours."""

    inputs: ResolveInputs
    reldir: str
    venv_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs.to_json(),
            "reldir": self.reldir,
            "venv_id": self.venv_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResolveRecord:
        return cls(
            inputs=ResolveInputs.from_json(data["inputs"]),
            reldir=str(data["reldir"]),
            venv_id=str(data["venv_id"]),
        )


def is_up_to_date(record: ResolveRecord | None, inputs: ResolveInputs, current_venv_id: str | None) -> bool:
    """A resolve needs no export if it was exported from the same inputs and that venv is still
    there, unchanged in identity.

    `current_venv_id` is the identity of the directory entry at `record.reldir` now, or None if it
    is gone.
    """
    return (
        record is not None
        and record.inputs == inputs
        and current_venv_id is not None
        and current_venv_id == record.venv_id
    )


class Outcome(Enum):
    EXPORTED = "exported"
    UP_TO_DATE = "up to date"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class ResolveOutcome:
    resolve: str
    outcome: Outcome
    detail: str = ""

    def line(self) -> str:
        """The one line printed for this resolve."""
        if self.outcome in (Outcome.SKIPPED, Outcome.FAILED):
            return f"{self.resolve}: {self.outcome.value}: {self.detail}"
        if self.detail:
            return f"{self.resolve}: {self.outcome.value} ({self.detail})"
        return f"{self.resolve}: {self.outcome.value}"


def failure_reason(message: str, max_lines: int = 8) -> str:
    """Shorten an engine error for the one-line-per-resolve output.

    Keeps the first non-blank line (what failed) and the last `max_lines - 1` (where a tool's
    traceback says why), and says how many lines were left out between them.
    """
    lines = [line.rstrip() for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return "unknown error"
    if len(lines) > max_lines:
        n_tail = max_lines - 1
        tail = lines[-n_tail:] if n_tail else []
        lines = [lines[0], f"... ({len(lines) - max_lines} lines left out)", *tail]
    return "\n    ".join(lines)


# ---------------------------------------------------------------------------------------------
# Alembic migrations


class DevEnvInputError(Exception):
    """A file that export-dev reads is not in the shape it needs; says which file and line."""

    def __init__(self, path: str, line: int | None, problem: str, fix: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        self.fix = fix
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem} {fix}")


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
        raise DevEnvInputError(
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
    raise DevEnvInputError(
        path,
        node.lineno,
        f"`{name}` is {value!r}, not a string, tuple of strings or None.",
        "Alembic revision files must set it to a literal value.",
    )


def parse_migration(path: str, text: str) -> Migration | None:
    """Read `revision` and `down_revision` from an Alembic revision file.

    Returns None for a file that sets neither (e.g. an `__init__.py` among the versions); raises
    `DevEnvInputError` for a file that cannot be parsed or sets only one of them.
    """
    try:
        module = ast.parse(text, filename=path)
    except SyntaxError as e:
        raise DevEnvInputError(path, e.lineno, f"is not valid Python ({e.msg}).", "Fix the migration file.")
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
        raise DevEnvInputError(
            path,
            None,
            "sets `down_revision` but no `revision`.",
            'Add `revision = "<id>"` as Alembic generates it.',
        )
    revision = _revision_value(values["revision"], path, "revision")
    if len(revision) != 1:
        raise DevEnvInputError(
            path,
            values["revision"].lineno,
            "`revision` must be one string.",
            'Set `revision = "<id>"`.',
        )
    down = (
        _revision_value(values["down_revision"], path, "down_revision") if "down_revision" in values else ()
    )
    return Migration(revision=revision[0], down_revisions=down, path=path)


def index_migrations(migrations: Iterable[Migration]) -> dict[str, Migration]:
    """Key migrations by revision; two files with one revision id is an error naming both."""
    by_revision: dict[str, Migration] = {}
    for migration in migrations:
        other = by_revision.get(migration.revision)
        if other is not None:
            raise DevEnvInputError(
                migration.path,
                None,
                f"has revision {migration.revision!r}, which {other.path} has too.",
                "Give one of them a new revision id.",
            )
        by_revision[migration.revision] = migration
    return by_revision


def _ordered(revisions: Iterable[str], graph: Mapping[str, Migration]) -> list[str]:
    """Order revisions oldest first (parents before children), ties by id, for stable output."""
    wanted = set(revisions)
    done: set[str] = set()
    order: list[str] = []

    def visit(rev: str, seen: frozenset[str]) -> None:
        if rev in done or rev in seen:
            return
        for parent in graph[rev].down_revisions:
            if parent in wanted and parent in graph:
                visit(parent, seen | {rev})
        done.add(rev)
        order.append(rev)

    for rev in sorted(wanted):
        visit(rev, frozenset())
    return order


@dataclass(frozen=True)
class MigrationChanges:
    added: tuple[Migration, ...]
    removed: tuple[Migration, ...]
    # The revisions that the removed ones sit on: `alembic downgrade` to these before leaving the
    # branch that has them. "base" when the removed chain starts at the very first migration.
    downgrade_targets: tuple[str, ...]


def compare_migrations(
    recorded: Mapping[str, Migration], current: Mapping[str, Migration]
) -> MigrationChanges:
    """What changed between the migrations recorded at the last run and the ones here now."""
    added = [current[r] for r in _ordered(set(current) - set(recorded), current)]
    removed_ids = set(recorded) - set(current)
    removed = [recorded[r] for r in _ordered(removed_ids, recorded)]
    targets: set[str] = set()
    for migration in removed:
        parents = [p for p in migration.down_revisions if p not in removed_ids]
        if not migration.down_revisions:
            targets.add("base")
        targets.update(parents)
    return MigrationChanges(tuple(added), tuple(removed), tuple(sorted(targets)))


# ---------------------------------------------------------------------------------------------
# Configuration samples


@dataclass(frozen=True)
class ConfigChanges:
    changed: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def compare_configs(recorded: Mapping[str, str], current: Mapping[str, str]) -> ConfigChanges:
    """Compare path -> content hash maps of configuration samples."""
    return ConfigChanges(
        changed=tuple(sorted(p for p in current if p in recorded and recorded[p] != current[p])),
        added=tuple(sorted(set(current) - set(recorded))),
        removed=tuple(sorted(set(recorded) - set(current))),
    )


# ---------------------------------------------------------------------------------------------
# The record file


@dataclass(frozen=True)
class DevRecord:
    """What the last `export-dev` run saw, stored as JSON next to the exports.

    `migrations` and `config_samples` are None when they were never recorded.
    """

    resolves: Mapping[str, ResolveRecord]
    migrations: Mapping[str, Migration] | None
    config_samples: Mapping[str, str] | None

    @classmethod
    def empty(cls) -> DevRecord:
        return cls(resolves={}, migrations=None, config_samples=None)

    def to_json_bytes(self) -> bytes:
        data: dict[str, Any] = {
            "version": RECORD_VERSION,
            "resolves": {name: rec.to_json() for name, rec in sorted(self.resolves.items())},
            "migrations": None
            if self.migrations is None
            else {
                rev: {"down_revisions": list(m.down_revisions), "path": m.path}
                for rev, m in sorted(self.migrations.items())
            },
            "config_samples": None
            if self.config_samples is None
            else dict(sorted(self.config_samples.items())),
        }
        return (json.dumps(data, indent=2) + "\n").encode()

    @classmethod
    def from_json_bytes(cls, content: bytes, path: str) -> DevRecord:
        """Parse a record; a damaged or foreign one raises `DevEnvInputError` naming `path`."""
        fix = "Delete it (the next run re-exports everything and records afresh)."
        try:
            data = json.loads(content)
        except ValueError as e:
            raise DevEnvInputError(path, None, f"is not valid JSON ({e}).", fix)
        if not isinstance(data, dict) or data.get("version") != RECORD_VERSION:
            raise DevEnvInputError(
                path,
                None,
                f"is not an export-dev record of version {RECORD_VERSION}.",
                fix,
            )
        try:
            resolves = {str(name): ResolveRecord.from_json(rec) for name, rec in data["resolves"].items()}
            migrations = (
                None
                if data["migrations"] is None
                else {
                    str(rev): Migration(str(rev), tuple(m["down_revisions"]), str(m["path"]))
                    for rev, m in data["migrations"].items()
                }
            )
            configs = (
                None
                if data["config_samples"] is None
                else {str(p): str(h) for p, h in data["config_samples"].items()}
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise DevEnvInputError(path, None, f"is missing or mangles a field ({e!r}).", fix)
        return cls(resolves=resolves, migrations=migrations, config_samples=configs)


# ---------------------------------------------------------------------------------------------
# Report wording


def report_lines(
    recorded: DevRecord,
    migrations: Mapping[str, Migration] | None,
    config_samples: Mapping[str, str],
    *,
    migration_globs: Iterable[str],
    config_globs: Iterable[str],
) -> list[str]:
    """The "what else this switch needs" part of the output.

    `migrations` is None when they could not be read (the errors are reported elsewhere): then
    only configuration samples are compared.
    """
    if recorded.migrations is None and recorded.config_samples is None:
        counted = [_count(len(config_samples), "configuration sample")]
        if migrations is not None:
            counted.insert(0, _count(len(migrations), "migration"))
        return [
            "First export-dev run here: nothing was recorded before, so there is nothing to "
            f"compare. Recorded {' and '.join(counted)} for the next run."
        ]
    lines: list[str] = []
    if migrations is not None and recorded.migrations is None:
        lines.append(
            "No migrations were recorded before (they could not be read then): recorded "
            f"{_count(len(migrations), 'migration')} for the next run."
        )
    elif migrations is not None:
        changes = compare_migrations(recorded.migrations or {}, migrations)
        if changes.added:
            lines.append(f"New database migrations since the last export-dev ({len(changes.added)}):")
            lines.extend(f"  {m.revision}  {m.path}" for m in changes.added)
            lines.append("  Run `alembic upgrade head` to apply them.")
        if changes.removed:
            targets = " or ".join(changes.downgrade_targets)
            lines.append(
                "Database migrations recorded at the last export-dev are gone from this branch "
                f"({len(changes.removed)}):"
            )
            lines.extend(f"  {m.revision}  {m.path}" for m in changes.removed)
            lines.append(
                "  The database may be ahead of this branch. Before switching here, run "
                f"`alembic downgrade {targets}` on the branch that has them (the `alembic "
                "downgrade` step of the development setup): switch back, downgrade, then switch "
                "here again."
            )
    configs = compare_configs(recorded.config_samples or {}, config_samples)
    if configs:
        lines.append("Configuration samples changed since the last export-dev:")
        lines.extend(f"  changed  {p}" for p in configs.changed)
        lines.extend(f"  added    {p}" for p in configs.added)
        lines.extend(f"  removed  {p}" for p in configs.removed)
        lines.append("  Check your local TOML configuration and etcd configuration against them.")
    if not lines:
        what = (
            "database migration or configuration sample"
            if migrations is not None
            else ("configuration sample")
        )
        looked_at = [
            *(migration_globs if migrations is not None else ()),
            *config_globs,
        ]
        lines.append(
            f"No {what} changed since the last export-dev "
            f"(looked at {', '.join(looked_at) or 'nothing: no globs are configured'})."
        )
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def elapsed_line(seconds: float) -> str:
    return f"export-dev finished in {seconds:.1f}s."
