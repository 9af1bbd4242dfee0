"""Paths and globs, with no Pants import: path options checked before they are read (every file a
goal reads or writes by a setting's name lies inside the build root), and globs matched as Pants
matches them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from re import Pattern

from pants_calver.core.errors import SettingError


def _outside(path: str) -> str | None:
    """Why `path` (relative to the build root, `/`-separated) is not a path inside it, or None."""
    if not path.strip():
        return "is empty"
    if path.startswith("/") or path[1:3] in (":/", ":\\") or path.startswith("\\"):
        return "is an absolute path"
    if ".." in path.replace("\\", "/").split("/"):
        return "leaves the build root"
    return None


def check_path(option: str, path: str) -> None:
    """Raises SettingError, naming `option`, unless `path` is a relative path inside the build root."""
    why = _outside(path)
    if why:
        raise SettingError(f"{option}: `{path}` {why}; give a path relative to the build root, without `..`.")


def check_globs(option: str, globs: Iterable[str]) -> None:
    """`check_path` for each glob (an exclusion, `!glob`, too)."""
    for glob in globs:
        check_path(option, glob[1:] if glob.startswith("!") else glob)


def glob_pattern(glob: str) -> Pattern[str]:
    """A path glob as Pants writes them: `**` crosses directories, `*` and `?` do not."""
    parts = re.split(r"(\*\*/?|\*|\?)", glob)
    translated = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(translated.get(part, re.escape(part)) for part in parts) + r"\Z")
