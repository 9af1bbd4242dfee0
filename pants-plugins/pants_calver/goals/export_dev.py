"""`pants export-dev`: rebuild the IDE virtualenvs after a branch switch, and say what else it needs.

The virtualenvs come from Pants' own export machinery (`_ExportVenvForResolveRequest`, the rule
behind `pants export --resolve=...`), so they land where `pants export` puts them and look the same.
What this goal adds: it skips resolves whose inputs did not change, keeps going when one resolve is
missing or broken, and compares Alembic migrations and configuration samples with the last run.
"""

from __future__ import annotations

import importlib.resources
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from typing import Iterable, cast
from urllib.parse import urlparse

from pants.backend.python.goals.export import (
    ExportPythonTool,
    ExportPythonToolSentinel,
    MaybeExportResult,
    PythonResolveExportFormat,
    _ExportVenvForResolveRequest,
)
from pants.backend.python.subsystems.setup import PythonSetup
from pants.backend.python.util_rules.pex_requirements import (
    EntireLockfile,
    PexRequirements,
    Resolve,
)
from pants.base.build_root import BuildRoot
from pants.core.goals.export import ExportResult, ExportSubsystem
from pants.core.util_rules.distdir import DistDir
from pants.engine.console import Console
from pants.engine.env_vars import EnvironmentVars, EnvironmentVarsRequest
from pants.engine.fs import (
    AddPrefix,
    CreateDigest,
    Digest,
    DigestContents,
    FileContent,
    PathGlobs,
    Workspace,
)
from pants.engine.goal import Goal, GoalSubsystem
from pants.engine.internals.selectors import Effect, Get, MultiGet
from pants.engine.process import InteractiveProcess, InteractiveProcessResult
from pants.engine.rules import collect_rules, goal_rule, rule
from pants.engine.unions import UnionMembership
from pants.option.option_types import BoolOption, StrListOption
from pants.util.docutil import bin_name
from pants.util.strutil import softwrap
from pants.version import VERSION

from pants_calver.core.dev_env import (
    DevEnvInputError,
    DevRecord,
    Migration,
    Outcome,
    ResolveInputs,
    ResolveOutcome,
    ResolveRecord,
    elapsed_line,
    failure_reason,
    index_migrations,
    is_up_to_date,
    parse_migration,
    report_lines,
    sha256_hex,
)

logger = logging.getLogger(__name__)

RECORD_NAME = "export-dev.json"
# Scratch space under `dist/export/`, on the same filesystem as the venvs so that renames are cheap.
TRASH_DIR = ".export-dev-trash"
STAGING_DIR = ".export-dev-staging"


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
# What each resolve is built from


@dataclass(frozen=True)
class ResolveInputsRequest:
    resolve: str


@dataclass(frozen=True)
class MaybeResolveInputs:
    """The inputs of a resolve, or why it cannot be exported on this branch."""

    resolve: str
    inputs: ResolveInputs | None
    skip_reason: str | None = None


def _export_format(export_subsys: ExportSubsystem) -> PythonResolveExportFormat:
    # The same choice `pants.backend.python.goals.export.do_export` makes.
    if export_subsys.options.symlink_python_virtualenv:
        return PythonResolveExportFormat.symlinked_immutable_virtualenv
    return cast(PythonResolveExportFormat, export_subsys.options.py_resolve_format)


async def _read_lockfile(url: str) -> bytes:
    parts = urlparse(url)
    path = parts.path[1:] if parts.path.startswith("/") else parts.path
    if parts.scheme == "resource":
        # Tools' built-in lockfiles ship inside Pants, as `load_lockfile` reads them.
        return importlib.resources.read_binary(parts.netloc, path)
    contents = await Get(DigestContents, PathGlobs([path]))
    # A missing lockfile hashes as empty; the export itself then fails and says why.
    return contents[0].content if contents else b""


@rule
async def resolve_inputs(
    request: ResolveInputsRequest,
    python_setup: PythonSetup,
    export_subsys: ExportSubsystem,
    union_membership: UnionMembership,
) -> MaybeResolveInputs:
    resolve = request.resolve
    export_format = _export_format(export_subsys).value
    lockfile_path = python_setup.resolves.get(resolve)
    if lockfile_path:
        lock_bytes = await _read_lockfile(lockfile_path)
        ics = python_setup.resolves_to_interpreter_constraints.get(
            resolve, python_setup.interpreter_constraints
        )
        return MaybeResolveInputs(
            resolve,
            ResolveInputs(
                lockfile_sha256=sha256_hex(lock_bytes),
                interpreter_constraints=tuple(ics),
                pants_version=VERSION,
                export_format=export_format,
                editable=resolve in export_subsys.options.py_editable_in_resolve,
            ),
        )

    # Not a user resolve: maybe a tool's, found the way `export_virtualenv_for_resolve` finds it.
    sentinels = cast(
        "Iterable[type[ExportPythonToolSentinel]]",
        union_membership.get(ExportPythonToolSentinel),
    )
    tools = await MultiGet(
        Get(ExportPythonTool, ExportPythonToolSentinel, sentinel()) for sentinel in sentinels
    )
    tool = next((t for t in tools if t.resolve_name == resolve), None)
    if tool is None:
        known = sorted({*python_setup.resolves, *(t.resolve_name for t in tools)})
        return MaybeResolveInputs(
            resolve,
            None,
            f"this branch defines no such resolve in `[python].resolves` and no Python tool "
            f"of that name (known: {', '.join(known)})",
        )
    if tool.pex_request is None:
        return MaybeResolveInputs(resolve, None, f"its export is disabled (`[{resolve}].export = false`)")
    requirements = tool.pex_request.requirements
    ics = tuple(str(ic) for ic in tool.pex_request.interpreter_constraints)
    chunks: list[bytes] = []
    if isinstance(requirements, EntireLockfile):
        chunks.append(await _read_lockfile(requirements.lockfile.url))
        chunks.append(repr(requirements.complete_req_strings).encode())
    elif isinstance(requirements, PexRequirements):
        chunks.append(repr(sorted(map(str, requirements.req_strings_or_addrs))).encode())
        chunks.append(repr(sorted(requirements.constraints_strings)).encode())
        if isinstance(requirements.from_superset, Resolve):
            superset = requirements.from_superset.name
            chunks.append(await _read_lockfile(python_setup.resolves.get(superset, "")))
            if not ics:
                ics = tuple(
                    python_setup.resolves_to_interpreter_constraints.get(
                        superset, python_setup.interpreter_constraints
                    )
                )
    return MaybeResolveInputs(
        resolve,
        ResolveInputs(
            lockfile_sha256=sha256_hex(*chunks),
            interpreter_constraints=ics,
            pants_version=VERSION,
            export_format=export_format,
        ),
    )


# ---------------------------------------------------------------------------------------------
# Building a resolve's export, one failure not spoiling the others


@dataclass(frozen=True)
class BuildExportRequest:
    resolve: str


@dataclass(frozen=True)
class BuiltExport:
    resolve: str
    result: ExportResult | None
    error: str | None


@rule
async def build_export(request: BuildExportRequest) -> BuiltExport:
    # A `MultiGet` fails as a whole; catching here keeps one broken resolve from hiding the rest.
    try:
        maybe = await Get(MaybeExportResult, _ExportVenvForResolveRequest(request.resolve))
    except Exception as e:
        return BuiltExport(request.resolve, None, failure_reason(str(e)))
    if maybe.result is None:
        return BuiltExport(request.resolve, None, "Pants exported nothing for it")
    return BuiltExport(request.resolve, maybe.result, None)


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
        except DevEnvInputError as e:
            errors.append(str(e))
            continue
        if migration is not None:
            migrations.append(migration)
    if not errors:
        try:
            index_migrations(migrations)
        except DevEnvInputError as e:
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
# Local filesystem helpers: `dist/` is invisible to the engine, as it is to `pants export`.


def _venv_id(path: str) -> str | None:
    """Identify the directory entry (a venv dir, or a symlink to one) that an export produced.

    A venv that was deleted and rebuilt, by `pants export` or anything else, gets a new inode and
    ctime, so a record that names the old one no longer matches.
    """
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not os.path.exists(path):  # A symlink whose target (in Pants' named cache) is gone.
        return None
    return f"{st.st_ino}:{st.st_ctime_ns}"


def _read_record(path: str) -> tuple[DevRecord, str | None]:
    try:
        with open(path, "rb") as f:
            content = f.read()
    except FileNotFoundError:
        return DevRecord.empty(), None
    try:
        return DevRecord.from_json_bytes(content, path), None
    except DevEnvInputError as e:
        return DevRecord.empty(), str(e)


def _remove(path: str) -> None:
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)


async def _materialize(
    result: ExportResult,
    *,
    workspace: Workspace,
    output_dir: str,
    abs_output_dir: str,
    path_env: str,
    relocatable: bool,
) -> str | None:
    """Write one export as `pants export` does; return why it failed, or None.

    A mutable virtualenv bakes its absolute path into its scripts, so it can only be built in
    place: the old one is moved aside first (not deleted), and put back if the build fails. A
    symlinked export does not depend on its location: it is built beside the old one and renamed
    over it, so the old venv stays usable until its replacement is complete.
    """
    final = os.path.join(abs_output_dir, result.reldir)
    token = uuid.uuid4().hex
    aside = os.path.join(abs_output_dir, TRASH_DIR, token)
    build_reldir = os.path.join(STAGING_DIR, token) if relocatable else result.reldir
    build_dir = os.path.join(abs_output_dir, build_reldir)

    had_old = os.path.lexists(final)
    if not relocatable and had_old:
        os.makedirs(os.path.dirname(aside), exist_ok=True)
        os.rename(final, aside)
    digest = await Get(Digest, AddPrefix(result.digest, os.path.join(output_dir, build_reldir)))
    workspace.write_digest(digest)
    os.makedirs(build_dir, exist_ok=True)

    error: str | None = None
    for cmd in result.post_processing_cmds:
        argv = tuple(arg.format(digest_root=build_dir) for arg in cmd.argv)
        process = InteractiveProcess(
            argv=argv, env={"PATH": path_env, **cmd.extra_env}, run_in_workspace=True
        )
        ipr = await Effect(InteractiveProcessResult, InteractiveProcess, process)
        if ipr.exit_code:
            error = (
                f"failed to write {result.description} to {os.path.join(output_dir, result.reldir)}"
                f" (`{argv[0]}` exited with {ipr.exit_code})"
            )
            break

    if relocatable:
        if error is None:
            if os.path.lexists(final) and not os.path.islink(final):
                # A real directory (an earlier mutable export) cannot be renamed over.
                os.makedirs(os.path.dirname(aside), exist_ok=True)
                os.rename(final, aside)
            os.makedirs(os.path.dirname(final), exist_ok=True)
            os.replace(build_dir, final)
        else:
            _remove(build_dir)
    elif error is not None and had_old:
        _remove(final)
        os.rename(aside, final)
    return error


# ---------------------------------------------------------------------------------------------
# The goal


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
    abs_output_dir = os.path.join(build_root.path, output_dir)
    record_relpath = os.path.join(output_dir, RECORD_NAME)
    exit_code = 0

    recorded, record_error = _read_record(os.path.join(build_root.path, record_relpath))
    if record_error:
        console.print_stderr(console.yellow(f"Ignoring a damaged record: {record_error}"))

    resolves = list(dict.fromkeys(subsystem.resolves or python_setup.resolves))
    all_inputs = await MultiGet(Get(MaybeResolveInputs, ResolveInputsRequest(r)) for r in resolves)

    outcomes: dict[str, ResolveOutcome] = {}
    new_resolve_records = dict(recorded.resolves)
    stale: list[MaybeResolveInputs] = []
    for maybe in all_inputs:
        if maybe.inputs is None:
            outcomes[maybe.resolve] = ResolveOutcome(maybe.resolve, Outcome.SKIPPED, maybe.skip_reason or "")
            logger.warning(f"Skipping the resolve `{maybe.resolve}`: {maybe.skip_reason}.")
            continue
        record = recorded.resolves.get(maybe.resolve)
        current_id = _venv_id(os.path.join(abs_output_dir, record.reldir)) if record else None
        if not subsystem.force and is_up_to_date(record, maybe.inputs, current_id):
            assert record is not None
            outcomes[maybe.resolve] = ResolveOutcome(
                maybe.resolve,
                Outcome.UP_TO_DATE,
                os.path.join(output_dir, record.reldir),
            )
        else:
            stale.append(maybe)

    built = await MultiGet(Get(BuiltExport, BuildExportRequest(m.resolve)) for m in stale)
    environment = await Get(EnvironmentVars, EnvironmentVarsRequest(["PATH"]))
    relocatable = _export_format(export_subsys) == PythonResolveExportFormat.symlinked_immutable_virtualenv
    if built:
        # Clear leftovers of an interrupted run before using the scratch directories.
        _remove(os.path.join(abs_output_dir, TRASH_DIR))
        _remove(os.path.join(abs_output_dir, STAGING_DIR))
    for maybe, b in zip(stale, built):
        resolve = maybe.resolve
        if b.result is None:
            outcomes[resolve] = ResolveOutcome(resolve, Outcome.FAILED, b.error or "")
            new_resolve_records.pop(resolve, None)
            continue
        error = await _materialize(
            b.result,
            workspace=workspace,
            output_dir=output_dir,
            abs_output_dir=abs_output_dir,
            path_env=environment.get("PATH", ""),
            relocatable=relocatable,
        )
        result_dir = os.path.join(output_dir, b.result.reldir)
        venv_id = _venv_id(os.path.join(build_root.path, result_dir))
        if error or venv_id is None:
            outcomes[resolve] = ResolveOutcome(
                resolve,
                Outcome.FAILED,
                error or f"{result_dir} is missing after the export",
            )
            new_resolve_records.pop(resolve, None)
            continue
        assert maybe.inputs is not None
        new_resolve_records[resolve] = ResolveRecord(maybe.inputs, b.result.reldir, venv_id)
        outcomes[resolve] = ResolveOutcome(
            resolve, Outcome.EXPORTED, f"wrote {b.result.description} to {result_dir}"
        )
    if built:
        _remove(os.path.join(abs_output_dir, TRASH_DIR))
        _remove(os.path.join(abs_output_dir, STAGING_DIR))

    for resolve in resolves:
        outcome = outcomes[resolve]
        if outcome.outcome == Outcome.FAILED:
            exit_code = 1
            console.print_stdout(console.red(outcome.line()))
        elif outcome.outcome == Outcome.SKIPPED:
            console.print_stdout(console.yellow(outcome.line()))
        else:
            console.print_stdout(outcome.line())

    migrations_result, configs_result = await MultiGet(
        Get(CurrentMigrations, MigrationsRequest(tuple(subsystem.migrations))),
        Get(CurrentConfigSamples, ConfigSamplesRequest(tuple(subsystem.config_samples))),
    )
    config_samples = dict(configs_result.hashes)
    current: dict[str, Migration] | None = None
    if migrations_result.errors:
        exit_code = 1
        for error in migrations_result.errors:
            console.print_stderr(console.red(f"Cannot read a migration: {error}"))
    else:
        current = {m.revision: m for m in migrations_result.migrations}
    for line in report_lines(
        recorded,
        current,
        config_samples,
        migration_globs=subsystem.migrations,
        config_globs=subsystem.config_samples,
    ):
        console.print_stdout(line)
    # Unreadable migrations: keep comparing against the last good record until they can be read.
    migrations = current if current is not None else recorded.migrations

    new_record = DevRecord(
        resolves=new_resolve_records,
        migrations=migrations,
        config_samples=config_samples,
    )
    workspace.write_digest(
        await Get(
            Digest,
            CreateDigest([FileContent(record_relpath, new_record.to_json_bytes())]),
        )
    )
    console.print_stdout(elapsed_line(time.monotonic() - started))
    return ExportDev(exit_code=exit_code)


def rules():
    return collect_rules()
