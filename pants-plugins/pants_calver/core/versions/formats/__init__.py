"""Where requirement strings stand in each format that can hold a first-party pin, with no Pants
import: requirements files, BUILD files, pyproject.toml and setup.cfg.

Every scanner returns a `Found`: each requirement text with the (line, column) of every character,
the files it includes, and what it cannot read. A scanner that places bytes is held to the format's
own parser (Python's, a TOML parser, configparser, pip's requirements-file reader, followed step by
step in `pip_lines`, `pip_reference` and `pep508`): what it cannot place exactly is reported, never
skipped. What a requirement means is `pants_calver.core.versions.pins`' business.

To add a format: a module here with a `find(path, text) -> Found`, and a `SourceKind` for it.
"""

from __future__ import annotations

from enum import Enum

from pants_calver.core.versions.formats import build_file, pyproject, requirements_txt, setup_cfg
from pants_calver.core.versions.formats.found import Found


class SourceKind(Enum):
    """The formats a requirement can be written in."""

    requirements = "requirements"
    build = "build"
    pyproject = "pyproject"
    setup_cfg = "setup_cfg"

    @classmethod
    def for_path(cls, path: str) -> SourceKind:
        name = path.rsplit("/", 1)[-1]
        if name == "pyproject.toml":
            return cls.pyproject
        if name == "setup.cfg":
            return cls.setup_cfg
        if name == "BUILD" or name.startswith("BUILD."):
            return cls.build
        return cls.requirements


def find(path: str, text: str) -> Found:
    """The requirement strings of one file, read as its format says (by its name)."""
    scanners = {
        SourceKind.requirements: requirements_txt.find,
        SourceKind.build: build_file.find,
        SourceKind.pyproject: pyproject.find,
        SourceKind.setup_cfg: setup_cfg.find,
    }
    return scanners[SourceKind.for_path(path)](path, text)
