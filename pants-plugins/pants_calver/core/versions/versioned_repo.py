"""What the version goals read from a repo, as plain values, with no Pants import.

`pants_calver.engine.versions.repo` reads it once per run (and pantsd keeps it until a file changes); the
checks and the bump planner take it from there. How the files a bump rewrites are linked is read
apart, on every run, just before planning (`Links`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping

from pants_calver.core.versions.artifact_versions import KIND_NAMES, ArtifactFile
from pants_calver.core.versions.extra_sources import ExtraFile
from pants_calver.core.versions.pins import ScanResult
from pants_calver.core.problems import plural


@dataclass(frozen=True)
class Distribution:
    """A first-party distribution: a `python_distribution` target's `provides` name."""

    name: str
    key: str
    directory: str
    independent: bool


@dataclass(frozen=True)
class PackageFile:
    """A distribution's own version file."""

    path: str
    content: bytes
    distribution: str
    independent: bool


@dataclass(frozen=True)
class SourceFile:
    """A file where first-party pins can be written: its bytes, what the scan found in them, and
    the Python resolves of the requirement targets it defines."""

    path: str
    content: bytes
    scan: ScanResult
    resolves: tuple[str, ...] = ()


@dataclass(frozen=True)
class VersionedRepo:
    """Everything the version goals read: the version file, distributions and pin sources."""

    version_file: str
    version_content: bytes | None
    distributions: tuple[Distribution, ...]
    # The version files of the distributions that have one (whether one is a link is read apart: `Links`).
    package_files: tuple[PackageFile, ...]
    sources: tuple[SourceFile, ...]
    # The BUILD files whose `provides` set a version, and the distributions' own pyproject.toml.
    artifact_files: tuple[ArtifactFile, ...] = ()
    # The files of the sources declared in `[calver].version_sources` (a missing one too).
    extra_files: tuple[ExtraFile, ...] = ()

    @property
    def first_party(self) -> frozenset:
        return frozenset(d.key for d in self.distributions)

    @property
    def independent_keys(self) -> frozenset:
        return frozenset(d.key for d in self.distributions if d.independent)

    def linkable_paths(self) -> tuple[str, ...]:
        """The files a bump may rewrite but the version file, whose links `Links` gives."""
        return self._bump_paths(writes_only=False)

    def written_paths(self) -> frozenset[str]:
        """The files a bump writes, so a release commit may change: the version files, and the
        files holding a first-party pin, a distribution's own version or a declared source's site."""
        return frozenset({self.version_file, *self._bump_paths(writes_only=True)})

    def _bump_paths(self, writes_only: bool) -> tuple[str, ...]:
        # One list for both, so what a bump reads links of and what it writes cannot drift apart.
        paths = {file.path for file in self.package_files}
        paths.update(file.path for file in self.sources if file.scan.pins or not writes_only)
        paths.update(file.path for file in self.artifact_files if file.literals or not writes_only)
        paths.update(
            file.path
            for file in self.extra_files
            if file.content is not None and (file.sites or not writes_only)
        )
        return tuple(sorted(paths))

    @property
    def extra_source_count(self) -> int:
        """How many places the declared version sources hold a version."""
        return sum(len(file.sites) for file in self.extra_files)

    @property
    def pin_count(self) -> int:
        return sum(len(source.scan.pins) for source in self.sources)

    def summary(self) -> str:
        """What the repo holds, as the in-sync line counts it: `4 distributions, 4 version files and
        6 first-party pins`, with the kinds of distribution version literal it has (none: no word)."""
        literals = [literal.kind for file in self.artifact_files for literal in file.literals]
        counts = [
            plural(len(self.distributions), "distribution"),
            plural(len(self.package_files), "version file"),
            *(plural(literals.count(kind), name) for kind, name in KIND_NAMES.items() if kind in literals),
            *([plural(self.extra_source_count, "version source")] if self.extra_files else []),
        ]
        return f"{', '.join(counts)} and {plural(self.pin_count, 'first-party pin')}"


@dataclass(frozen=True)
class Links:
    """How the files a bump may rewrite are linked in the work tree, read by the engine before
    planning (the planner never looks at the disk): for each of `VersionedRepo.linkable_paths`,
    the path from the build root of the file that holds its bytes (itself, or where a link or a
    linked directory leads; None when that is outside the repo), and which are links themselves."""

    real_paths: Mapping[str, str | None] = field(default_factory=dict, hash=False)
    links: frozenset[str] = frozenset()

    def real_path(self, path: str) -> str | None:
        """Where `path`'s bytes are; a path that was not read is a mistake (KeyError)."""
        return self.real_paths[path]

    def is_link(self, path: str) -> bool:
        return path in self.links
