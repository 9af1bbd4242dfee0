"""The engine reads how the bump's files are linked, for the planner to take as a value."""

from __future__ import annotations

import os
from pathlib import Path

from pants_calver.engine.files import links_on_disk


def test_links_on_disk_reads_links_targets_and_linked_directories(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "shared").mkdir(parents=True)
    (root / "shared/requirements.txt").write_text("backend.ai-common==23.9.6\n")
    (root / "VERSION").write_text("23.09.6\n")
    (root / "common").mkdir()
    os.symlink("../VERSION", root / "common/VERSION")
    os.symlink("shared", root / "via-dir")
    (root / "linked").mkdir()
    os.symlink("../shared/requirements.txt", root / "linked/requirements.txt")
    (tmp_path / "outside.txt").write_text("")
    os.symlink("../outside.txt", root / "outside.txt")
    paths = [
        "common/VERSION",
        "linked/requirements.txt",
        "outside.txt",
        "shared/requirements.txt",
        "via-dir/requirements.txt",
        "missing.txt",
    ]
    links = links_on_disk(str(root), paths)
    assert dict(links.real_paths) == {
        "common/VERSION": "VERSION",
        "linked/requirements.txt": "shared/requirements.txt",
        "outside.txt": None,
        "shared/requirements.txt": "shared/requirements.txt",
        "via-dir/requirements.txt": "shared/requirements.txt",
        "missing.txt": "missing.txt",
    }
    # Only the paths that are links themselves: a file in a linked directory is none.
    assert links.links == frozenset({"common/VERSION", "linked/requirements.txt", "outside.txt"})
