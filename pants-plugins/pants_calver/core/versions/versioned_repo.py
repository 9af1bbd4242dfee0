"""What the version goals read from a repo, as plain values, with no Pants import.

`pants_calver.engine.versions.repo` reads it once per run (and pantsd keeps it until a file changes); the
checks and the bump planner take it from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from pants_calver.core.versions.artifact_versions import KIND_NAMES, ArtifactFile
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
    """A distribution's own version file; `is_link` when it is a link (which follows its target)."""

    path: str
    content: bytes
    distribution: str
    independent: bool
    is_link: bool = False


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
    # The version files of the distributions that have one (none of them read as a link here).
    package_files: tuple[PackageFile, ...]
    sources: tuple[SourceFile, ...]
    # The BUILD files whose `provides` set a version, and the distributions' own pyproject.toml.
    artifact_files: tuple[ArtifactFile, ...] = ()

    @property
    def first_party(self) -> frozenset:
        return frozenset(d.key for d in self.distributions)

    @property
    def independent_keys(self) -> frozenset:
        return frozenset(d.key for d in self.distributions if d.independent)

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
        ]
        return f"{', '.join(counts)} and {plural(self.pin_count, 'first-party pin')}"
