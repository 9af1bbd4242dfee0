"""The engine rule that reads what the version goals look at, once, for every goal to share.

It finds the first-party distributions (`python_distribution` targets), their version files, and
every file where a first-party pin can be written, reads them all in one digest, and scans them
with the pure `pants_calver.core.pins` module.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Set, Tuple

from packaging.utils import canonicalize_name
from pants.backend.python.macros.python_requirements import PythonRequirementsSourceField
from pants.backend.python.target_types import (
    PythonDistribution,
    PythonProvidesField,
    PythonRequirementResolveField,
    PythonRequirementsField,
)
from pants.backend.python.subsystems.setup import PythonSetup
from pants.build_graph.address import BuildFileAddress, BuildFileAddressRequest
from pants.engine.fs import DigestContents, PathGlobs
from pants.engine.internals.parser import ParseError
from pants.engine.rules import Get, MultiGet, collect_rules, rule
from pants.vcs.git import GitWorktreeRequest, MaybeGitWorktree
from pants.engine.target import (
    AllTargets,
    AllUnexpandedTargets,
    InvalidFieldException,
    InvalidTargetException,
)

from pants_calver.core import pins
from pants_calver.core.git_head import read_head
from pants_calver.engine.subsystem import CalverError, CalverSubsystem
from pants_calver.core.sync import PackageFile

# What Pants raises while reading targets for a user's mistake (such as an invalid requirement
# line in a `python_requirements` source); its message names the file and line.
_TARGET_ERRORS = (ValueError, InvalidFieldException, InvalidTargetException, ParseError)

# Where a pin can be written without a target that owns the file.
_PROJECT_FILE_GLOBS = ("**/pyproject.toml", "**/setup.cfg")


@dataclass(frozen=True)
class Distribution:
    """A first-party distribution: a `python_distribution` target's `provides` name."""

    name: str
    key: str
    directory: str
    independent: bool


@dataclass(frozen=True)
class RepoFile:
    path: str
    content: bytes


@dataclass(frozen=True)
class VersionedRepo:
    """Everything the version goals read: the version file, distributions and pin sources."""

    version_file: str
    version_content: Optional[bytes]
    distributions: Tuple[Distribution, ...]
    # (distribution, its version file) for every distribution that has one.
    package_version_files: Tuple[Tuple[Distribution, RepoFile], ...]
    sources: Tuple[RepoFile, ...]
    scans: Tuple[pins.ScanResult, ...]
    # Requirement source path → the Python resolves of the targets it generates.
    resolves: Tuple[Tuple[str, Tuple[str, ...]], ...]

    @property
    def independent_keys(self) -> frozenset:
        return frozenset(d.key for d in self.distributions if d.independent)

    def resolves_of(self, path: str) -> Tuple[str, ...]:
        return dict(self.resolves).get(path, ())

    def package_files(self, is_link: Callable[[str], bool] = lambda path: False) -> List[PackageFile]:
        return [
            PackageFile(file.path, file.content, dist.name, dist.independent, is_link(file.path))
            for dist, file in self.package_version_files
        ]


async def current_branch(option: Optional[str], build_root: str) -> Optional[str]:
    """The branch named by an option, else the one git has checked out (None when detached)."""
    if option:
        return option
    # Reading HEAD saves the three git processes that asking Pants' git worktree would start.
    head = read_head(build_root)
    if head is not None:
        return head.branch
    worktree = await Get(MaybeGitWorktree, GitWorktreeRequest())
    return worktree.git_worktree.branch_name if worktree.git_worktree else None


async def _read(paths: Iterable[str], globs: Iterable[str] = ()) -> Dict[str, bytes]:
    contents = await Get(DigestContents, PathGlobs([*sorted(set(paths)), *globs]))
    return {entry.path: entry.content for entry in contents}


@rule(desc="Read the repo's version, distributions and first-party pins")
async def read_versioned_repo(calver: CalverSubsystem, python_setup: PythonSetup) -> VersionedRepo:
    """Raises `CalverError` for a target Pants cannot read."""
    try:
        all_targets, unexpanded = await MultiGet(Get(AllTargets), Get(AllUnexpandedTargets))
    except SyntaxError as e:  # A BUILD file that is not Python: Pants' parser compiles it as is.
        raise CalverError(f"{e.filename}:{e.lineno}: this BUILD file is not valid Python: {e.msg}") from e
    except _TARGET_ERRORS as e:
        raise CalverError(str(e)) from e
    independent = {canonicalize_name(name) for name in calver.independent}
    distributions = tuple(
        sorted(
            (
                Distribution(name, key, t.address.spec_path, key in independent)
                for t in all_targets
                if isinstance(t, PythonDistribution)
                for name in [t[PythonProvidesField].value.kwargs["name"]]
                for key in [canonicalize_name(name)]
            ),
            key=lambda d: (d.directory, d.key),
        )
    )

    # Requirement files of `python_requirements` generators, and the resolves of what they generate.
    generated_from: Dict[str, str] = {
        t.address.spec: t[PythonRequirementsSourceField].file_path
        for t in unexpanded
        if t.has_field(PythonRequirementsSourceField) and t[PythonRequirementsSourceField].value
    }
    resolves: Dict[str, Set[str]] = {path: set() for path in generated_from.values()}
    inline = []
    for target in all_targets:
        if not target.has_field(PythonRequirementsField):
            continue
        resolve = (
            target[PythonRequirementResolveField].normalized_value(python_setup)
            if python_setup.enable_resolves and target.has_field(PythonRequirementResolveField)
            else None
        )
        generator = target.address.maybe_convert_to_target_generator().spec
        if target.address.is_generated_target and generator in generated_from:
            if resolve:
                resolves[generated_from[generator]].add(resolve)
        elif not target.address.is_generated_target:
            inline.append((target.address, resolve))

    build_files = await MultiGet(
        Get(BuildFileAddress, BuildFileAddressRequest(address, description_of_origin="pants_calver"))
        for address, _ in inline
    )
    for build_file, (_, resolve) in zip(build_files, inline):
        resolves.setdefault(build_file.rel_path, set())
        if resolve:
            resolves[build_file.rel_path].add(resolve)

    version_files = {
        posixpath.join(d.directory, calver.package_version_file): d
        for d in distributions
        if posixpath.join(d.directory, calver.package_version_file) != calver.version_file
    }
    contents = await _read(
        [calver.version_file, *version_files, *resolves],
        [*_PROJECT_FILE_GLOBS, *calver.extra_requirement_globs],
    )

    first_party = frozenset(d.key for d in distributions)
    source_paths = sorted(
        path for path in contents if path != calver.version_file and path not in version_files
    )
    scans: List[pins.ScanResult] = []
    sources: List[RepoFile] = []
    pending = source_paths
    while pending:
        includes: List[str] = []
        for path in pending:
            scan = pins.scan(path, pins.decode(contents[path]), first_party)
            scans.append(scan)
            sources.append(RepoFile(path, contents[path]))
            includes.extend(
                posixpath.normpath(posixpath.join(posixpath.dirname(path), include))
                for include in scan.includes
            )
        # `-r`/`-c` includes are requirement files too; read those not read yet.
        missing = sorted({p for p in includes if p not in contents and not p.startswith("..")})
        contents.update(await _read(missing) if missing else {})
        pending = [p for p in missing if p in contents]

    return VersionedRepo(
        version_file=calver.version_file,
        version_content=contents.get(calver.version_file),
        distributions=distributions,
        package_version_files=tuple(
            (dist, RepoFile(path, contents[path]))
            for path, dist in sorted(version_files.items())
            if path in contents
        ),
        sources=tuple(sources),
        scans=tuple(scans),
        resolves=tuple(sorted((path, tuple(sorted(names))) for path, names in resolves.items())),
    )


def rules():
    return collect_rules()
