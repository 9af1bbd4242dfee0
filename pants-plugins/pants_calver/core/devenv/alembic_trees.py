"""The Alembic trees of a repo, each its `.ini` and the globs of its revision files, with no Pants
import: what `export-dev` compares across a switch, and the commands that target each tree.

Backend.AI has one tree (`alembic.ini`, the manager's) up to 24.09, and three on its main branch
(`alembic.ini`, `alembic-accountmgr.ini`, `alembic-appproxy.ini`). A revision id belongs to one
tree: the trees are compared and planned one by one.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pants_calver.core.errors import SettingError
from pants_calver.core.repo_paths import check_globs, check_path

# The tree `[export-dev].migrations` describes when `[export-dev].alembic_trees` is empty.
DEFAULT_INI = "alembic.ini"


@dataclass(frozen=True)
class AlembicTree:
    """One Alembic tree: the `.ini` that `alembic -c` takes, and the globs of its revisions."""

    ini: str
    globs: tuple[str, ...]

    def downgrade(self, target: str) -> str:
        """The command that downgrades this tree's database to `target`."""
        return f"alembic -c {shlex.quote(self.ini)} downgrade {shlex.quote(target)}"

    def upgrade(self) -> str:
        return f"alembic -c {shlex.quote(self.ini)} upgrade head"


def alembic_trees(
    option: str, trees: Mapping[str, Any], migrations: Sequence[str]
) -> tuple[AlembicTree, ...]:
    """The trees of the setting `option` (ini path -> list of globs), in the order written, or the
    one tree `alembic.ini` of `migrations` when it is empty. Raises SettingError, naming `option`,
    for a path outside the build root or a value that is not a list of globs."""
    if not trees:
        check_globs("[export-dev].migrations", migrations)
        return (AlembicTree(DEFAULT_INI, tuple(migrations)),)
    found = []
    for ini, globs in trees.items():
        check_path(option, str(ini))
        if (
            isinstance(globs, str)
            or not isinstance(globs, (list, tuple))
            or not all(isinstance(g, str) for g in globs)
        ):
            raise SettingError(
                f"{option}: `{ini}` maps to {globs!r}, not a list of globs; write "
                f'`"{ini}" = ["path/to/alembic/versions/*.py"]`.'
            )
        check_globs(option, globs)
        found.append(AlembicTree(str(ini), tuple(globs)))
    return tuple(found)
