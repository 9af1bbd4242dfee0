"""Virtualenv exports through Pants' own export machinery, for `export-dev`.

The venvs are built by the rule behind `pants export --resolve=...` (reached through
`pants_calver.engine.pants_private`), so that they land where `pants export` puts them and look the
same; this module does the writes under `dist/export/`, which the engine does not see.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from collections.abc import Mapping, Sequence

from pants.core.goals.export import ExportResult
from pants.engine.env_vars import EnvironmentVars, EnvironmentVarsRequest
from pants.engine.fs import AddPrefix, CreateDigest, Digest, FileContent, Workspace
from pants.engine.process import InteractiveProcess, InteractiveProcessResult
from pants.engine.rules import Effect, Get, MultiGet, collect_rules, rule

from pants_calver.core.devenv.export_record import (
    RECORD_UNWRITABLE,
    DevRecord,
    Outcome,
    ResolveOutcome,
    RECORD_FIX,
    ResolveRecord,
    failure_reason,
    is_up_to_date,
)
from pants_calver.core.errors import InputFileError
from pants_calver.core.problems import Problem
from pants_calver.engine.pants_private import export_venv_for_resolve
from pants_calver.engine.devenv.resolve_inputs import MaybeResolveInputs

logger = logging.getLogger(__name__)

RECORD_NAME = "export-dev.json"

# Scratch space under `dist/export/`, on the same filesystem as the venvs so that renames are cheap.
TRASH_DIR = ".export-dev-trash"
STAGING_DIR = ".export-dev-staging"

# ---------------------------------------------------------------------------------------------
# What is exported, and the record of it


@dataclass(frozen=True)
class Exports:
    """Where the goal writes: `dist/export/`, from the build root and absolute."""

    output_dir: str
    abs_output_dir: str

    @property
    def record_path(self) -> str:
        return os.path.join(self.output_dir, RECORD_NAME)


def read_record(path: str) -> tuple[DevRecord, str | None]:
    """The record at `path` (empty when there is none), and why it was ignored, if it was."""
    try:
        with open(path, "rb") as f:
            content = f.read()
    except FileNotFoundError:
        return DevRecord.empty(), None
    except OSError as e:  # A directory in its place, no permission: as damaged as bad JSON.
        return DevRecord.empty(), str(
            InputFileError(path, None, f"cannot be read ({e.strerror}). {RECORD_FIX}")
        )
    try:
        return DevRecord.from_json_bytes(content, path), None
    except InputFileError as e:
        return DevRecord.empty(), str(e)


async def write_record(workspace: Workspace, exports: Exports, record: DevRecord) -> Problem | None:
    """Write the record; the problem (its message says where and why) when it cannot be, or None."""
    content = FileContent(exports.record_path, record.to_json_bytes())
    digest = await Get(Digest, CreateDigest([content]))
    try:
        workspace.write_digest(digest)
    except Exception as e:  # Pants raises a plain Exception that carries the OS error.
        return Problem(
            "",
            0,
            RECORD_UNWRITABLE,
            f"cannot write {exports.record_path} ({e}): remove what is in its place; the next run "
            "re-exports every resolve and records afresh.",
        )
    return None


def clear_scratch(exports: Exports) -> None:
    """Remove the scratch directories (also leftovers of an interrupted run)."""
    remove(os.path.join(exports.abs_output_dir, TRASH_DIR))
    remove(os.path.join(exports.abs_output_dir, STAGING_DIR))


def classify(
    all_inputs: Sequence[MaybeResolveInputs], recorded: DevRecord, exports: Exports, force: bool
) -> tuple[dict[str, ResolveOutcome], list[MaybeResolveInputs]]:
    """The outcome of each resolve that needs no export (skipped, up to date) or cannot be
    exported (failed: its inputs cannot be computed), and the others."""
    outcomes: dict[str, ResolveOutcome] = {}
    stale: list[MaybeResolveInputs] = []
    for maybe in all_inputs:
        if maybe.error is not None:
            # Nothing was touched: its record (if any) still tells what its venv was built from.
            outcomes[maybe.resolve] = ResolveOutcome(maybe.resolve, Outcome.FAILED, maybe.error)
        elif maybe.inputs is None:
            outcomes[maybe.resolve] = ResolveOutcome(maybe.resolve, Outcome.SKIPPED, maybe.skip_reason or "")
            logger.warning(f"Skipping the resolve `{maybe.resolve}`: {maybe.skip_reason}.")
        elif not force and exported(maybe, recorded, exports):
            record = recorded.resolves[maybe.resolve]
            where = os.path.join(exports.output_dir, record.reldir)
            outcomes[maybe.resolve] = ResolveOutcome(maybe.resolve, Outcome.UP_TO_DATE, where)
        else:
            stale.append(maybe)
    return outcomes, stale


def exported(maybe: MaybeResolveInputs, recorded: DevRecord, exports: Exports) -> bool:
    """Whether the resolve's venv was exported from these inputs and is still there, as recorded."""
    record = recorded.resolves.get(maybe.resolve)
    if record is None or maybe.inputs is None:
        return False
    return is_up_to_date(record, maybe.inputs, venv_id(os.path.join(exports.abs_output_dir, record.reldir)))


async def export_stale(
    stale: Sequence[MaybeResolveInputs],
    workspace: Workspace,
    exports: Exports,
    relocatable: bool,
    recorded: Mapping[str, ResolveRecord],
) -> tuple[dict[str, ResolveOutcome], dict[str, ResolveRecord]]:
    """Export the stale resolves, keeping going past a failure: the outcome of each, and the
    records with theirs replaced (and dropped for those that failed)."""
    records = {r: record for r, record in recorded.items() if r not in {m.resolve for m in stale}}
    built = await MultiGet(Get(BuiltExport, BuildExportRequest(m.resolve)) for m in stale)
    environment = await Get(EnvironmentVars, EnvironmentVarsRequest(["PATH"]))
    if built:
        clear_scratch(exports)
    outcomes: dict[str, ResolveOutcome] = {}
    for maybe, b in zip(stale, built):
        resolve = maybe.resolve
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
        clear_scratch(exports)
    return outcomes, records


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
    # The failure of one resolve's export is caught, so that it does not hide the others'.
    export = await export_venv_for_resolve(request.resolve)
    if export.error is not None:
        return BuiltExport(request.resolve, None, failure_reason(export.error))
    if export.result is None:
        return BuiltExport(request.resolve, None, "Pants exported nothing for it")
    return BuiltExport(request.resolve, export.result, None)


# ---------------------------------------------------------------------------------------------
# Writing an export: `dist/` is invisible to the engine, as it is to `pants export`.


def venv_id(path: str) -> str | None:
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


def remove(path: str) -> None:
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)


async def materialize(
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

    error = await _post_process(result, build_dir, os.path.join(output_dir, result.reldir), path_env)
    if relocatable:
        if error is None:
            if os.path.lexists(final) and not os.path.islink(final):
                # A real directory (an earlier mutable export) cannot be renamed over.
                os.makedirs(os.path.dirname(aside), exist_ok=True)
                os.rename(final, aside)
            os.makedirs(os.path.dirname(final), exist_ok=True)
            os.replace(build_dir, final)
        else:
            remove(build_dir)
    elif error is not None and had_old:
        remove(final)
        os.rename(aside, final)
    return error


async def _post_process(result: ExportResult, build_dir: str, shown_dir: str, path_env: str) -> str | None:
    """Run an export's post-processing commands in `build_dir`, as `pants export` does (but for
    their stdout, sent to stderr); why the first failing one failed, or None."""
    for cmd in result.post_processing_cmds:
        argv = tuple(arg.format(digest_root=build_dir) for arg in cmd.argv)
        # An interactive process writes to the terminal's stdout, which belongs to the goal's
        # report (one JSON document with --output-format=json): what the command prints goes to
        # stderr instead, where Pants' own progress is.
        process = InteractiveProcess(
            argv=("/bin/sh", "-c", 'exec "$@" >&2', "sh", *argv),
            env={"PATH": path_env, **cmd.extra_env},
            run_in_workspace=True,
        )
        ipr = await Effect(InteractiveProcessResult, InteractiveProcess, process)
        if ipr.exit_code:
            return f"failed to write {result.description} to {shown_dir} (`{argv[0]}` exited with {ipr.exit_code})"
    return None


def rules():
    return collect_rules()
