"""The one door to Pants names that are not public plugin API, so that porting to a newer Pants is
this module's work (docs/architecture.md, "Pants-private names", says what each became in 2.18+).

Public plugin API, here: what Pants' plugin documentation presents to plugins and keeps under a
deprecation cycle: `pants.engine.rules` (`Get`, `MultiGet`, `Effect`, `rule`, ...), `pants.engine`'s
`fs`, `process`, `target`, `goal`, `console`, `env_vars`, `unions`; `pants.option.*`; subsystems,
target types and fields of the backends (`PythonSetup`, `PythonProvidesField`, ...); the goal types
plugins extend (`pants.core.goals.export`'s `ExportResult`, `ExportSubsystem`, `ExportError`); the
util rules whose request and result types Pants' docs hand to plugins (`InterpreterConstraints`,
`PythonExecutable`, `GitWorktreeRequest`, `BuildFileAddressRequest`); `pants.util.*`,
`pants.base.build_root`, `pants.version`.

Private, and imported nowhere else (tests/test_layers.py fails otherwise): anything under
`pants.engine.internals` (also its exception types); any name with a leading underscore; the
types of `pants.backend.python.goals.export` other than the option enum
`PythonResolveExportFormat` (`MaybeExportResult`, `ExportPythonTool*`); util-rule types that Pants
builds for its own goals (`ResolveSortedPythonDistributionTargets`, `PexRequirements`,
`EntireLockfile`, `Resolve`, whose fields this module reads), and the exception types of those
rules; and copies of the choices Pants' private code makes (`do_export`'s export format).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast
from collections.abc import Iterable

from pants.backend.python.goals.export import (
    ExportPythonTool,
    ExportPythonToolSentinel,
    MaybeExportResult,
    PythonResolveExportFormat,
    _ExportVenvForResolveRequest,
)
from pants.backend.python.util_rules.dists import BuildBackendError, InvalidBuildConfigError
from pants.backend.python.util_rules.local_dists_pep660 import ResolveSortedPythonDistributionTargets
from pants.backend.python.util_rules.package_dists import SetupPyError
from pants.backend.python.util_rules.pex_requirements import EntireLockfile, PexRequirements, Resolve
from pants.core.goals.export import ExportError, ExportResult, ExportSubsystem
from pants.core.util_rules.lockfile_metadata import InvalidLockfileError
from pants.engine.internals.native_engine import EngineError
from pants.engine.internals.parser import ParseError
from pants.engine.process import ProcessExecutionFailure
from pants.engine.rules import Get, MultiGet
from pants.engine.target import Target
from pants.engine.unions import UnionMembership

# What a BUILD file that cannot be parsed raises while its targets are read (besides the public
# `InvalidFieldException`, `InvalidTargetException` and `ValueError`).
BUILD_FILE_ERRORS: tuple[type[Exception], ...] = (ParseError,)

# What building one resolve's export raises when that resolve cannot be exported, in Pants 2.17.1's
# `export_virtualenv_for_resolve` and the rules under it: a failed pex or venv process; an engine
# intrinsic (an unmatched lockfile glob, a digest operation: `IntrinsicError` is an `EngineError`);
# the export's own refusals; a lockfile whose header does not match its resolve; a request Pants
# finds invalid (`ValueError`, also packaging's `InvalidRequirement`); an editable distribution
# that cannot be built (`[export].py_editable_in_resolve`). Anything else is a bug, not a resolve
# that failed, and stops the goal with Pants' own report.
EXPORT_ERRORS: tuple[type[Exception], ...] = (
    ProcessExecutionFailure,
    EngineError,
    ExportError,
    InvalidLockfileError,
    ValueError,
    BuildBackendError,
    InvalidBuildConfigError,
    SetupPyError,
)


@dataclass(frozen=True)
class VenvExport:
    """What Pants' own `export --resolve` makes of a resolve: its export (None when Pants exports
    nothing for that name), or why it failed, in Pants' words."""

    result: ExportResult | None
    error: str | None = None


async def export_venv_for_resolve(resolve: str) -> VenvExport:
    """The export `pants export --resolve=<resolve>` builds (Pants' `export_virtualenv_for_resolve`),
    a failure caught so that it fails this resolve only: a `MultiGet` fails as a whole."""
    try:
        maybe = await Get(MaybeExportResult, _ExportVenvForResolveRequest(resolve))
    except EXPORT_ERRORS as e:
        return VenvExport(None, str(e))
    return VenvExport(maybe.result)


def export_format(export_subsys: ExportSubsystem) -> PythonResolveExportFormat:
    """The format Pants' export writes venvs in: the choice `do_export` makes in Pants 2.17."""
    if export_subsys.options.symlink_python_virtualenv:
        return PythonResolveExportFormat.symlinked_immutable_virtualenv
    return cast(PythonResolveExportFormat, export_subsys.options.py_resolve_format)


@dataclass(frozen=True)
class PythonTool:
    """A Python tool's resolve, as Pants' export builds it.

    `lockfiles` holds its lockfile's URL when it installs one whole (a `resource://` URL for a
    built-in one); `requirements` the requirement strings that feed it beyond that, as one string;
    `superset` the user resolve those requirements are taken from, if any.
    """

    resolve: str
    enabled: bool = True
    lockfiles: tuple[str, ...] = ()
    requirements: str = ""
    interpreter_constraints: tuple[str, ...] = ()
    superset: str | None = None


async def python_tools(union_membership: UnionMembership) -> tuple[PythonTool, ...]:
    """Every Python tool with a resolve, found the way `export_virtualenv_for_resolve` finds them."""
    sentinels = cast(
        "Iterable[type[ExportPythonToolSentinel]]", union_membership.get(ExportPythonToolSentinel)
    )
    tools = await MultiGet(
        Get(ExportPythonTool, ExportPythonToolSentinel, sentinel()) for sentinel in sentinels
    )
    return tuple(_python_tool(tool) for tool in tools)


def _python_tool(tool: ExportPythonTool) -> PythonTool:
    if tool.pex_request is None:
        return PythonTool(tool.resolve_name, enabled=False)
    requirements = tool.pex_request.requirements
    ics = tuple(str(ic) for ic in tool.pex_request.interpreter_constraints)
    if isinstance(requirements, EntireLockfile):
        return PythonTool(
            tool.resolve_name,
            True,
            (requirements.lockfile.url,),
            repr(requirements.complete_req_strings),
            ics,
        )
    if not isinstance(requirements, PexRequirements):
        return PythonTool(tool.resolve_name, True, (), "", ics)
    strings = repr(sorted(map(str, requirements.req_strings_or_addrs))) + repr(
        sorted(requirements.constraints_strings)
    )
    superset = requirements.from_superset.name if isinstance(requirements.from_superset, Resolve) else None
    return PythonTool(tool.resolve_name, True, (), strings, ics, superset)


async def distribution_targets(resolve: str | None) -> tuple[Target, ...]:
    """The `python_distribution` targets of a resolve (of all, for None: resolves disabled), which
    `[export].py_editable_in_resolve` installs as editable."""
    by_resolve = await Get(ResolveSortedPythonDistributionTargets)
    return tuple(by_resolve.targets.get(resolve, ()))
