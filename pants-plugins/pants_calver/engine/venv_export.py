"""Virtualenv exports through Pants' own export machinery, for `export-dev`.

This is the code tied to Pants-private internals of Pants 2.17 (`_ExportVenvForResolveRequest`, the
rule behind `pants export --resolve=...`, and `ExportPythonTool`), so that the virtualenvs land where
`pants export` puts them and look the same. What each resolve is built from is read here; whether
that is up to date is decided in the pure `pants_calver.core.export_record`.
"""

from __future__ import annotations

import importlib.resources
import os
import shutil
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
from pants.backend.python.util_rules.pex_requirements import EntireLockfile, PexRequirements, Resolve
from pants.core.goals.export import ExportResult, ExportSubsystem
from pants.engine.fs import AddPrefix, Digest, DigestContents, PathGlobs, Workspace
from pants.engine.internals.selectors import Effect, Get, MultiGet
from pants.engine.process import InteractiveProcess, InteractiveProcessResult
from pants.engine.rules import collect_rules, rule
from pants.engine.unions import UnionMembership
from pants.version import VERSION

from pants_calver.core.export_record import ResolveInputs, failure_reason, sha256_hex

# Scratch space under `dist/export/`, on the same filesystem as the venvs so that renames are cheap.
TRASH_DIR = ".export-dev-trash"
STAGING_DIR = ".export-dev-staging"

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


def export_format(export_subsys: ExportSubsystem) -> PythonResolveExportFormat:
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
    export_format_value = export_format(export_subsys).value
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
                export_format=export_format_value,
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
    return MaybeResolveInputs(resolve, await _tool_inputs(tool, python_setup, export_format_value))


async def _tool_inputs(
    tool: ExportPythonTool, python_setup: PythonSetup, export_format_value: str
) -> ResolveInputs:
    """What a tool's export is built from: its lockfile (or its requirements and the resolve they
    come from) and interpreter constraints."""
    assert tool.pex_request is not None
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
    return ResolveInputs(
        lockfile_sha256=sha256_hex(*chunks),
        interpreter_constraints=ics,
        pants_version=VERSION,
        export_format=export_format_value,
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
    """Run an export's post-processing commands in `build_dir`, as `pants export` does; why the
    first failing one failed, or None."""
    for cmd in result.post_processing_cmds:
        argv = tuple(arg.format(digest_root=build_dir) for arg in cmd.argv)
        process = InteractiveProcess(
            argv=argv, env={"PATH": path_env, **cmd.extra_env}, run_in_workspace=True
        )
        ipr = await Effect(InteractiveProcessResult, InteractiveProcess, process)
        if ipr.exit_code:
            return f"failed to write {result.description} to {shown_dir} (`{argv[0]}` exited with {ipr.exit_code})"
    return None


def rules():
    return collect_rules()
