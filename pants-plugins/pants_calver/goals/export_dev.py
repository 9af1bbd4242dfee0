"""`pants export-dev`: rebuild the IDE virtualenvs after a branch switch, and say what else it needs.

The virtualenvs come from Pants' own export machinery (`_ExportVenvForResolveRequest`, the rule
behind `pants export --resolve=...`), so they land where `pants export` puts them and look the same.
What this goal adds: it skips resolves whose inputs did not change, keeps going when one resolve is
missing or broken, and compares Alembic migrations and configuration samples with the last run.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Sequence

from pants.backend.python.goals.export import PythonResolveExportFormat
from pants.backend.python.subsystems.setup import PythonSetup
from pants.base.build_root import BuildRoot
from pants.core.goals.export import ExportSubsystem
from pants.core.util_rules.distdir import DistDir
from pants.engine.console import Console
from pants.engine.env_vars import EnvironmentVars, EnvironmentVarsRequest
from pants.engine.fs import CreateDigest, Digest, DigestContents, FileContent, PathGlobs, Workspace
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.internals.selectors import Get, MultiGet
from pants.engine.rules import collect_rules, goal_rule, rule
from pants.option.option_types import BoolOption, StrListOption
from pants.util.docutil import bin_name
from pants.util.strutil import softwrap

from pants_calver.core.alembic import Migration, index_migrations, parse_migration
from pants_calver.core.errors import InputFileError
from pants_calver.core.export_record import (
    DevRecord,
    Outcome,
    ResolveOutcome,
    ResolveRecord,
    elapsed_line,
    is_up_to_date,
    sha256_hex,
)
from pants_calver.core.switch_report import report_lines
from pants_calver.engine import venv_export
from pants_calver.engine.venv_export import (
    STAGING_DIR,
    TRASH_DIR,
    BuildExportRequest,
    BuiltExport,
    MaybeResolveInputs,
    ResolveInputsRequest,
    export_format,
    materialize,
    remove,
    venv_id,
)

logger = logging.getLogger(__name__)

RECORD_NAME = "export-dev.json"


class ExportDevSubsystem(GoalSubsystem):
    name = "export-dev"
    help = softwrap(
        f"""
        Rebuild the virtualenvs for your IDE after switching branches, and report what else the
        switch needs.

        Exports each resolve in `[export-dev].resolves` exactly as
        `{bin_name()} export --resolve=...` does (same places under `dist/export/python/virtualenvs/`,
        honouring `[export].py_resolve_format` and `[export].py_editable_in_resolve`), but skips a
        resolve whose lockfile, interpreter constraints, Pants version and export format are what
        the last run exported from, while its virtualenv is still there. A resolve this branch does
        not define is skipped with a warning. Then compares the Alembic migrations
        (`[export-dev].migrations`) and configuration samples (`[export-dev].config_samples`) with
        what the last run recorded, and says which `alembic` step and configuration check the switch
        needs. What was seen is recorded in `dist/export/{RECORD_NAME}`.

        Exit code 0 when every resolve was exported, up to date or skipped; 1 when a resolve failed
        to export (the others are still exported) or a migration file could not be read.
        """
    )

    resolves = StrListOption(
        default=[],
        help=softwrap(
            f"""
            The resolves to export: names from `[python].resolves`, or Python tool resolves that
            `{bin_name()} export --resolve` accepts (e.g. `mypy`, `black`). Empty means every
            resolve in `[python].resolves`.
            """
        ),
    )
    force = BoolOption(
        default=False,
        help="Export every resolve, even those whose recorded inputs match and whose venv exists.",
    )
    migrations = StrListOption(
        default=["src/ai/backend/manager/models/alembic/versions/*.py"],
        help=softwrap(
            """
            Globs of Alembic revision files. Revisions added since the last run are reported with
            a reminder to run `alembic upgrade head`; revisions that are gone are reported with the
            revision to `alembic downgrade` to on the branch that has them.
            """
        ),
    )
    config_samples = StrListOption(
        default=["configs/**/*.toml"],
        help=softwrap(
            """
            Globs of configuration sample files. Those added, changed or removed since the last
            run are listed with a reminder to check the local TOML and etcd configuration.
            """
        ),
    )


class ExportDev(Goal):
    subsystem_cls = ExportDevSubsystem
    environment_behavior = Goal.EnvironmentBehavior.LOCAL_ONLY


# ---------------------------------------------------------------------------------------------
# Migrations and configuration samples, read from file content


@dataclass(frozen=True)
class MigrationsRequest:
    globs: tuple[str, ...]


@dataclass(frozen=True)
class CurrentMigrations:
    migrations: tuple[Migration, ...]
    errors: tuple[str, ...]


@rule
async def current_migrations(request: MigrationsRequest) -> CurrentMigrations:
    contents = await Get(DigestContents, PathGlobs(request.globs)) if request.globs else ()
    migrations: list[Migration] = []
    errors: list[str] = []
    for fc in contents:
        try:
            migration = parse_migration(fc.path, fc.content.decode("utf-8", errors="replace"))
        except InputFileError as e:
            errors.append(str(e))
            continue
        if migration is not None:
            migrations.append(migration)
    if not errors:
        try:
            index_migrations(migrations)
        except InputFileError as e:
            errors.append(str(e))
    return CurrentMigrations(tuple(migrations), tuple(errors))


@dataclass(frozen=True)
class ConfigSamplesRequest:
    globs: tuple[str, ...]


@dataclass(frozen=True)
class CurrentConfigSamples:
    hashes: tuple[tuple[str, str], ...]


@rule
async def current_config_samples(request: ConfigSamplesRequest) -> CurrentConfigSamples:
    contents = await Get(DigestContents, PathGlobs(request.globs)) if request.globs else ()
    return CurrentConfigSamples(tuple((fc.path, sha256_hex(fc.content)) for fc in contents))


# ---------------------------------------------------------------------------------------------
# The goal


@dataclass(frozen=True)
class _Exports:
    """Where the goal writes: `dist/export/`, from the build root and absolute."""

    output_dir: str
    abs_output_dir: str

    @property
    def record_path(self) -> str:
        return os.path.join(self.output_dir, RECORD_NAME)


def _read_record(path: str) -> tuple[DevRecord, str | None]:
    try:
        with open(path, "rb") as f:
            content = f.read()
    except FileNotFoundError:
        return DevRecord.empty(), None
    try:
        return DevRecord.from_json_bytes(content, path), None
    except InputFileError as e:
        return DevRecord.empty(), str(e)


def _clear_scratch(exports: _Exports) -> None:
    """Remove the scratch directories (also leftovers of an interrupted run)."""
    remove(os.path.join(exports.abs_output_dir, TRASH_DIR))
    remove(os.path.join(exports.abs_output_dir, STAGING_DIR))


def _classify(
    all_inputs: Sequence[MaybeResolveInputs], recorded: DevRecord, exports: _Exports, force: bool
) -> tuple[dict[str, ResolveOutcome], list[MaybeResolveInputs]]:
    """The outcome of each resolve that needs no export (skipped, up to date), and the others."""
    outcomes: dict[str, ResolveOutcome] = {}
    stale: list[MaybeResolveInputs] = []
    for maybe in all_inputs:
        if maybe.inputs is None:
            outcomes[maybe.resolve] = ResolveOutcome(maybe.resolve, Outcome.SKIPPED, maybe.skip_reason or "")
            logger.warning(f"Skipping the resolve `{maybe.resolve}`: {maybe.skip_reason}.")
            continue
        record = recorded.resolves.get(maybe.resolve)
        current_id = venv_id(os.path.join(exports.abs_output_dir, record.reldir)) if record else None
        if record is not None and not force and is_up_to_date(record, maybe.inputs, current_id):
            where = os.path.join(exports.output_dir, record.reldir)
            outcomes[maybe.resolve] = ResolveOutcome(maybe.resolve, Outcome.UP_TO_DATE, where)
        else:
            stale.append(maybe)
    return outcomes, stale


async def _export(
    stale: Sequence[MaybeResolveInputs],
    workspace: Workspace,
    exports: _Exports,
    relocatable: bool,
    records: dict[str, ResolveRecord],
) -> dict[str, ResolveOutcome]:
    """Export the stale resolves, keeping going past a failure; updates `records`."""
    built = await MultiGet(Get(BuiltExport, BuildExportRequest(m.resolve)) for m in stale)
    environment = await Get(EnvironmentVars, EnvironmentVarsRequest(["PATH"]))
    if built:
        _clear_scratch(exports)
    outcomes: dict[str, ResolveOutcome] = {}
    for maybe, b in zip(stale, built):
        resolve = maybe.resolve
        records.pop(resolve, None)
        if b.result is None:
            outcomes[resolve] = ResolveOutcome(resolve, Outcome.FAILED, b.error or "")
            continue
        error = await materialize(
            b.result,
            workspace=workspace,
            output_dir=exports.output_dir,
            abs_output_dir=exports.abs_output_dir,
            path_env=environment.get("PATH", ""),
            relocatable=relocatable,
        )
        result_dir = os.path.join(exports.output_dir, b.result.reldir)
        new_id = venv_id(os.path.join(exports.abs_output_dir, b.result.reldir))
        if error or new_id is None:
            outcomes[resolve] = ResolveOutcome(
                resolve, Outcome.FAILED, error or f"{result_dir} is missing after the export"
            )
            continue
        assert maybe.inputs is not None
        records[resolve] = ResolveRecord(maybe.inputs, b.result.reldir, new_id)
        outcomes[resolve] = ResolveOutcome(
            resolve, Outcome.EXPORTED, f"wrote {b.result.description} to {result_dir}"
        )
    if built:
        _clear_scratch(exports)
    return outcomes


def _print_outcomes(console: Console, resolves: Sequence[str], outcomes: dict[str, ResolveOutcome]) -> int:
    """One line per resolve, in the order asked for; the exit code they make."""
    exit_code = 0
    for resolve in resolves:
        outcome = outcomes[resolve]
        if outcome.outcome == Outcome.FAILED:
            exit_code = 1
            console.print_stdout(console.red(outcome.line()))
        elif outcome.outcome == Outcome.SKIPPED:
            console.print_stdout(console.yellow(outcome.line()))
        else:
            console.print_stdout(outcome.line())
    return exit_code


async def _report_switch(
    console: Console, subsystem: ExportDevSubsystem, recorded: DevRecord
) -> tuple[DevRecord, int]:
    """Print what else the switch needs; the migrations and samples to record, and the exit code."""
    migrations_result, configs_result = await MultiGet(
        Get(CurrentMigrations, MigrationsRequest(tuple(subsystem.migrations))),
        Get(CurrentConfigSamples, ConfigSamplesRequest(tuple(subsystem.config_samples))),
    )
    config_samples = dict(configs_result.hashes)
    current: dict[str, Migration] | None = None
    for error in migrations_result.errors:
        console.print_stderr(console.red(f"Cannot read a migration: {error}"))
    if not migrations_result.errors:
        current = {m.revision: m for m in migrations_result.migrations}
    lines = report_lines(
        recorded,
        current,
        config_samples,
        migration_globs=subsystem.migrations,
        config_globs=subsystem.config_samples,
    )
    for line in lines:
        console.print_stdout(line)
    # Unreadable migrations: keep comparing against the last good record until they can be read.
    migrations = current if current is not None else recorded.migrations
    return DevRecord({}, migrations, config_samples), 1 if migrations_result.errors else 0


@goal_rule
async def export_dev(
    console: Console,
    workspace: Workspace,
    build_root: BuildRoot,
    dist_dir: DistDir,
    subsystem: ExportDevSubsystem,
    python_setup: PythonSetup,
    export_subsys: ExportSubsystem,
) -> ExportDev:
    started = time.monotonic()
    output_dir = os.path.join(str(dist_dir.relpath), "export")
    exports = _Exports(output_dir, os.path.join(build_root.path, output_dir))
    recorded, record_error = _read_record(os.path.join(build_root.path, exports.record_path))
    if record_error:
        console.print_stderr(console.yellow(f"Ignoring a damaged record: {record_error}"))

    resolves = list(dict.fromkeys(subsystem.resolves or python_setup.resolves))
    all_inputs = await MultiGet(Get(MaybeResolveInputs, ResolveInputsRequest(r)) for r in resolves)
    outcomes, stale = _classify(all_inputs, recorded, exports, subsystem.force)
    records = dict(recorded.resolves)
    relocatable = export_format(export_subsys) == PythonResolveExportFormat.symlinked_immutable_virtualenv
    outcomes.update(await _export(stale, workspace, exports, relocatable, records))
    exit_code = _print_outcomes(console, resolves, outcomes)

    seen, report_exit_code = await _report_switch(console, subsystem, recorded)
    new_record = DevRecord(records, seen.migrations, seen.config_samples)
    content = FileContent(exports.record_path, new_record.to_json_bytes())
    workspace.write_digest(await Get(Digest, CreateDigest([content])))
    console.print_stdout(elapsed_line(time.monotonic() - started))
    return ExportDev(exit_code=max(exit_code, report_exit_code))


def rules():
    return [*collect_rules(), *venv_export.rules()]
