"""What each resolve's virtualenv export is made from, for `export-dev` to tell whether it is up to
date: its lockfile, interpreter and editable distributions, found as Pants' own export finds them
(tool resolves and editable distributions through `pants_calver.engine.pants_private`)."""

from __future__ import annotations

import importlib.resources
import os
from dataclasses import dataclass
from urllib.parse import urlparse

from pants.backend.python.subsystems.setup import PythonSetup
from pants.backend.python.target_types import PythonDistributionEntryPointsField, PythonProvidesField
from pants.backend.python.util_rules.interpreter_constraints import InterpreterConstraints
from pants.backend.python.util_rules.pex_environment import PythonExecutable
from pants.core.goals.export import ExportSubsystem
from pants.engine.fs import DigestContents, PathGlobs
from pants.engine.process import Process, ProcessExecutionFailure, ProcessResult
from pants.engine.rules import Get, collect_rules, rule
from pants.engine.unions import UnionMembership
from pants.util.logging import LogLevel
from pants.version import VERSION

from pants_calver.core.devenv.export_record import ResolveInputs, interpreter_failure, sha256_hex
from pants_calver.engine.pants_private import (
    PythonTool,
    distribution_targets,
    export_format,
    python_tools,
)
from pants_calver.engine.subsystem import CalverSubsystem


@dataclass(frozen=True)
class ResolveSourceRequest:
    resolve: str


@dataclass(frozen=True)
class ResolveSource:
    """What a resolve's export is made from on this checkout, or why it has none.

    `lockfiles` are paths in the repo, or `resource://` URLs for a tool's built-in lockfile;
    `requirements` are the requirement strings that feed it beyond them (a tool's). `user` is set
    for a resolve of `[python].resolves`, which `[export].py_editable_in_resolve` applies to.
    """

    resolve: str
    lockfiles: tuple[str, ...] = ()
    requirements: str = ""
    interpreter_constraints: tuple[str, ...] = ()
    user: bool = False
    skip_reason: str | None = None

    @property
    def repo_lockfile(self) -> str | None:
        """The lockfile in the repo, when there is one (not a tool's built-in one)."""
        return next((url for url in self.lockfiles if not _is_resource(url)), None)


def _is_resource(url: str) -> bool:
    """Whether a lockfile URL names one that ships inside Pants (a tool's default)."""
    return urlparse(url).scheme == "resource"


@rule
async def resolve_source(
    request: ResolveSourceRequest, python_setup: PythonSetup, union_membership: UnionMembership
) -> ResolveSource:
    resolve = request.resolve
    lockfile_path = python_setup.resolves.get(resolve)
    if lockfile_path:
        ics = python_setup.resolves_to_interpreter_constraints.get(
            resolve, python_setup.interpreter_constraints
        )
        return ResolveSource(resolve, (lockfile_path,), "", tuple(ics), user=True)
    # Not a user resolve: maybe a tool's, found the way `export_virtualenv_for_resolve` finds it.
    tools = await python_tools(union_membership)
    tool = next((t for t in tools if t.resolve == resolve), None)
    if tool is None:
        known = sorted({*python_setup.resolves, *(t.resolve for t in tools)})
        return ResolveSource(
            resolve,
            skip_reason=f"this branch defines no such resolve in `[python].resolves` and no Python tool "
            f"of that name (known: {', '.join(known)})",
        )
    if not tool.enabled:
        return ResolveSource(resolve, skip_reason=f"its export is disabled (`[{resolve}].export = false`)")
    return _tool_source(tool, python_setup)


def _tool_source(tool: PythonTool, python_setup: PythonSetup) -> ResolveSource:
    """What a tool's export is made from: its lockfile, or its requirements and the resolve they
    come from, and its interpreter constraints (those of that resolve when it has none)."""
    if tool.superset is None:
        return ResolveSource(tool.resolve, tool.lockfiles, tool.requirements, tool.interpreter_constraints)
    ics = tool.interpreter_constraints or tuple(
        python_setup.resolves_to_interpreter_constraints.get(
            tool.superset, python_setup.interpreter_constraints
        )
    )
    return ResolveSource(
        tool.resolve, (python_setup.resolves.get(tool.superset, ""),), tool.requirements, ics
    )


@dataclass(frozen=True)
class InterpreterRequest:
    constraints: tuple[str, ...]


@dataclass(frozen=True)
class Interpreter:
    """The interpreter an export is built with: its full version and the sha256 of its binary."""

    version: str
    sha256: str

    def describe(self) -> str:
        return f"{self.version} (sha256 {self.sha256[:16]})"


_PRINT_VERSION = "import sys; print('.'.join(str(part) for part in sys.version_info[:3]))"


@rule(desc="Find the interpreter of a virtualenv export", level=LogLevel.DEBUG)
async def find_interpreter(request: InterpreterRequest) -> Interpreter:
    # The same interpreter Pants' export picks for these constraints (pex's selection).
    python = await Get(PythonExecutable, InterpreterConstraints(request.constraints))
    result = await Get(
        ProcessResult,
        Process(
            argv=(python.path, "-c", _PRINT_VERSION),
            description=f"Read the version of {python.path}",
            # The binary's hash keys the cached result: an interpreter upgraded in place is asked again.
            env={"PANTS_CALVER_INTERPRETER_SHA256": python.fingerprint or ""},
            level=LogLevel.DEBUG,
        ),
    )
    return Interpreter(result.stdout.decode().strip(), python.fingerprint or "")


@dataclass(frozen=True)
class EditableDistsRequest:
    resolve: str


@dataclass(frozen=True)
class EditableDists:
    """The distributions `[export].py_editable_in_resolve` installs into a resolve's venv: for each,
    its name, version and entry points (`group:name=module:attr`), as one line."""

    dists: tuple[str, ...]


@rule(desc="Read the distributions installed as editable into a resolve", level=LogLevel.DEBUG)
async def editable_dists(
    request: EditableDistsRequest, python_setup: PythonSetup, calver: CalverSubsystem
) -> EditableDists:
    targets = await distribution_targets(request.resolve if python_setup.enable_resolves else None)
    version_files = [os.path.join(t.address.spec_path, calver.package_version_file) for t in targets]
    contents = await Get(DigestContents, PathGlobs(version_files))
    versions = {fc.path: fc.content.decode(errors="replace").strip() for fc in contents}
    lines = []
    for target, version_file in zip(targets, version_files):
        kwargs = target[PythonProvidesField].value.kwargs
        version = str(kwargs.get("version") or versions.get(version_file, ""))
        groups = target[PythonDistributionEntryPointsField].value
        entry_points = [
            f"{group}:{name}={spec}"
            for group, points in (groups.items() if groups else ())
            for name, spec in points.items()
        ]
        if kwargs.get("entry_points"):
            entry_points.append(repr(kwargs["entry_points"]))
        lines.append(" ".join([str(kwargs.get("name", "")), version, *sorted(entry_points)]))
    return EditableDists(tuple(sorted(lines)))


@dataclass(frozen=True)
class ResolveInputsRequest:
    resolve: str


@dataclass(frozen=True)
class MaybeResolveInputs:
    """The inputs of a resolve, or why it cannot be exported on this branch: `skip_reason` when
    the branch does not define it (skipped), `error` when they cannot be computed here (failed)."""

    resolve: str
    inputs: ResolveInputs | None
    skip_reason: str | None = None
    error: str | None = None


async def _read_lockfile(url: str) -> bytes:
    parts = urlparse(url)
    path = parts.path[1:] if parts.path.startswith("/") else parts.path
    if _is_resource(url):
        # Tools' built-in lockfiles ship inside Pants, as `load_lockfile` reads them.
        return importlib.resources.read_binary(parts.netloc, path)
    contents = await Get(DigestContents, PathGlobs([path]))
    # A missing lockfile hashes as empty; the export itself then fails and says why.
    return contents[0].content if contents else b""


async def _find_interpreter(source: ResolveSource) -> Interpreter | str:
    """The interpreter a resolve's export is built with, or why there is none, in one line."""
    for constraint in source.interpreter_constraints:
        try:
            InterpreterConstraints([constraint])
        except ValueError as e:  # What Pants' `parse_constraint` raises (`InvalidRequirement`).
            return (
                f"`{constraint}` is not an interpreter constraint ({e}): fix the interpreter constraints "
                f"of `{source.resolve}`."
            )
    try:
        return await Get(Interpreter, InterpreterRequest(source.interpreter_constraints))
    except ProcessExecutionFailure as e:
        # Pants' interpreter search is a pex process: no interpreter matching the constraints (or
        # one that cannot run) makes it exit non-zero, and Pants raises this from `ProcessResult`.
        # Caught here, it fails this resolve only, and the preview (which builds nothing) goes on.
        constraints = " OR ".join(source.interpreter_constraints)
        return interpreter_failure(str(e), e.stderr.decode(errors="replace"), constraints, source.resolve)


@rule
async def resolve_inputs(request: ResolveInputsRequest, export_subsys: ExportSubsystem) -> MaybeResolveInputs:
    source = await Get(ResolveSource, ResolveSourceRequest(request.resolve))
    if source.skip_reason is not None:
        return MaybeResolveInputs(source.resolve, None, source.skip_reason)
    chunks = []
    for lockfile in source.lockfiles:
        chunks.append(await _read_lockfile(lockfile))
    interpreter = await _find_interpreter(source)
    if isinstance(interpreter, str):
        return MaybeResolveInputs(source.resolve, None, error=interpreter)
    editable = source.user and source.resolve in export_subsys.options.py_editable_in_resolve
    dists = await Get(EditableDists, EditableDistsRequest(source.resolve)) if editable else EditableDists(())
    inputs = ResolveInputs(
        lockfile_sha256=sha256_hex(*chunks, *([source.requirements.encode()] if source.requirements else [])),
        interpreter_constraints=source.interpreter_constraints,
        pants_version=VERSION,
        export_format=export_format(export_subsys).value,
        editable=editable,
        interpreter=interpreter.describe(),
        editable_dists=dists.dists,
    )
    return MaybeResolveInputs(source.resolve, inputs)


def rules():
    return collect_rules()
