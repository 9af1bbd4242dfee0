"""Run a real Pants, with this plugin, in a temporary repo: the end-to-end tier of the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

PANTS_TOML = """\
[GLOBAL]
pants_version = "2.17.1"
backend_packages = ["pants.backend.python", "pants_calver"]
pantsd = false

[python]
interpreter_constraints = ["CPython>=3.8,<3.12"]
"""


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


def init_repo(root: Path) -> None:
    """Make `root` a Pants repo using this plugin."""
    (root / "pants.toml").write_text(PANTS_TOML)


def pants(root: Path, *args: str, home: Path) -> Run:
    """Run `pants ARGS` in `root` with the Pants this test runs on and the plugin on its path."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LC_ALL": "C.UTF-8",
        # Source roots are on sys.path relative to the test sandbox; the run happens elsewhere.
        "PYTHONPATH": os.pathsep.join(os.path.abspath(entry) for entry in sys.path if entry),
        "NO_SCIE_WARNING": "1",
    }
    command: Sequence[str] = [sys.executable, "-m", "pants", "--no-dynamic-ui", *args]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    return Run(result.returncode, result.stdout, result.stderr)
