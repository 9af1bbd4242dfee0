"""The engine rule that reads what the version goals look at, once, for every goal to share.

It finds the first-party distributions (`python_distribution` targets), their version files, and
every file where a first-party pin can be written, reads them all in one digest, and scans them
with the pure `pants_calver.core.versions.pins`. A distribution that writes its own version (`version=` in
`provides`, `[project] version` in its pyproject.toml) has it placed by the pure
`pants_calver.core.versions.artifact_versions`, held to what Pants read.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from collections.abc import Iterable, Sequence

from packaging.utils import canonicalize_name
from pants.backend.python.macros.python_requirements import PythonRequirementsSourceField
from pants.backend.python.subsystems.setup import PythonSetup
from pants.backend.python.target_types import (
    PythonDistribution,
    PythonProvidesField,
    PythonRequirementResolveField,
    PythonRequirementsField,
)
from pants.build_graph.address import BuildFileAddress, BuildFileAddressRequest
from pants.engine.fs import DigestContents, PathGlobs
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.engine.target import (
    AllTargets,
    AllUnexpandedTargets,
    InvalidFieldException,
    InvalidTargetException,
    Target,
)
from pants.vcs.git import GitWorktreeRequest, MaybeGitWorktree

from pants_calver.core.versions import artifact_versions, pins, repo_sources
from pants_calver.core.versions.artifact_versions import ArtifactFile, Declared
from pants_calver.core.errors import RepoError, SettingError
from pants_calver.core.versions.extra_sources import ExtraFile
from pants_calver.core.versions.source_specs import OPTION, SourceSpec
from pants_calver.engine.git_head import read_head
from pants_calver.core.text import decode
from pants_calver.engine.pants_private import BUILD_FILE_ERRORS
from pants_calver.core.versions.versioned_repo import Distribution, PackageFile, SourceFile, VersionedRepo
from pants_calver.engine.subsystem import CalverSubsystem

# What Pants raises while reading targets for a user's mistake (such as an invalid requirement
# line in a `python_requirements` source); its message names the file and line.
_TARGET_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    InvalidFieldException,
    InvalidTargetException,
    *BUILD_FILE_ERRORS,
)

# Where a pin can be written without a target that owns the file.
_PROJECT_FILE_GLOBS = ("**/pyproject.toml", "**/setup.cfg")


async def current_branch(option: str | None, build_root: str) -> str | None:
    """The branch named by an option, else the one git has checked out (None when detached)."""
    if option:
        return option
    # Reading HEAD saves the three git processes that asking Pants' git worktree would start.
    head = read_head(build_root)
    if head is not None:
        return head.branch
    worktree = await Get(MaybeGitWorktree, GitWorktreeRequest())
    return worktree.git_worktree.branch_name if worktree.git_worktree else None


@dataclass(frozen=True)
class _Targets:
    all: tuple[Target, ...]
    unexpanded: tuple[Target, ...]


async def _targets() -> _Targets:
    """Every target; raises `RepoError` for a BUILD file or a target Pants cannot read."""
    try:
        all_targets, unexpanded = await MultiGet(Get(AllTargets), Get(AllUnexpandedTargets))
    except SyntaxError as e:  # A BUILD file that is not Python: Pants' parser compiles it as is.
        raise RepoError(f"{e.filename}:{e.lineno}: this BUILD file is not valid Python: {e.msg}") from e
    except _TARGET_ERRORS as e:
        raise RepoError(str(e)) from e
    return _Targets(tuple(all_targets), tuple(unexpanded))


def _distributions(targets: Iterable[Target], independent: Iterable[str]) -> tuple[Distribution, ...]:
    keys = {canonicalize_name(name) for name in independent}
    found = (
        Distribution(name, key, t.address.spec_path, key in keys)
        for t in targets
        if isinstance(t, PythonDistribution)
        for name in [t[PythonProvidesField].value.kwargs["name"]]
        for key in [canonicalize_name(name)]
    )
    return tuple(sorted(found, key=lambda d: (d.directory, d.key)))


def _declared(target: Target, independent: frozenset) -> Declared:
    """A distribution and, when its `provides` gives one, the version Pants read there."""
    kwargs = target[PythonProvidesField].value.kwargs
    key = canonicalize_name(kwargs["name"])
    if "version" not in kwargs:
        return Declared(kwargs["name"], key, key in independent)
    version = kwargs["version"]
    text = isinstance(version, str)
    return Declared(kwargs["name"], key, key in independent, version if text else repr(version), text)


async def _artifact_files(
    targets: Iterable[Target], independent: Iterable[str], contents: dict[str, bytes]
) -> tuple[ArtifactFile, ...]:
    """The BUILD files whose `provides` give a version (read here), and the pyproject.toml (in
    `contents`) in a distribution's directory, with the literals placed in them."""
    keys = frozenset(canonicalize_name(name) for name in independent)
    distributions = [(t, _declared(t, keys)) for t in targets if isinstance(t, PythonDistribution)]
    versioned = [(t, d) for t, d in distributions if d.provides is not None]
    build_files = await MultiGet(
        Get(BuildFileAddress, BuildFileAddressRequest(t.address, description_of_origin="pants_calver"))
        for t, _ in versioned
    )
    in_build: dict[str, list[Declared]] = {}
    for build_file, (_, d) in zip(build_files, versioned):
        in_build.setdefault(build_file.rel_path, []).append(d)
    in_directory: dict[str, list[Declared]] = {}
    for t, d in distributions:
        in_directory.setdefault(posixpath.join(t.address.spec_path, "pyproject.toml"), []).append(d)
    build_contents = await _read(in_build) if in_build else {}
    files = [
        artifact_versions.read(path, build_contents[path], artifact_versions.PROVIDES, declared)
        for path, declared in in_build.items()
        if path in build_contents
    ]
    files += [
        artifact_versions.read(path, contents[path], artifact_versions.PYPROJECT, declared)
        for path, declared in in_directory.items()
        if path in contents
    ]
    return tuple(sorted(files, key=lambda f: f.path))


async def _requirement_files(targets: _Targets, python_setup: PythonSetup) -> dict[str, set[str]]:
    """The files that define requirement targets (`python_requirements` sources, BUILD files with
    `python_requirement`s), each with the Python resolves of what it defines."""
    generated_from: dict[str, str] = {
        t.address.spec: t[PythonRequirementsSourceField].file_path
        for t in targets.unexpanded
        if t.has_field(PythonRequirementsSourceField) and t[PythonRequirementsSourceField].value
    }
    resolves: dict[str, set[str]] = {path: set() for path in generated_from.values()}
    inline = []
    for target in targets.all:
        if not target.has_field(PythonRequirementsField):
            continue
        resolve = (
            target[PythonRequirementResolveField].normalized_value(python_setup)
            if python_setup.enable_resolves and target.has_field(PythonRequirementResolveField)
            else None
        )
        generator = target.address.maybe_convert_to_target_generator().spec
        if target.address.is_generated_target and generator in generated_from:
            resolves[generated_from[generator]].update([resolve] if resolve else [])
        elif not target.address.is_generated_target:
            inline.append((target.address, resolve))
    build_files = await MultiGet(
        Get(BuildFileAddress, BuildFileAddressRequest(address, description_of_origin="pants_calver"))
        for address, _ in inline
    )
    for build_file, (_, resolve) in zip(build_files, inline):
        resolves.setdefault(build_file.rel_path, set()).update([resolve] if resolve else [])
    return resolves


async def _read(paths: Iterable[str], globs: Iterable[str] = ()) -> dict[str, bytes]:
    contents = await Get(DigestContents, PathGlobs([*sorted(set(paths)), *globs]))
    return {entry.path: entry.content for entry in contents}


async def _scan_sources(
    contents: dict[str, bytes], paths: Sequence[str], first_party: frozenset, resolves: dict[str, set[str]]
) -> tuple[SourceFile, ...]:
    """Scan every source, and the requirement files their `-r`/`-c` lines include (read here)."""
    sources: list[SourceFile] = []
    pending = list(paths)
    while pending:
        includes: list[str] = []
        for path in pending:
            scan = pins.scan(path, decode(contents[path]), first_party)
            sources.append(SourceFile(path, contents[path], scan, tuple(sorted(resolves.get(path, ())))))
            includes.extend(
                posixpath.normpath(posixpath.join(posixpath.dirname(path), include))
                for include in scan.includes
            )
        missing = sorted({p for p in includes if p not in contents and not p.startswith("..")})
        contents.update(await _read(missing) if missing else {})
        pending = [p for p in missing if p in contents]
    return tuple(sources)


async def _extra_files(
    specs: Sequence[SourceSpec], distributions: Sequence[Distribution]
) -> tuple[ExtraFile, ...]:
    """The files of `[calver].version_sources` (every file a glob matches), read in one digest;
    raises `SettingError` for a `distribution` that names none of the repo's."""
    names = {d.key for d in distributions}
    for spec in specs:
        if spec.distribution and canonicalize_name(spec.distribution) not in names:
            raise SettingError(
                f"{OPTION}: `{spec.files}`: `distribution` `{spec.distribution}` names no "
                "python_distribution of the repo; give the name of its python_artifact."
            )
    if not specs:
        return ()
    contents = await _read([s.files for s in specs if not s.is_glob], [s.files for s in specs if s.is_glob])
    return repo_sources.read_all(specs, contents)


@rule(desc="Read the repo's version, distributions and first-party pins")
async def read_versioned_repo(calver: CalverSubsystem, python_setup: PythonSetup) -> VersionedRepo:
    """Raises `RepoError` for a target Pants cannot read, `SettingError` for a path setting
    outside the build root or a `[calver].version_sources` entry that cannot be used."""
    calver.check_paths()
    specs = calver.sources()
    targets = await _targets()
    distributions = _distributions(targets.all, calver.independent)
    resolves = await _requirement_files(targets, python_setup)
    version_files = {
        path: d
        for d in distributions
        for path in [posixpath.join(d.directory, calver.package_version_file)]
        if path != calver.version_file
    }
    contents = await _read(
        [calver.version_file, *version_files, *resolves],
        [*_PROJECT_FILE_GLOBS, *calver.extra_requirement_globs],
    )
    source_paths = sorted(p for p in contents if p != calver.version_file and p not in version_files)
    first_party = frozenset(d.key for d in distributions)
    artifact_files = await _artifact_files(targets.all, calver.independent, contents)
    extra_files = await _extra_files(specs, distributions)
    return VersionedRepo(
        version_file=calver.version_file,
        version_content=contents.get(calver.version_file),
        distributions=distributions,
        package_files=tuple(
            PackageFile(path, contents[path], dist.name, dist.independent)
            for path, dist in sorted(version_files.items())
            if path in contents
        ),
        sources=await _scan_sources(contents, source_paths, first_party, resolves),
        artifact_files=artifact_files,
        extra_files=extra_files,
    )


def rules():
    return collect_rules()
