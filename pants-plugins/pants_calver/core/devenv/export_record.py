"""The record `export-dev` keeps of what it exported, and the outcome of each resolve, with no
Pants import: what decides whether a resolve's virtualenv is up to date."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from collections.abc import Mapping

from pants_calver.core.devenv.alembic import Migration
from pants_calver.core.errors import InputFileError

RECORD_VERSION = 1
# The code of the problem of a record that cannot be written (the message says why and where).
RECORD_UNWRITABLE = "record-unwritable"
# What to do with a record that cannot be read.
RECORD_FIX = "Delete it (the next run re-exports everything and records afresh)."


def sha256_hex(*chunks: bytes) -> str:
    """Hash the chunks in order, length-prefixed so that ("ab", "c") and ("a", "bc") differ."""
    hasher = hashlib.sha256()
    for chunk in chunks:
        hasher.update(len(chunk).to_bytes(8, "big"))
        hasher.update(chunk)
    return hasher.hexdigest()


@dataclass(frozen=True)
class ResolveInputs:
    """What an exported virtualenv was built from: if any of it changes, the venv is rebuilt."""

    lockfile_sha256: str
    interpreter_constraints: tuple[str, ...]
    pants_version: str
    export_format: str
    editable: bool = False
    # The interpreter's full version and the hash of its binary: a patch upgrade exports anew
    # (into a new place, named after the version).
    interpreter: str = ""
    # With `[export].py_editable_in_resolve`: the distributions installed as editable, each with
    # its version and entry points.
    editable_dists: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "lockfile_sha256": self.lockfile_sha256,
            "interpreter_constraints": list(self.interpreter_constraints),
            "pants_version": self.pants_version,
            "export_format": self.export_format,
            "editable": self.editable,
            "interpreter": self.interpreter,
            "editable_dists": list(self.editable_dists),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResolveInputs:
        return cls(
            lockfile_sha256=str(data["lockfile_sha256"]),
            interpreter_constraints=tuple(str(ic) for ic in data["interpreter_constraints"]),
            pants_version=str(data["pants_version"]),
            export_format=str(data["export_format"]),
            editable=bool(data.get("editable", False)),
            # A record written before these were recorded matches no export: it is made anew once.
            interpreter=str(data.get("interpreter", "")),
            editable_dists=tuple(str(dist) for dist in data.get("editable_dists", ())),
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


def interpreter_failure(message: str, stderr: str, constraints: str, resolve: str) -> str:
    """One line for a resolve whose interpreter Pants cannot find: what the interpreter search
    said (the first line of its output, e.g. pex's "Could not find a compatible interpreter."),
    the process Pants names in `message` (its first line), and what to do.

    `constraints` are the resolve's interpreter constraints, as Pants spells them.
    """
    said = next((line.strip() for line in stderr.splitlines() if line.strip()), "")
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    process = lines[0].rstrip(".") if lines else "the interpreter search failed"
    why = f"{said.rstrip('.')} ({process})" if said else process
    return (
        f"{why}. Install a Python that matches {constraints or 'its interpreter constraints'} where "
        f"`[python-bootstrap].search_path` looks, or change the interpreter constraints of `{resolve}`."
    )


# The tree the record's `migrations` field holds, as records did before there were several trees.
FIRST_TREE = "alembic.ini"


def _migrations_json(migrations: Mapping[str, Migration] | None) -> dict[str, Any] | None:
    if migrations is None:
        return None
    return {
        rev: {"down_revisions": list(m.down_revisions), "path": m.path}
        for rev, m in sorted(migrations.items())
    }


def _migrations_from_json(data: Mapping[str, Any] | None) -> dict[str, Migration] | None:
    if data is None:
        return None
    return {
        str(rev): Migration(str(rev), tuple(m["down_revisions"]), str(m["path"])) for rev, m in data.items()
    }


@dataclass(frozen=True)
class DevRecord:
    """What the last `export-dev` run saw, stored as JSON next to the exports.

    `trees` holds each Alembic tree's migrations by its `.ini` (None for a tree whose files could
    not be read then); `trees` and `config_samples` are None when they were never recorded.
    `config_keys` holds, for each sample a local copy is compared with, its keys' fingerprints
    (`core/devenv/config_keys.py`): the *old* sample of the next run.
    """

    resolves: Mapping[str, ResolveRecord]
    trees: Mapping[str, Mapping[str, Migration] | None] | None
    config_samples: Mapping[str, str] | None
    config_keys: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> DevRecord:
        return cls(resolves={}, trees=None, config_samples=None)

    def to_json_bytes(self) -> bytes:
        trees = None if self.trees is None else {ini: _migrations_json(m) for ini, m in self.trees.items()}
        data: dict[str, Any] = {
            "version": RECORD_VERSION,
            "resolves": {name: rec.to_json() for name, rec in sorted(self.resolves.items())},
            # Read by the plugin's versions before there were several trees.
            "migrations": (trees or {}).get(FIRST_TREE),
            "alembic_trees": trees,
            "config_samples": None
            if self.config_samples is None
            else dict(sorted(self.config_samples.items())),
            "config_keys": {sample: dict(keys) for sample, keys in sorted(self.config_keys.items())},
        }
        return (json.dumps(data, indent=2) + "\n").encode()

    @classmethod
    def from_json_bytes(cls, content: bytes, path: str) -> DevRecord:
        """Parse a record; a damaged or foreign one raises `InputFileError` naming `path`."""
        fix = RECORD_FIX
        try:
            data = json.loads(content)
        except ValueError as e:
            raise InputFileError(path, None, f"is not valid JSON ({e}). {fix}")
        if not isinstance(data, dict) or data.get("version") != RECORD_VERSION:
            raise InputFileError(
                path, None, f"is not an export-dev record of version {RECORD_VERSION}. {fix}"
            )
        try:
            resolves = {str(name): ResolveRecord.from_json(rec) for name, rec in data["resolves"].items()}
            trees = _trees_from_json(data)
            configs = (
                None
                if data["config_samples"] is None
                else {str(p): str(h) for p, h in data["config_samples"].items()}
            )
            keys = {
                str(sample): {str(k): str(v) for k, v in found.items()}
                for sample, found in data.get("config_keys", {}).items()
            }
        except (KeyError, TypeError, AttributeError) as e:
            raise InputFileError(path, None, f"is missing or mangles a field ({e!r}). {fix}")
        return cls(resolves=resolves, trees=trees, config_samples=configs, config_keys=keys)


def _trees_from_json(data: Mapping[str, Any]) -> dict[str, dict[str, Migration] | None] | None:
    """The trees; a record written before there were several holds only `alembic.ini`'s."""
    if "alembic_trees" not in data:
        migrations = _migrations_from_json(data["migrations"])
        return None if migrations is None else {FIRST_TREE: migrations}
    if data["alembic_trees"] is None:
        return None
    return {str(ini): _migrations_from_json(m) for ini, m in data["alembic_trees"].items()}


def elapsed_line(seconds: float) -> str:
    return f"export-dev finished in {seconds:.1f}s."
